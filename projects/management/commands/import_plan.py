"""``python manage.py import_plan FILE --plan SLUG [--under NODE] [--dry-run] [--publish]``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from policies.models import Plan
from projects.plan_import import PlanImportError, check_size, find_node, import_plan


class Command(BaseCommand):
    help = (
        "Import project tables into a plan: the portal's own CSV/Excel layout, or the "
        "published plan's tab-separated tables (then --under names the measure). All or "
        "nothing: any problem rejects the whole file and exits with status 1."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv, .tsv, .txt or .xlsx file")
        parser.add_argument("--plan", required=True, help="the plan's slug")
        parser.add_argument(
            "--under",
            help="the node the rows belong under: its printed code, its exact title where "
            "the plan prints no code, or its path (Ⅶ > Ⅶ-1 > …)",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        parser.add_argument(
            "--publish", action="store_true", help="publish new projects (default: drafts)"
        )

    def handle(self, *args, file, plan, under, dry_run, publish, **options):
        plan_obj = Plan.objects.filter(slug=plan).first()
        if plan_obj is None:
            raise CommandError(f"No plan with the slug {plan!r}.")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            check_size(path.name, path.stat().st_size)
            node = find_node(plan_obj, under, file_name=path.name) if under else None
            report = import_plan(
                plan=plan_obj,
                file_name=path.name,
                content=path.read_bytes(),
                under=node,
                dry_run=dry_run,
                publish=publish,
            )
        except PlanImportError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(error.problems)} problem(s): nothing was imported."
            ) from error
        prefix = "[dry run, nothing written] " if dry_run else ""
        self.stdout.write(
            f"{prefix}{report.file_name} ({report.file_format}): {report.rows} rows; "
            f"{len(report.created)} created, {len(report.updated)} updated, "
            f"{len(report.unchanged)} unchanged, {len(report.new_listings)} new listings."
        )
        for label, projects in (("created", report.created), ("updated", report.updated)):
            for project in projects:
                self.stdout.write(f"  {label}: {project.display_name}")
        for listing in report.new_listings:
            self.stdout.write(f"  listed: {listing.project.display_name} → {listing.node}")
        for bureau in report.new_bureaus:
            self.stdout.write(f"  new bureau: {bureau.name}")
        for division in report.new_divisions:
            self.stdout.write(f"  new section: {division.bureau.name} {division.name}")
