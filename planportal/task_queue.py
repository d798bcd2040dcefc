"""The task queue: jobs run by ``manage.py db_worker`` on any host that reaches the database.

Jobs are enqueued with the tasks API (``django_tasks``; Django 6.0's
``django.tasks`` once the project moves to it) and stored by its database
backend (``django_tasks_db``), so a web host and a worker host share nothing
but the database. Finished and failed jobs stay in the table; staff read a
failed job's error in the admin (タスク結果).

The database backend does not notice a worker that died mid-job (killed, out of
memory, its machine gone): the job would stay "running" forever. Here such a
job is *orphaned* once it has run longer than ``TASK_CLAIM_TIMEOUT`` seconds,
or at once when the worker that claimed it ran on this host and its process is
gone (worker ids are ``host:pid``, see ``worker_id``). ``requeue_orphaned``
(run by ``manage.py sweep_tasks``, from cron or in a loop beside the worker)
puts orphaned jobs back in the queue, up to ``TASK_MAX_ATTEMPTS`` attempts,
then marks them failed with the reason. Jobs must therefore be idempotent.
"""

from __future__ import annotations

import os
import socket
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

PENDING = (TaskResultStatus.READY, TaskResultStatus.RUNNING)


class OrphanedTaskError(Exception):
    """The job's worker died (or hung) too many times while running it."""


_descriptions: dict[str, object] = {}


def describe(task, description) -> None:
    """Name ``task``'s jobs for staff (the admin's task list), e.g. _("PDFの作成")."""
    _descriptions[task.module_path] = description


def description(task_path: str):
    return _descriptions.get(task_path, task_path.rpartition(".")[2])


def worker_id() -> str:
    """This process's id for ``db_worker --worker-id``: its host and pid."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def results_of(task, **kwargs):
    """The stored results of ``task`` enqueued with these keyword arguments (JSON lookups)."""
    lookups = {f"args_kwargs__kwargs__{name}": value for name, value in kwargs.items()}
    return DBTaskResult.objects.filter(task_path=task.module_path, **lookups)


def pending(queryset):
    return queryset.filter(status__in=PENDING)


def latest(queryset) -> DBTaskResult | None:
    """The job enqueued last of ``queryset`` (e.g. ``results_of``), None if there is none."""
    return queryset.order_by("-enqueued_at").first()


def error_of(result: DBTaskResult) -> str:
    """A failed job's error as staff read it: the exception's last line."""
    lines = [line for line in result.traceback.splitlines() if line.strip()]
    return lines[-1] if lines else result.exception_class_path


def _worker_is_gone(claimed_by: str) -> bool:
    host, _, pid = claimed_by.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False  # another host's worker: only the claim timeout tells
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def requeue_orphaned() -> int:
    """Put jobs whose worker died back in the queue (or fail them after too many
    attempts); how many were requeued."""
    timed_out = timezone.now() - timedelta(seconds=settings.TASK_CLAIM_TIMEOUT)
    requeued = 0
    with transaction.atomic():
        running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING)
        for result in running.select_for_update(skip_locked=True):
            claimed_by = result.worker_ids[-1] if result.worker_ids else ""
            if result.started_at > timed_out and not _worker_is_gone(claimed_by):
                continue
            if len(result.worker_ids) >= settings.TASK_MAX_ATTEMPTS:
                result.set_failed(
                    OrphanedTaskError(
                        f"{len(result.worker_ids)} attempts, the last by {claimed_by}, "
                        "ended without a result (worker killed, out of memory or timed out)"
                    )
                )
                continue
            result.status = TaskResultStatus.READY
            result.save(update_fields=["status"])
            requeued += 1
    return requeued
