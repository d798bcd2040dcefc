"""The task queue: PDFs are built by a worker, never in the web request; one job per
PDF, a few per client; a job whose worker died runs again; failures reach staff."""

import subprocess
import sys
from dataclasses import asdict
from datetime import timedelta
from io import StringIO
from unittest import mock

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from planportal import task_queue
from policies.models import Plan, PolicyNode
from projects import printing
from projects.models import Project
from projects.tasks import build_section_pdf
from tests.test_printing import compact, pdf_text


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASK_CLAIM_TIMEOUT, settings.TASK_MAX_ATTEMPTS = 600, 3


@pytest.fixture
def plan(db):
    return Plan.objects.get(slug="kawasaki-2011")


def node_pdf_url(plan, node):
    return reverse("policies:node_pdf", args=[plan.slug, node.pk])


def run_worker():
    """What ``manage.py db_worker`` does on a worker host, until the queue is empty.

    The worker closes "old" connections between jobs; inside a test's transaction
    that would close the test's own connection (PostgreSQL), so, as Django's test
    client does with the request signals, the test keeps it open.
    """
    with mock.patch("django_tasks_db.management.commands.db_worker.close_old_connections"):
        call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)


def claim(result, worker, *, seconds_ago=0):
    """Leave ``result`` as a worker that started it ``seconds_ago`` and died leaves it."""
    result.claim(worker)
    DBTaskResult.objects.filter(pk=result.pk).update(
        started_at=timezone.now() - timedelta(seconds=seconds_ago)
    )


def test_a_pdf_is_queued_once_built_by_the_worker_then_served(client, plan):
    measure = PolicyNode.objects.get(plan=plan, code="Ⅶ-1-(1)")
    url = node_pdf_url(plan, measure)
    first = client.get(url)
    assert first.status_code == 202 and first["Retry-After"]
    assert "PDFを作成しています" in first.content.decode()
    assert client.get(url).status_code == 202  # the same job, not a second one
    job = DBTaskResult.objects.get()
    assert job.status == TaskResultStatus.READY
    assert job.task_path == build_section_pdf.module_path

    run_worker()

    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL and job.return_value > 0
    response = client.get(url)
    assert response.status_code == 200
    project = Project.objects.under(measure).first()
    assert compact(project.name) in compact(pdf_text(response.content)[1])
    assert DBTaskResult.objects.count() == 1


def test_each_client_may_have_only_a_few_builds_waiting(client, plan, settings):
    settings.PDF_QUEUE_PER_CLIENT = 2
    nodes = list(PolicyNode.objects.filter(plan=plan, listings__isnull=False).distinct()[:3])
    statuses = [client.get(node_pdf_url(plan, node)).status_code for node in nodes]
    assert statuses == [202, 202, 429]
    assert DBTaskResult.objects.count() == 2
    another = client.get(node_pdf_url(plan, nodes[2]), REMOTE_ADDR="198.51.100.20")
    assert another.status_code == 202
    run_worker()
    assert client.get(node_pdf_url(plan, nodes[2])).status_code == 200


def test_a_job_whose_worker_stopped_answering_is_run_again(client, plan):
    node = PolicyNode.objects.get(plan=plan, code="Ⅶ-1-(1)")
    url = node_pdf_url(plan, node)
    client.get(url)
    result = DBTaskResult.objects.get()
    claim(result, "another-host:4242", seconds_ago=601)  # past TASK_CLAIM_TIMEOUT

    assert client.get(url).status_code == 202  # still being built, as far as a visitor knows
    result.refresh_from_db()
    assert result.status == TaskResultStatus.RUNNING  # a PDF request only reads and enqueues
    call_command("sweep_tasks", stdout=StringIO())  # cron or the worker's loop
    result.refresh_from_db()
    assert result.status == TaskResultStatus.READY
    run_worker()
    result.refresh_from_db()
    assert result.status == TaskResultStatus.SUCCESSFUL
    assert result.worker_ids[0] == "another-host:4242" and len(result.worker_ids) == 2
    assert client.get(url).status_code == 200


def test_a_job_of_a_dead_worker_on_this_host_is_run_again_at_once(plan):
    job = printing.PdfJob(plan.pk, None, False, "ja", "http://testserver/", plan.slug)
    build_section_pdf.enqueue(job=asdict(job), key="k", client="c")
    result = DBTaskResult.objects.get()
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    host = task_queue.worker_id().rpartition(":")[0]
    claim(result, f"{host}:{gone}")
    alive = task_queue.worker_id()  # this process

    assert task_queue.requeue_orphaned() == 1
    result.refresh_from_db()
    assert result.status == TaskResultStatus.READY
    claim(result, alive)
    assert task_queue.requeue_orphaned() == 0  # running, recently, in a live process


def test_after_too_many_attempts_the_job_fails_and_staff_see_why(plan, admin_client):
    job = printing.PdfJob(plan.pk, None, False, "ja", "http://testserver/", plan.slug)
    build_section_pdf.enqueue(job=asdict(job), key="k", client="c")
    result = DBTaskResult.objects.get()
    for attempt in range(3):
        claim(result, f"lost-host:{attempt}", seconds_ago=601)
        task_queue.requeue_orphaned()
        result.refresh_from_db()
    assert result.status == TaskResultStatus.FAILED
    assert "OrphanedTaskError" in result.traceback
    assert "3 attempts" in result.traceback

    url = reverse("admin:django_tasks_database_dbtaskresult_change", args=[result.pk])
    assert "OrphanedTaskError" in admin_client.get(url).content.decode()


def test_a_failing_build_records_its_error_and_stops_being_retried(client, plan, admin_client):
    node = PolicyNode.objects.get(plan=plan, code="Ⅶ-1-(1)")
    url = node_pdf_url(plan, node)
    for _ in range(3):
        assert client.get(url).status_code == 202
        # What a broken build does: the job points at a section that is not there.
        DBTaskResult.objects.filter(status=TaskResultStatus.READY).update(
            args_kwargs=_with_node(DBTaskResult.objects.get(status="READY"), 10**9)
        )
        run_worker()
    failed = DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
    assert failed.count() == 3
    assert "DoesNotExist" in failed.first().traceback

    response = client.get(url)
    assert response.status_code == 503
    assert "PDFを作成できませんでした" in response.content.decode()
    changelist = reverse("admin:django_tasks_database_dbtaskresult_changelist") + "?status=FAILED"
    assert "PDFの作成" in admin_client.get(changelist).content.decode()  # the job, named


def _with_node(result, node_id):
    args_kwargs = result.args_kwargs
    args_kwargs["kwargs"]["job"]["node_id"] = node_id
    return args_kwargs
