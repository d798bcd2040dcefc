"""``python manage.py send_round_reminders [--base-url URL]``: mail the reminders that are due."""

from django.core.management.base import BaseCommand

from rounds.reminders import send_reminders


class Command(BaseCommand):
    help = (
        "Mail bureaus' editors the reminders of open evaluation rounds that are due: the "
        "opening, N days before the deadline (per round, default 7 and 1) and returned "
        "tasks. Each is sent once, so it is safe to run every hour (cron or a systemd timer)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            default="",
            help="the portal's address, for the link to the tasks (https://plans.example.jp)",
        )

    def handle(self, *args, base_url, **options):
        count = send_reminders(base_url=base_url)
        self.stdout.write(f"{count} reminder(s) sent.")
