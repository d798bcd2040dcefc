"""Restore a whole-site backup into an empty, freshly migrated database."""

from django.core.management.base import BaseCommand, CommandError

from policies.backup import RestoreError, restore_site


class Command(BaseCommand):
    help = (
        "Load a backup written by backup_site into an empty database "
        "(run migrate first); checks the plan trees afterwards."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        try:
            plans = restore_site(path)
        except RestoreError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(self.style.SUCCESS(f"Restored {plans} plan(s) from {path}."))
