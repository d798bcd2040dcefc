"""Jobs for the task queue (``planportal.task_queue``), run by ``manage.py db_worker``,
and how a web request asks for one: PDFs are never built in the web worker, and
big imports run there too."""

import enum
from dataclasses import asdict

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django_tasks import TaskResultStatus, task

from planportal import task_queue
from planportal.fonts import japanese_font_installed
from projects import printing, sheet_book
from projects.models import ImportJob
from projects.plan_import import PlanImportError, import_plan


@task()
def build_section_pdf(job: dict, key: str, client: str) -> int:
    """Build and cache a section's PDF; its size in bytes (0: it was already cached).

    ``key`` (the PDF's cache key when it was asked for) and ``client`` (who asked)
    are stored with the job so that web requests find it: one job per PDF, a few
    per client.
    """
    pdf_job = printing.PdfJob(**job)
    if printing.cached_pdf(pdf_job) is not None:
        return 0
    return len(printing.build_pdf(pdf_job))


task_queue.describe(build_section_pdf, _("PDFの作成"))


@task()
def run_plan_import(job_id: int) -> dict:
    """Run a confirmed import (``ImportJob``); what it did, or the problems that refused it.

    The outcome is stored in the import's own transaction, so a job run again
    after its worker died (``task_queue.requeue_orphaned``) imports at most once.
    """
    job = ImportJob.objects.select_related("plan", "user", "under").get(pk=job_id)
    if job.outcome is not None:
        return job.outcome
    try:
        with transaction.atomic():
            report = import_plan(
                plan=job.plan,
                file_name=job.file_name,
                content=bytes(job.content),
                under=job.under,
                publish=job.publish,
                user=job.user,
                overwrite_newer=job.overwrite_newer,
                seen_versions={int(pk): version for pk, version in job.seen_versions.items()},
            )
            job.finish(report.counts())
    except PlanImportError as error:
        job.finish({"problems": [str(problem) for problem in error.problems]})
    return job.outcome


task_queue.describe(run_plan_import, _("事業の表の取り込み"))


class JobState(enum.Enum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"  # the job's outcome says what was imported, or why not
    FAILED = "failed"  # it crashed or its workers died: the error is given


def import_state(job: ImportJob) -> tuple[JobState, str]:
    """Where a queued import stands, with the error of a failed one."""
    if job.outcome is not None:
        return JobState.DONE, ""
    result = task_queue.latest(task_queue.results_of(run_plan_import, job_id=job.pk))
    if result is None or result.status == TaskResultStatus.READY:
        return JobState.QUEUED, ""
    if result.status == TaskResultStatus.FAILED:
        return JobState.FAILED, task_queue.error_of(result)
    return JobState.RUNNING, ""


@task()
def build_sheet_book_pdf(job: dict, key: str, client: str) -> int:
    """Bind and cache a book of evaluation sheets (``projects.sheet_book``), like
    ``build_section_pdf``."""
    book_job = sheet_book.SheetBookJob(**job)
    if printing.cached_pdf(book_job) is not None:
        return 0
    return len(sheet_book.build_book_pdf(book_job))


task_queue.describe(build_sheet_book_pdf, _("評価シート集のPDFの作成"))


class PdfState(enum.Enum):
    READY = "ready"  # here it is
    QUEUED = "queued"  # being built, come back
    CLIENT_BUSY = "client busy"  # this client has enough builds waiting
    FAILED = "failed"  # every attempt failed: staff see why in the admin
    NO_FONT = "no font"  # the server lacks the Japanese font: no build is queued


def pdf_for(job, *, client: str, build=build_section_pdf) -> tuple[PdfState, bytes | None]:
    """The PDF from the cache, or its build queued for ``client`` (a key naming who asks).

    ``job`` is a ``printing.PdfJob`` built by ``build_section_pdf`` or a
    ``sheet_book.SheetBookJob`` built by ``build_sheet_book_pdf``."""
    pdf = printing.cached_pdf(job)
    if pdf is not None:
        return PdfState.READY, pdf
    if not japanese_font_installed():
        return PdfState.NO_FONT, None
    key = job.cache_key()
    builds = task_queue.results_of(build, key=key)
    if builds.filter(status=TaskResultStatus.FAILED).count() >= settings.TASK_MAX_ATTEMPTS:
        return PdfState.FAILED, None
    if task_queue.pending(builds).exists():  # a dead worker's build: the sweep requeues it
        return PdfState.QUEUED, None
    waiting = task_queue.results_of(build, client=client)
    if task_queue.pending(waiting).count() >= settings.PDF_QUEUE_PER_CLIENT:
        return PdfState.CLIENT_BUSY, None
    build.enqueue(job=asdict(job), key=key, client=client)
    pdf = printing.cached_pdf(job)  # built already when the queue runs jobs at once (tests)
    return (PdfState.READY, pdf) if pdf is not None else (PdfState.QUEUED, None)
