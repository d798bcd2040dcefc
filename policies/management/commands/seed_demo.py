"""Load the demo data: every seed plan, published, idempotently."""

from django.core.management.base import BaseCommand

from policies.seeds import load_demo


class Command(BaseCommand):
    help = (
        "Load the five seed documents (fixtures/seeds/) as published demo plans. "
        "Running it again changes nothing; it restores seed values staff may have edited."
    )

    def handle(self, *args, **options):
        for plan in load_demo():
            self.stdout.write(
                f"{plan.slug}: {plan.title} — {plan.nodes.count()} nodes, "
                f"{plan.projects.count()} projects"
            )
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
