"""Check the plan trees' nested-set numbers against their parent links; repair them."""

from django.core.management.base import BaseCommand, CommandError

from policies import tree


class Command(BaseCommand):
    help = (
        "Check that every plan tree's MPTT numbers agree with its parent links. "
        "With --repair, rebuild the numbers (sibling order is kept). "
        "Exits with status 1 when problems remain."
    )

    def add_arguments(self, parser):
        parser.add_argument("--repair", action="store_true", help="rebuild broken trees")

    def handle(self, *args, repair=False, **options):
        problems = tree.check_trees()
        for problem in problems:
            self.stdout.write(f"problem: {problem}")
        if not problems:
            self.stdout.write(self.style.SUCCESS("All plan trees are consistent."))
            return
        if not repair:
            raise CommandError(f"{len(problems)} problem(s) found; run with --repair to rebuild.")
        tree.repair_trees()
        remaining = tree.check_trees()
        if remaining:
            raise CommandError(
                f"{len(remaining)} problem(s) remain after the rebuild; they need a person "
                "(e.g. a node whose parent belongs to another plan)."
            )
        self.stdout.write(self.style.SUCCESS(f"Repaired {len(problems)} problem(s)."))
