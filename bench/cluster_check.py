"""The checks bench/cluster.sh runs against two portal instances, a worker and nginx.

    python -m bench.cluster_check edit --via http://127.0.0.1:8101 --check http://127.0.0.1:8102
    python -m bench.cluster_check pdf-ask URL PATH          # prints the status
    python -m bench.cluster_check pdf-wait URL PATH SECONDS # until the PDF is served
    python -m bench.cluster_check job-running SECONDS       # until a job is running
    python -m bench.cluster_check job-attempts              # the last job: state, workers
    python -m bench.cluster_check pdf-paths 12              # PDFs of 12 sections
    python -m bench.cluster_check storm URL PATH... --probe URL --probe URL [--seconds 10]
    python -m bench.cluster_check queue-idle SECONDS        # until no job waits or runs

Run with the instances' DATABASE_URL (it reads the database like any host) and
loopback addresses only.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import http.cookiejar
import os
import statistics
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from html.parser import HTMLParser

from bench.load import loopback_only


def opener_with_cookies():
    return urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )


def get(url: str, opener=None, timeout=60) -> tuple[int, str, bytes]:
    loopback_only(urllib.parse.urlsplit(url).hostname)
    try:
        with (opener or urllib.request.build_opener()).open(url, timeout=timeout) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


class FormFields(HTMLParser):
    """The fields of the form with id ``form_id`` as a browser would send them."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.fields = form_id, False, []
        self.textarea = self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or attrs.get("disabled") is not None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file"):
                self.fields.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]
        elif tag == "select" and name:
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.fields.append((self.select, attrs.get("value", "")))

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea is not None:
            self.fields.append(tuple(self.textarea))
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.inside = False


def form_of(html: str, form_id: str) -> list[tuple[str, str]]:
    parser = FormFields(form_id)
    parser.feed(html)
    return parser.fields


def post(opener, url: str, fields: list[tuple[str, str]]) -> tuple[int, str]:
    data = urllib.parse.urlencode(fields).encode()
    request = urllib.request.Request(url, data=data, headers={"Referer": url})
    with opener.open(request, timeout=60) as response:
        return response.status, response.geturl()


def edit(args) -> int:
    """Sign in to the admin of one instance, change a project's summary, read it on the other."""
    from django.contrib.auth import get_user_model

    from projects.models import Project

    user, password = "cluster-admin", uuid.uuid4().hex
    admin = get_user_model().objects.filter(username=user).first()
    if admin is None:
        admin = get_user_model().objects.create_superuser(user, "cluster@example.org", password)
    admin.set_password(password)
    admin.save()
    project = Project.objects.published().order_by("pk").first()
    via, check = args.via.rstrip("/"), args.check.rstrip("/")
    public_url = check + project.get_absolute_url()
    before = get(public_url)[2].decode()  # B has it cached now

    opener = opener_with_cookies()
    login_url = via + "/admin/login/?next=/admin/"
    fields = form_of(get(login_url, opener)[2].decode(), "login-form")
    fields = [(k, v) for k, v in fields if k not in ("username", "password")]
    post(opener, login_url, [*fields, ("username", user), ("password", password)])
    change_url = f"{via}/admin/projects/project/{project.pk}/change/"
    fields = form_of(get(change_url, opener)[2].decode(), "project_form")
    marker = f"クラスタ検証 {uuid.uuid4().hex[:8]}"
    fields = [(k, marker if k == "summary" else v) for k, v in fields]
    status, landed = post(opener, change_url, fields)
    saved = landed.rstrip("/").endswith("/admin/projects/project")
    started = time.perf_counter()
    after = get(public_url)[2].decode()
    took = (time.perf_counter() - started) * 1000
    print(f"edit saved through {via}: {'yes' if saved else 'NO (' + landed + ')'}")
    print(f"before: marker on {check}: {marker in before}")
    print(f"next request to {check}: marker shown: {marker in after} (answered in {took:.0f} ms)")
    return 0 if saved and marker in after and marker not in before else 1


def pdf_ask(args) -> int:
    status, content_type, _ = get(args.url.rstrip("/") + args.path)
    print(f"{args.url}{args.path}: {status} {content_type}")
    return 0


def pdf_wait(args) -> int:
    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        status, content_type, body = get(args.url.rstrip("/") + args.path)
        if status == 200 and content_type == "application/pdf":
            print(f"{args.url}{args.path}: 200 application/pdf, {len(body):,} bytes")
            return 0
        time.sleep(1)
    print(f"{args.url}{args.path}: no PDF after {args.seconds} s (last status {status})")
    return 1


def job_running(args) -> int:
    from django_tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    deadline = time.monotonic() + args.seconds
    while time.monotonic() < deadline:
        job = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).first()
        if job is not None:
            print(f"job {job.id} running on worker {job.worker_ids[-1]}")
            return 0
        time.sleep(0.2)
    print("no job started")
    return 1


def job_attempts(args) -> int:
    from django_tasks_db.models import DBTaskResult

    job = DBTaskResult.objects.order_by("-enqueued_at").first()
    print(f"last job: {job.status}, attempts by {job.worker_ids}, result {job.return_value}")
    return 0


def pdf_paths(args) -> int:
    """Paths of the PDFs of ``count`` sections of published plans, one a line."""
    from policies.models import PolicyNode

    nodes = PolicyNode.objects.published().filter(parent=None)
    for node in nodes.select_related("plan").order_by("pk")[: args.count]:
        print(f"/plans/{node.plan.slug}/nodes/{node.pk}/pdf/")
    return 0


def storm(args) -> int:
    """Ask for the PDFs again and again, all at once, for ``--seconds``, while timing the
    probes (a health check, a cached page)."""
    for probe in args.probe:
        get(probe)  # warm: cached
    deadline = time.monotonic() + args.seconds
    statuses, timings = [], {probe: [] for probe in args.probe}

    def ask(path):
        while time.monotonic() < deadline:
            statuses.append(get(args.url.rstrip("/") + path)[0])

    with concurrent.futures.ThreadPoolExecutor(max_workers=len(args.paths)) as pool:
        asked = [pool.submit(ask, path) for path in args.paths]
        while time.monotonic() < deadline:
            for probe in args.probe:
                began = time.perf_counter()
                status = get(probe)[0]
                timings[probe].append(((time.perf_counter() - began) * 1000, status))
        for future in asked:
            future.result()
    counts = {status: statuses.count(status) for status in sorted(set(statuses))}
    print(f"{len(args.paths)} clients asking for PDFs for {args.seconds:.0f} s: statuses {counts}")
    for probe, samples in timings.items():
        times = sorted(ms for ms, _ in samples)
        p95 = times[min(len(times) - 1, int(len(times) * 0.95))]
        bad = [status for _, status in samples if status != 200]
        print(
            f"  {probe}: {len(times)} requests meanwhile, median {statistics.median(times):.1f} ms,"
            f" p95 {p95:.1f} ms, max {times[-1]:.1f} ms, non-200: {len(bad)}"
        )
    return 0


def queue_idle(args) -> int:
    """Wait until no job is waiting or running (so that builds do not skew a benchmark)."""
    from django_tasks_db.models import DBTaskResult

    from planportal.task_queue import PENDING

    deadline = time.monotonic() + args.seconds
    while DBTaskResult.objects.filter(status__in=PENDING).exists():
        if time.monotonic() > deadline:
            print("the queue is still busy")
            return 1
        time.sleep(1)
    print("queue idle")
    return 0


def main():
    import django

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("edit")
    command.add_argument("--via", required=True)
    command.add_argument("--check", required=True)
    command.set_defaults(run=edit)
    for name, run in (("pdf-ask", pdf_ask), ("pdf-wait", pdf_wait)):
        command = commands.add_parser(name)
        command.add_argument("url")
        command.add_argument("path")
        if name == "pdf-wait":
            command.add_argument("seconds", type=float)
        command.set_defaults(run=run)
    command = commands.add_parser("job-running")
    command.add_argument("seconds", type=float)
    command.set_defaults(run=job_running)
    commands.add_parser("job-attempts").set_defaults(run=job_attempts)
    command = commands.add_parser("queue-idle")
    command.add_argument("seconds", type=float)
    command.set_defaults(run=queue_idle)
    command = commands.add_parser("pdf-paths")
    command.add_argument("count", type=int)
    command.set_defaults(run=pdf_paths)
    command = commands.add_parser("storm")
    command.add_argument("url")
    command.add_argument("paths", nargs="+")
    command.add_argument("--probe", action="append", required=True)
    command.add_argument("--seconds", type=float, default=10)
    command.set_defaults(run=storm)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planportal.settings")
    django.setup()
    sys.exit(args.run(args))


if __name__ == "__main__":
    main()
