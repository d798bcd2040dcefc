"""Evaluation sheets of a measure and of a project: the print page and its PDF.

Like every public page they ask ``VisibleContentMixin.visible()``: citizens see
published content, signed-in staff also drafts (marked, and never cached).
"""

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from projects import printing
from projects.sheets import Sheet, measure_sheet, project_sheet
from projects.site_views import PlanContentMixin
from projects.tasks import PdfState


class SheetMixin(PlanContentMixin):
    """The print page's context of a sheet; subclasses load the sheet the URL names
    (``load_sheet``) and know its page and PDF addresses."""

    def sheet_context(self, sheet: Sheet) -> dict:
        return {
            "sheet": sheet,
            "plan": sheet.plan,
            "sheet_name": self.sheet_name,
            "page_url": self.page_url(sheet),
            "pdf_url": self.pdf_url(sheet),
            "for_pdf": False,
            "is_preview": self.is_preview,
            "printed_on": timezone.localdate(),
        }


class MeasureSheetMixin(SheetMixin):
    sheet_name = _("施策評価シート")

    def load_sheet(self) -> Sheet:
        plan = self.visible_plan(self.kwargs["slug"])
        nodes = self.visible(plan.nodes.select_related("plan", "level_label"))
        return measure_sheet(get_object_or_404(nodes, pk=self.kwargs["pk"]), self.visible)

    def page_url(self, sheet):
        return sheet.node.get_absolute_url()

    def pdf_url(self, sheet):
        return reverse("policies:node_sheet_pdf", args=[sheet.plan.slug, sheet.node.pk])


class ProjectSheetMixin(SheetMixin):
    sheet_name = _("事務事業評価シート")

    def load_sheet(self) -> Sheet:
        plan = self.visible_plan(self.kwargs["slug"])
        projects = self.visible(
            plan.projects.select_related("plan", "home_node", "bureau", "division")
        ).prefetch_related("targets", "target_revisions")
        return project_sheet(get_object_or_404(projects, pk=self.kwargs["pk"]), self.visible)

    def page_url(self, sheet):
        return sheet.project.get_absolute_url()

    def pdf_url(self, sheet):
        return reverse("projects:project_sheet_pdf", args=[sheet.plan.slug, sheet.project.pk])


class SheetPrintView(TemplateView):
    template_name = "projects/evaluation_sheet.html"

    def get_context_data(self, **kwargs):
        return self.sheet_context(self.load_sheet())


class SheetPdfView(View):
    def get(self, request, **kwargs):
        sheet = self.load_sheet()
        try:
            pdf = printing.sheet_pdf(
                sheet,
                self.sheet_context(sheet),
                preview=self.is_preview,
                base_url=request.build_absolute_uri("/"),
            )
        except printing.JapaneseFontMissing:
            context = {
                "plan": sheet.plan,
                "section_title": f"{self.sheet_name} {sheet.title}",
                "print_url": request.path.removesuffix(".pdf") + "/",  # the sheet's page
                "state": PdfState.NO_FONT.value,
                "trail": [{"label": "PDF"}],
            }
            return TemplateResponse(request, "policies/pdf_pending.html", context, status=503)
        response = HttpResponse(pdf, content_type="application/pdf")
        response["Content-Disposition"] = content_disposition_header(
            False, f"{sheet.file_stem()}.pdf"
        )
        return response


class MeasureSheetView(MeasureSheetMixin, SheetPrintView):
    """A measure's evaluation sheet (施策評価シート) as a print page."""


class MeasureSheetPdfView(MeasureSheetMixin, SheetPdfView):
    """A measure's evaluation sheet as a PDF."""


class ProjectSheetView(ProjectSheetMixin, SheetPrintView):
    """A project's evaluation sheet (事務事業評価シート) as a print page."""


class ProjectSheetPdfView(ProjectSheetMixin, SheetPdfView):
    """A project's evaluation sheet as a PDF."""
