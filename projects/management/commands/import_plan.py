"""``python manage.py import_plan FILE --plan SLUG [--under NODE] [--dry-run] [--publish]
[--overwrite-newer]``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from policies.models import Plan
from projects.plan_import import PlanImportError, check_size, find_node, import_plan


class Command(BaseCommand):
    help = (
        "Import project tables into a plan: the portal's own CSV/Excel/JSON layout, or the "
        "published plan's tab-separated tables (then --under names the measure). All or "
        "nothing: any problem rejects the whole file and exits with status 1. A project "
        "changed since the file was exported is refused unless --overwrite-newer."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv, .tsv, .txt, .xlsx or .json file")
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
        parser.add_argument(
            "--overwrite-newer",
            action="store_true",
            help="also overwrite projects changed after the file was exported (see --dry-run)",
        )

    def handle(self, *args, file, plan, under, dry_run, publish, overwrite_newer, **options):
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
                overwrite_newer=overwrite_newer,
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
        for project in report.created:
            self.stdout.write(f"  created: {project.display_name}")
        for change in report.changed:
            self.stdout.write(f"  updated: {change.project.display_name}")
            for difference in change.differences:
                old = _one_line(difference.old) or "(none)"
                new = (
                    "(deleted)" if difference.is_deletion else _one_line(difference.new) or "(none)"
                )
                self.stdout.write(f"      {difference.label}: {old} → {new}")
        for listing in report.new_listings:
            relisted = " (再掲)" if listing.is_relisting else ""
            self.stdout.write(
                f"  listed: {listing.project.display_name} → {listing.node}{relisted}"
            )
        for change in report.home_moves:
            self.stdout.write(
                f"  home moves: {change.project.display_name}: {change.moved_from} → "
                f"{change.fields['home_node']}"
            )
        for bureau in report.new_bureaus:
            self.stdout.write(f"  new bureau: {bureau.name}")
        for division in report.new_divisions:
            self.stdout.write(f"  new section: {division.bureau.name} {division.name}")
        state = "overwritten" if overwrite_newer else "refused without --overwrite-newer"
        for stale in report.stale:
            self.stderr.write(f"  changed since the export ({state}): {stale.message()}")


def _one_line(text: str) -> str:
    return " / ".join(text.splitlines())
