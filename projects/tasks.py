"""Jobs for the task queue (``planportal.task_queue``): run by ``manage.py db_worker``."""

from django_tasks import task

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
