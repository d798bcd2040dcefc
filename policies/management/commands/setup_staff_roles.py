"""Create the four staff groups with their permissions, or bring them back to the definition."""

from django.core.management.base import BaseCommand

from planportal.permissions import sync_role_groups


class Command(BaseCommand):
    help = (
        "Create or update the staff groups (plan administrators, bureau editors, "
        "ward editors, reviewers) with their model permissions. Idempotent."
    )

    def handle(self, *args, **options):
        for name, count in sync_role_groups().items():
            self.stdout.write(f"{name}: {count} permissions")
