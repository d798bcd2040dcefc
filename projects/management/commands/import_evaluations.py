"""``python manage.py import_evaluations FILE --plan SLUG [--dry-run]`` and
``python manage.py import_evaluations --export FILE --plan SLUG``."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from policies.models import Plan
from projects import evaluation_exchange
from projects.plan_import import PlanImportError, check_size


class Command(BaseCommand):
    help = (
        "Import a plan's evaluation values from the portal's CSV/Excel layout (see the "
        "README), all or nothing: any problem rejects the whole file and exits with status "
        "1; importing the same file again changes nothing. With --export, write the plan's "
        "values in that layout instead (.csv or .xlsx by the file's name)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="a .csv or .xlsx file")
        parser.add_argument("--plan", required=True, help="the plan's slug")
        parser.add_argument(
            "--dry-run", action="store_true", help="check and report, write nothing"
        )
        parser.add_argument("--export", action="store_true", help="write the plan's values to FILE")

    def handle(self, *args, file, plan, dry_run, export, **options):
        plan_obj = Plan.objects.filter(slug=plan).first()
        if plan_obj is None:
            raise CommandError(f"No plan with the slug {plan!r}.")
        path = Path(file)
        if export:
            writer = (
                evaluation_exchange.to_xlsx
                if path.suffix.lower() == ".xlsx"
                else evaluation_exchange.to_csv
            )
            path.write_bytes(writer(plan_obj))
            self.stdout.write(f"{path}: the evaluation values of {plan_obj.slug}.")
            return
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            check_size(path.name, path.stat().st_size)
            report = evaluation_exchange.import_evaluations(
                plan_obj, path.name, path.read_bytes(), dry_run=dry_run
            )
        except PlanImportError as error:
            for problem in error.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                f"{len(error.problems)} problem(s): nothing was imported."
            ) from error
        prefix = "[dry run, nothing written] " if dry_run else ""
        self.stdout.write(
            f"{prefix}{report.file_name}: {report.rows} rows; {len(report.created)} created, "
            f"{len(report.changed)} changed, {len(report.deleted)} deleted, "
            f"{report.unchanged} unchanged."
        )
