"""Jobs of evaluation rounds for the task queue (``planportal.task_queue``); named for
staff in ``RoundsConfig.ready``."""

from django_tasks import task

from rounds.reminders import send_reminders


@task()
def send_round_reminders(base_url: str = "") -> int:
    """Mail the reminders that are due; how many mails went out. A failed run (the
    mail server refused) is shown to staff as a failed job and sends, next time,
    what it did not send: each reminder is recorded only with its mail."""
    return send_reminders(base_url=base_url)
