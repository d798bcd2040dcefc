"""Jobs of evaluation rounds for the task queue (``planportal.task_queue``)."""

from django.utils.translation import gettext_lazy as _
from django_tasks import task

from planportal import task_queue
from rounds.reminders import send_reminders


@task()
def send_round_reminders(base_url: str = "") -> int:
    """Mail the reminders that are due; how many mails went out. A failed run (the
    mail server refused) is shown to staff as a failed job and sends, next time,
    what it did not send: each reminder is recorded only with its mail."""
    return send_reminders(base_url=base_url)


task_queue.describe(send_round_reminders, _("評価作業の督促メール"))
