"""Load the demo data: every seed plan, published, and a comment period on the 003 draft.

It lives in the topmost app because the demo spans them all (see the README's layout).
"""

from django.core.management.base import BaseCommand
from django.utils import timezone

from consultations.demo import demo_period_ensure
from projects.seeds import load_demo


class Command(BaseCommand):
    help = (
        "Load the five seed documents (fixtures/seeds/) as published demo plans. "
        "Running it again changes nothing; it restores seed values staff may have edited. "
        "Opens a demonstration comment period on the seed-003 draft for 30 days, unless one "
        "is open already."
    )

    def handle(self, *args, **options):
        for plan in load_demo():
            self.stdout.write(
                f"{plan.slug}: {plan.title} — {plan.nodes.count()} nodes, "
                f"{plan.projects.count()} projects"
            )
        period, created = demo_period_ensure()
        opens, closes = timezone.localtime(period.opens_at), timezone.localtime(period.closes_at)
        self.stdout.write(
            f"{'Opened' if created else 'Kept'} the demonstration comment period "
            f"{opens:%Y-%m-%d %H:%M} – {closes:%Y-%m-%d %H:%M} ({opens:%Z}): "
            f"{period.get_absolute_url()}"
        )
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
