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
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView

from planportal.clients import client_key
from policies.models import Bureau, Plan, PolicyNode
from projects import printing, sheet_book
from projects.export import XLSX_CONTENT_TYPE
from projects.section_views import pdf_download, pdf_pending
from projects.sheet_book import SheetBookJob
from projects.sheets import Sheet, measure_sheet, project_sheet
from projects.site_views import PlanContentMixin
from projects.tasks import PdfState, build_sheet_book_pdf, pdf_for


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
            "book_url": self.book_url(sheet),
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

    def book_url(self, sheet):
        return reverse("policies:node_sheets_pdf", args=[sheet.plan.slug, sheet.node.pk])


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

    def book_url(self, sheet):
        return None  # a project's sheet is bound in its measure's and its bureau's books


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


# --- the bound books of sheets: a policy's or a bureau's ------------------------------


class SheetBookMixin(PlanContentMixin):
    """The plan and the policy (``pk``) or bureau (``bureau``) the URL names."""

    def subject(self) -> tuple[Plan, PolicyNode | None, Bureau | None]:
        plan = self.visible_plan(self.kwargs["slug"])
        if "pk" in self.kwargs:
            nodes = self.visible(plan.nodes.select_related("level_label"))
            return plan, get_object_or_404(nodes, pk=self.kwargs["pk"]), None
        bureaus = Bureau.objects.filter(municipality=plan.municipality_id)
        return plan, None, get_object_or_404(bureaus, pk=self.kwargs["bureau"])

    def job(self, plan, node, bureau) -> SheetBookJob:
        return SheetBookJob(
            plan_id=plan.pk,
            node_id=node.pk if node else None,
            bureau_id=bureau.pk if bureau else None,
            preview=self.is_preview,
            language=get_language(),
            base_url=self.request.build_absolute_uri("/"),
            plan_slug=plan.slug,
        )

    @staticmethod
    def file_stem(plan, node, bureau) -> str:
        subject = f"node-{node.pk}" if node else f"bureau-{bureau.pk}"
        return f"{plan.slug}-{subject}-sheets"


class SheetBookPdfView(SheetBookMixin, View):
    """All the sheets of a policy or a bureau bound as one PDF with a cover and contents,
    built by the task queue: until it is, 202 and a come-back page (like sections)."""

    def get(self, request, **kwargs):
        plan, node, bureau = self.subject()
        job = self.job(plan, node, bureau)
        state, pdf = pdf_for(job, client=client_key(request), build=build_sheet_book_pdf)
        if pdf is None:
            title = _("%(subject)sの評価シート") % {
                "subject": node.heading if node else bureau.name
            }
            print_url = (
                reverse("policies:node_sheet", args=[plan.slug, node.pk])
                if node
                else plan.get_absolute_url()
            )
            return pdf_pending(request, plan, state, title=title, print_url=print_url)
        return pdf_download(pdf, self.file_stem(plan, node, bureau))


class SheetBookExcelView(SheetBookMixin, View):
    """The same sheets as an Excel workbook, one worksheet per measure, for the council's
    secretariat."""

    def get(self, request, **kwargs):
        plan, node, bureau = self.subject()
        xlsx = sheet_book.book_xlsx(self.job(plan, node, bureau))
        response = HttpResponse(xlsx, content_type=XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = content_disposition_header(
            True, self.file_stem(plan, node, bureau) + ".xlsx"
        )
        return response
