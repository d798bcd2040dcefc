"""Jobs for the task queue (``planportal.task_queue``), run by ``manage.py db_worker``,
and how a web request asks for one: never built in the web worker."""

import enum
from dataclasses import asdict

from django.conf import settings
from django_tasks import TaskResultStatus, task

from planportal import task_queue
from planportal.fonts import japanese_font_installed
from projects import printing


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


class PdfState(enum.Enum):
    READY = "ready"  # here it is
    QUEUED = "queued"  # being built, come back
    CLIENT_BUSY = "client busy"  # this client has enough builds waiting
    FAILED = "failed"  # every attempt failed: staff see why in the admin
    NO_FONT = "no font"  # the server lacks the Japanese font: no build is queued


def pdf_for(job: printing.PdfJob, *, client: str) -> tuple[PdfState, bytes | None]:
    """The PDF from the cache, or its build queued for ``client`` (a key naming who asks)."""
    pdf = printing.cached_pdf(job)
    if pdf is not None:
        return PdfState.READY, pdf
    if not japanese_font_installed():
        return PdfState.NO_FONT, None
    key = job.cache_key()
    builds = task_queue.results_of(build_section_pdf, key=key)
    if builds.filter(status=TaskResultStatus.FAILED).count() >= settings.TASK_MAX_ATTEMPTS:
        return PdfState.FAILED, None
    if task_queue.pending(builds).exists():
        task_queue.requeue_orphaned()  # in case its worker died: a visitor's return retries it
        return PdfState.QUEUED, None
    waiting = task_queue.results_of(build_section_pdf, client=client)
    if task_queue.pending(waiting).count() >= settings.PDF_QUEUE_PER_CLIENT:
        return PdfState.CLIENT_BUSY, None
    build_section_pdf.enqueue(job=asdict(job), key=key, client=client)
    pdf = printing.cached_pdf(job)  # built already when the queue runs jobs at once (tests)
    return (PdfState.READY, pdf) if pdf is not None else (PdfState.QUEUED, None)
