"""``python manage.py send_round_reminders [--base-url URL] [--now]``: mail the reminders
that are due, through the task queue."""

from django.core.management.base import BaseCommand
from django_tasks import TaskResultStatus

from rounds.reminders import send_reminders
from rounds.tasks import send_round_reminders


class Command(BaseCommand):
    help = (
        "Mail bureaus' editors the reminders of open evaluation rounds that are due: the "
        "opening, N days before the deadline (per round, default 7 and 1) and returned "
        "tasks. Queued as a job for the task-queue worker (its failures show in the admin's "
        "task results), or sent at once with --now. Each is sent once, so it is safe to "
        "run every hour (cron or a systemd timer)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default="",
            help="the portal's address, for the link to the tasks (https://plans.example.jp)",
        )
        parser.add_argument(
            "--now", action="store_true", help="send in this process, not through the queue"
        )

    def handle(self, *args, base_url, now, **options):
        if now:
            self.stdout.write(f"{send_reminders(base_url=base_url)} reminder(s) sent.")
            return
        result = send_round_reminders.enqueue(base_url=base_url)
        if result.status == TaskResultStatus.SUCCESSFUL:  # a queue that runs jobs at once
            self.stdout.write(f"{result.return_value} reminder(s) sent.")
        else:
            self.stdout.write(f"Queued as job {result.id}.")
