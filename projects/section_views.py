"""A section of a plan (a node with everything below it, or the whole plan) to print
or download: the print page, its PDF, and the open-data exports.

Like every public page they ask ``VisibleContentMixin.visible()``: citizens get
published content, signed-in staff also drafts.
"""

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import get_language
from django.views import View
from django.views.generic import TemplateView

from planportal.caching import mark_public
from planportal.clients import client_key
from projects import export, printing
from projects.sections import load_section
from projects.site_views import PlanContentMixin
from projects.tasks import PdfState, pdf_for

EXPORT_FORMATS = {
    # format: (writer, content type, file name suffix, download as attachment);
    # a writer answers bytes, or pieces of bytes to stream
    "csv": (export.csv_chunks, export.CSV_CONTENT_TYPE, ".csv", True),
    "xlsx": (export.to_xlsx, export.XLSX_CONTENT_TYPE, ".xlsx", True),
    "json": (export.to_json, export.JSON_CONTENT_TYPE, ".json", False),
    "tree": (export.to_tree_json, export.JSON_CONTENT_TYPE, "-tree.json", False),
}


# The status of the come-back page while a PDF is not ready.
PENDING_STATUS = {
    PdfState.QUEUED: 202,
    PdfState.CLIENT_BUSY: 429,
    PdfState.FAILED: 503,
    PdfState.NO_FONT: 503,
}


def pdf_pending(request, plan, state: PdfState, *, title: str, print_url: str):
    """The come-back page while a PDF is queued (or cannot be built): what it is, where
    to read it meanwhile, and when to ask again."""
    context = {
        "plan": plan,
        "section_title": title,
        "print_url": print_url,
        "state": state.value,
        "trail": [{"label": "PDF"}],
    }
    response = TemplateResponse(
        request, "policies/pdf_pending.html", context, status=PENDING_STATUS[state]
    )
    response["Retry-After"] = "30"
    return response


def pdf_download(pdf: bytes, stem: str) -> HttpResponse:
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{stem}.pdf")
    return response


class SectionMixin(PlanContentMixin):
    def plan_and_node(self):
        plan = self.visible_plan(self.kwargs["slug"])
        node = None
        if "pk" in self.kwargs:
            node = get_object_or_404(self.visible(plan.nodes.all()), pk=self.kwargs["pk"])
        return plan, node

    def print_url(self, plan, node) -> str:
        if node is None:
            return reverse("policies:plan_print", args=[plan.slug])
        return reverse("policies:node_print", args=[plan.slug, node.pk])


class SectionPrintView(SectionMixin, TemplateView):
    """The section as one printable page: headings with codes, texts, project tables."""

    template_name = "policies/print_section.html"

    def get_context_data(self, **kwargs):
        plan, node = self.plan_and_node()
        section = load_section(plan, node, self.visible, with_texts=True)
        return printing.print_context(section, for_pdf=False, is_preview=self.is_preview)


class SectionPdfView(SectionMixin, View):
    """The print page as a PDF once the task queue has built it; until then 202 and a
    come-back page (429 when this client already waits for several, 503 when the build
    keeps failing or the server lacks the Japanese font)."""

    def get(self, request, **kwargs):
        plan, node = self.plan_and_node()
        job = printing.PdfJob(
            plan_id=plan.pk,
            plan_slug=plan.slug,
            node_id=node.pk if node else None,
            preview=self.is_preview,
            language=get_language(),
            base_url=request.build_absolute_uri("/"),
        )
        state, pdf = pdf_for(job, client=client_key(request))
        if pdf is None:
            title = node.heading if node else plan.title
            return pdf_pending(
                request, plan, state, title=title, print_url=self.print_url(plan, node)
            )
        response = pdf_download(pdf, plan.slug + (f"-node-{node.pk}" if node else ""))
        if not job.preview:  # the published PDF: a front cache may keep it like a page
            mark_public(response, printing.pdf_etag(job), lifetime=None)
        return response


class SectionExportView(SectionMixin, View):
    """The section's project listings as CSV, Excel or JSON, or its tree as JSON."""

    def get(self, request, fmt, **kwargs):
        if fmt not in EXPORT_FORMATS:
            raise Http404
        writer, content_type, suffix, attachment = EXPORT_FORMATS[fmt]
        plan, node = self.plan_and_node()
        if fmt == "tree":
            section = load_section(plan, node, self.visible, with_texts=True)
        else:
            section = export.LayoutSection(plan, node, self.visible)
        body = writer(section)
        if isinstance(body, bytes):
            response = HttpResponse(body, content_type=content_type)
        else:
            response = StreamingHttpResponse(body, content_type=content_type)
        response["Content-Disposition"] = content_disposition_header(
            attachment, section.file_stem() + suffix
        )
        municipality = plan.municipality
        response["Link"] = f'<{municipality.data_licence_url}>; rel="license"'
        return response
