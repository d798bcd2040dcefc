"""Delete the names and e-mail addresses of comments whose period has closed."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from consultations.models import Comment, CommentPeriod
from consultations.services.shredder import PeriodNotClosedError, personal_data_purge


class Command(BaseCommand):
    help = (
        "Blank the name and e-mail address of every comment of closed comment periods "
        "(all of them, or those given with --period). Comments themselves stay."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--period",
            type=int,
            action="append",
            dest="periods",
            metavar="ID",
            help="only this comment period (repeatable); it must have closed",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="only report what would be deleted"
        )

    def handle(self, *args, periods=None, dry_run=False, **options):
        if periods:
            chosen = list(CommentPeriod.objects.filter(pk__in=periods))
            missing = set(periods) - {period.pk for period in chosen}
            if missing:
                raise CommandError(f"No comment period with id {', '.join(map(str, missing))}.")
            still_open = [p for p in chosen if not p.has_closed()]
            if still_open:
                raise CommandError(
                    "Not closed yet, personal data still needed: "
                    + ", ".join(f"{p.pk} {p.title}" for p in still_open)
                )
        else:
            chosen = list(CommentPeriod.objects.filter(closes_at__lte=timezone.now()))
        total = 0
        for period in chosen:
            if dry_run:
                count = Comment.objects.filter(period=period).with_personal_data().count()
            else:
                try:
                    count = personal_data_purge(period=period)
                except PeriodNotClosedError as error:  # staff reopened it since the check
                    raise CommandError(str(error)) from error
            total += count
            self.stdout.write(f"{period.pk} {period.title}: {count}")
        verb = "would be purged" if dry_run else "purged"
        self.stdout.write(self.style.SUCCESS(f"Personal data of {total} comments {verb}."))
