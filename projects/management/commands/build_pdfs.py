"""``python manage.py build_pdfs --base-url URL [--plan SLUG]``: build PDFs ahead of time."""

from django.core.management.base import BaseCommand, CommandError

from policies.models import Plan
from projects import printing


class Command(BaseCommand):
    help = (
        "Build and cache the PDF of every published plan (or of --plan) and of each of its "
        "top-level nodes, as citizens see them, so that no visitor waits for one. Run it "
        "after publishing, e.g. from cron; a PDF already cached for the current content is "
        "kept."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--base-url",
            required=True,
            help="the portal's public address, for the links in the PDFs (https://plans.example.jp/)",
        )
        parser.add_argument("--plan", help="only this plan's slug")
        parser.add_argument("--language", default="ja")

    def handle(self, *args, base_url, plan, language, **options):
        plans = Plan.objects.published()
        if plan:
            plans = plans.filter(slug=plan)
            if not plans.exists():
                raise CommandError(f"No published plan with the slug {plan!r}.")
        for each in plans:
            roots = each.nodes.published().filter(parent=None)
            for node_id in [None, *roots.values_list("pk", flat=True)]:
                job = printing.PdfJob(each.pk, node_id, False, language, base_url, each.slug)
                if printing.cached_pdf(job) is not None:
                    continue
                pdf = printing.build_pdf(job)
                where = f"node {node_id}" if node_id else "whole plan"
                self.stdout.write(f"{each.slug} ({where}): {len(pdf):,} bytes")
