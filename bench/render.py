"""Uncached rendering: the worker time of the pages in issue 16's table, before and after.

    python bench/render.py                               # this tree, the DATABASE_URL's data
    python bench/render.py --against /tmp/before         # interleaved with another checkout
    python bench/render.py --profile "print Ⅶ"           # cProfile of one page, top functions

The database needs the demo plans and the generated plan (``python -m
bench.generate_plan --projects 20000``). Each page is requested in this
process through Django's test client with the page cache off, so every request
renders from the database, as after a staff save. Per page it reports the
median worker CPU time (``time.process_time``: the Python work of one request;
on SQLite it includes the queries, on PostgreSQL the server's share is not in
it), the median wall time, the queries and the size.

``--against DIR`` runs the same measurements on another checkout of the code
(e.g. ``git archive <commit> | tar -x -C DIR``) against the same database, in
alternating rounds so that the load of a shared machine falls on both alike,
and prints the ratio before/after of the CPU times. ``--calls`` counts the
Python function calls of a request instead (cProfile): slower, but the same
however busy the machine is.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_django(root: Path) -> None:
    sys.path.insert(0, str(root))
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ["PAGE_CACHE"] = "0"
    os.environ["HTTPS_ONLY"] = "0"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planportal.settings")
    import django

    django.setup()
    from django.conf import settings

    # Tests do not need collected static files; neither does rendering.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def page_urls(slug: str) -> dict[str, str]:
    """The issue's rows: a node page of 12 projects, a project, the print page of
    基本政策Ⅶ (seed 001), and the generated plan's plan page, a measure and a search."""
    from django.urls import reverse

    from policies.models import PolicyNode

    node = PolicyNode.objects.get(
        plan__slug="kawasaki-2011", title="区における地域のまちづくりの推進"
    )
    project = node.listings.order_by("position", "pk").first().project
    basic_policy = PolicyNode.objects.get(plan__slug="kawasaki-2011", code="Ⅶ")
    generated = PolicyNode.objects.filter(plan__slug=slug)
    measure = generated.filter(listings__isnull=False).order_by("tree_id", "lft").first()
    return {
        "node (12 projects)": node.get_absolute_url(),
        "project": project.get_absolute_url(),
        "print Ⅶ": reverse("policies:node_print", args=[basic_policy.plan.slug, basic_policy.pk]),
        "20k plan": f"/plans/{slug}/",
        "20k measure": measure.get_absolute_url(),
        "20k search 事業": "/search/?q=事業",
        "20k search 生成事業0001": "/search/?q=生成事業0001",
    }


def request(client, url: str, calls: bool = False) -> dict:
    import cProfile
    import pstats

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    profiler = cProfile.Profile() if calls else None
    with CaptureQueriesContext(connection) as queries:
        wall, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        response = client.get(url)
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
    assert response.status_code == 200, (url, response.status_code)
    return {
        "cpu": pstats.Stats(profiler).total_calls if profiler else cpu * 1000,
        "wall": wall * 1000,
        "queries": len(queries.captured_queries),
        "bytes": len(response.content),
    }


def measure(slug: str, requests: int, only: list[str], calls: bool) -> dict[str, list[dict]]:
    from django.test import Client

    client = Client()
    results = {}
    for name, url in page_urls(slug).items():
        if only and name not in only:
            continue
        request(client, url)  # warm: templates compiled, translations loaded
        results[name] = [request(client, url, calls) for _ in range(requests)]
    return results


def profile(slug: str, name: str, top: int) -> None:
    import cProfile
    import pstats

    from django.test import Client

    client, url = Client(), page_urls(slug)[name]
    client.get(url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(5):
        client.get(url)
    profiler.disable()
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def run_other(tree: Path, args) -> dict:
    command = [sys.executable, str(Path(__file__).resolve()), "--tree", str(tree), "--json"]
    command += ["--plan", args.plan, "--requests", str(args.requests)]
    for name in args.only:
        command += ["--only", name]
    if args.calls:
        command.append("--calls")
    output = subprocess.run(command, check=True, capture_output=True, text=True, cwd=tree)
    return json.loads(output.stdout)


def median(samples: list[dict], key: str) -> float:
    return statistics.median(sample[key] for sample in samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--plan", default="bench-20000", help="slug of the generated plan")
    parser.add_argument("--requests", type=int, default=5, help="per page and round")
    parser.add_argument("--rounds", type=int, default=3, help="alternations with --against")
    parser.add_argument("--only", action="append", default=[], help="a page name (repeatable)")
    parser.add_argument("--against", type=Path, help="another checkout to compare with")
    parser.add_argument("--profile", metavar="PAGE", help="cProfile one page instead")
    parser.add_argument("--calls", action="store_true", help="count function calls, not time")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--tree", type=Path, default=ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.json:  # one measurement, for --against
        setup_django(args.tree)
        json.dump(measure(args.plan, args.requests, args.only, args.calls), sys.stdout)
        return
    if args.profile:
        setup_django(args.tree)
        profile(args.plan, args.profile, args.top)
        return
    trees = [args.against, ROOT] if args.against else [ROOT]
    samples: list[dict[str, list[dict]]] = [{} for _ in trees]
    for _round in range(args.rounds if args.against else 1):
        for index, tree in enumerate(trees):
            for name, runs in run_other(tree, args).items():
                samples[index].setdefault(name, []).extend(runs)
    work = "calls" if args.calls else "CPU ms"
    print(
        f"{'page':<26}"
        + "".join(f"{work:>9}{'wall ms':>9}{'queries':>8}{'KB':>6}" for _ in trees)
        + (f"{'ratio':>7}" if args.against else "")
    )
    for name in samples[-1]:
        line = f"{name:<26}"
        for tree_samples in samples:
            runs = tree_samples[name]
            line += f"{median(runs, 'cpu'):9.{0 if args.calls else 1}f}{median(runs, 'wall'):9.1f}"
            line += f"{runs[-1]['queries']:8d}{runs[-1]['bytes'] / 1024:6.0f}"
        if args.against:
            line += f"{median(samples[0][name], 'cpu') / median(samples[1][name], 'cpu'):6.1f}×"
        print(line)


if __name__ == "__main__":
    main()
