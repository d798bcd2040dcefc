"""Write a whole-site backup (see policies/backup.py and the README)."""

from django.core.management.base import BaseCommand

from policies.backup import dump_site


class Command(BaseCommand):
    help = "Back up plan content, history, staff accounts and the admin log to a JSON file."

    def add_arguments(self, parser):
        parser.add_argument("path", help="e.g. backup-2026-04-01.json.gz")

    def handle(self, *args, path, **options):
        dump_site(path)
        self.stdout.write(self.style.SUCCESS(f"Backed up to {path}."))
