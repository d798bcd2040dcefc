"""Long jobs on the task queue: a big admin import runs in the worker and its page
shows where it stands; reminders are mailed by a job; the sweep requeues the jobs
of dead workers; the task admin speaks Japanese (and English)."""

from io import StringIO

import pytest
from django.apps import apps
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from planportal import task_queue
from planportal.permissions import REVIEWERS
from planportal.task_admin import STATUS_LABELS, TaskResultAdmin
from policies.models import Plan
from projects.models import ImportJob, Project
from projects.tasks import run_plan_import
from rounds.models import Reminder
from tests.exchange import plan_snapshot
from tests.test_admin_import import exported_csv, import_url
from tests.test_task_queue import claim, run_worker

EDIT = ("第3期自治推進委員会の発足".encode(), "第5期自治推進委員会の発足".encode())


@pytest.fixture(autouse=True)
def database_queue(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    settings.TASK_CLAIM_TIMEOUT, settings.TASK_MAX_ATTEMPTS = 600, 3
    settings.IMPORT_QUEUE_ROWS = 10  # the demo plan's export has more


@pytest.fixture
def plan(db):
    return Plan.objects.get(slug="kawasaki-2011")


def confirm_big_import(admin_client, plan, content):
    preview = admin_client.post(import_url(plan), {"file": SimpleUploadedFile("p.csv", content)})
    assert preview.context["report"].rows > 10
    done = admin_client.post(import_url(plan), {"token": preview.context["token"]})
    assert done.status_code == 302
    job = ImportJob.objects.get()
    assert done["Location"] == reverse("admin:policies_plan_import_job", args=[plan.pk, job.pk])
    return job, done["Location"]


def baseline(plan):
    return Project.objects.get(plan=plan, name="自治拡充推進事業").baseline


def test_a_big_import_is_queued_run_by_the_worker_and_its_state_shown(admin_client, plan):
    before = plan_snapshot(plan)
    job, url = confirm_big_import(admin_client, plan, exported_csv(plan, EDIT))
    queued = admin_client.get(url)
    assert queued.context["state"] == "queued" and "順番を待っています" in queued.content.decode()
    assert '<meta http-equiv="refresh"' in queued.content.decode()
    assert plan_snapshot(plan) == before  # nothing written in the request

    run_worker()

    done = admin_client.get(url).content.decode()
    assert "取り込みが終わりました" in done and "更新 1 件" in done
    assert 'http-equiv="refresh"' not in done
    assert url in admin_client.get(import_url(plan)).content.decode()  # listed on the import page
    assert baseline(plan).startswith("第5期自治推進委員会の発足")
    job.refresh_from_db()
    assert job.outcome["updated"] == 1 and bytes(job.content) == b""  # the file is dropped
    result = DBTaskResult.objects.get()
    assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == job.outcome


def test_a_job_run_again_after_its_import_committed_imports_nothing_more(admin_client, plan):
    job, _url = confirm_big_import(admin_client, plan, exported_csv(plan, EDIT))
    run_worker()
    after = plan_snapshot(plan)
    job.refresh_from_db()
    assert run_plan_import.call(job_id=job.pk) == job.outcome  # e.g. its worker died after
    assert plan_snapshot(plan) == after


def test_a_queued_import_refused_when_it_runs_shows_the_problems(admin_client, plan, superuser):
    job, url = confirm_big_import(admin_client, plan, exported_csv(plan, EDIT))
    project = Project.objects.get(plan=plan, name="自治拡充推進事業")
    project.baseline = "その間に書き直された現状"
    project.save()  # after the preview, before the worker
    run_worker()
    html = admin_client.get(url).content.decode()
    assert "問題があったため、何も取り込みませんでした" in html
    assert "書き出した後に変更されています" in html
    assert baseline(plan) == "その間に書き直された現状"
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


def test_a_job_whose_workers_died_is_retried_then_failed_and_staff_see_why(admin_client, plan):
    before = plan_snapshot(plan)
    _job, url = confirm_big_import(admin_client, plan, exported_csv(plan, EDIT))
    result = DBTaskResult.objects.get()
    claim(result, "lost-host:1", seconds_ago=601)
    assert admin_client.get(url).context["state"] == "running"
    out = StringIO()
    call_command("sweep_tasks", stdout=out)
    assert out.getvalue() == "1 orphaned job(s) requeued.\n"
    result.refresh_from_db()
    assert result.status == TaskResultStatus.READY  # retried
    for attempt in (2, 3):
        claim(result, f"lost-host:{attempt}", seconds_ago=601)
        task_queue.requeue_orphaned()
        result.refresh_from_db()
    assert result.status == TaskResultStatus.FAILED
    page = admin_client.get(url)
    assert page.context["state"] == "failed"
    assert "失敗しました" in page.content.decode() and "3 attempts" in page.context["error"]
    assert plan_snapshot(plan) == before


def test_only_importers_of_the_plan_see_a_job(admin_client, client, plan, make_staff):
    _job, url = confirm_big_import(admin_client, plan, exported_csv(plan, EDIT))
    client.force_login(make_staff("reviewer", REVIEWERS))
    assert client.get(url).status_code == 403
    other = Plan.objects.exclude(pk=plan.pk).first()
    wrong_plan = url.replace(f"/{plan.pk}/import/", f"/{other.pk}/import/")
    assert admin_client.get(wrong_plan).status_code == 404


def test_a_small_import_still_runs_in_the_request(admin_client, plan, settings):
    settings.IMPORT_QUEUE_ROWS = 10_000
    preview = admin_client.post(
        import_url(plan), {"file": SimpleUploadedFile("p.csv", exported_csv(plan, EDIT))}
    )
    done = admin_client.post(import_url(plan), {"token": preview.context["token"]})
    assert done["Location"] == reverse("admin:policies_plan_change", args=[plan.pk])
    assert not ImportJob.objects.exists() and not DBTaskResult.objects.exists()
    assert baseline(plan).startswith("第5期自治推進委員会の発足")


def test_reminders_are_mailed_by_a_job(city_round, environment_editor):
    environment_editor.email = "env-editor@city.example.jp"
    environment_editor.save()
    out = StringIO()
    call_command("send_round_reminders", stdout=out)
    assert out.getvalue().startswith("Queued as job ")
    assert mail.outbox == [] and not Reminder.objects.exists()
    run_worker()
    assert [message.to for message in mail.outbox] == [["env-editor@city.example.jp"]]
    result = DBTaskResult.objects.get()
    assert result.status == TaskResultStatus.SUCCESSFUL and result.return_value == 1


def test_the_task_admin_speaks_japanese_and_english(admin_client, plan):
    confirm_big_import(admin_client, plan, exported_csv(plan, EDIT))
    url = reverse("admin:django_tasks_database_dbtaskresult_changelist")
    japanese = admin_client.get(url).content.decode()
    for label in ("タスクキュー", "タスク結果", "ジョブ", "状態", "待機中", "事業の表の取り込み"):
        assert label in japanese
    with translation.override("en"):  # the catalogue has them in English
        labels = [
            apps.get_app_config("django_tasks_database").verbose_name,
            DBTaskResult._meta.verbose_name_plural,
            TaskResultAdmin.job.short_description,
            TaskResultAdmin.state.short_description,
            STATUS_LABELS[TaskResultStatus.READY],
            task_queue.description(run_plan_import.module_path),
        ]
        assert [str(label) for label in labels] == [
            "Task queue",
            "Task results",
            "Job",
            "Status",
            "Waiting",
            "Import of project tables",
        ]


def test_an_import_of_many_changes_makes_the_cached_pages_stale_once(
    plan, django_capture_on_commit_callbacks, monkeypatch
):
    from planportal import caching
    from projects.plan_import import import_plan

    bumps = []
    bump = caching._bump
    monkeypatch.setattr(caching, "_bump", lambda keys: bumps.append(set(keys)) or bump(keys))
    content = exported_csv(plan).replace("→".encode(), "同上".encode())
    with django_capture_on_commit_callbacks(execute=True):
        report = import_plan(plan=plan, file_name="p.csv", content=content)
        assert bumps == []  # no save bumps on its own
    assert len(report.updated) >= 5  # several projects, many target cells
    assert bumps == [caching.plan_changed_keys(plan.slug)]  # the plan's, once, at commit
