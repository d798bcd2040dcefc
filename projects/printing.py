"""Printable sections: the print page and its PDF (A4, numbered pages, Japanese fonts).

The PDF is WeasyPrint's rendering of the print page with ``static/css/print.css``
(paged media: page size, page numbers, table headers repeated on each page);
the Japanese text is set in IPAex Gothic, embedded as a subset.

A section's PDF is cached under the content version (``planportal.caching``):
it is rebuilt only after content changes. No PDF is built in a web worker: a
request for one that is not cached queues a build (``projects.tasks``, run by
``manage.py db_worker`` on any host) and asks the visitor to come back. One job
per PDF; each client may have only ``PDF_QUEUE_PER_CLIENT`` builds waiting, so a
storm of PDF requests neither fills the queue nor slows the public pages.
``manage.py build_pdfs`` builds the published plans' PDFs ahead of time.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.http import quote_etag

from planportal.caching import content_version
from planportal.fonts import japanese_font_installed
from policies.models import Plan, PolicyNode
from projects.sections import Section, load_section

STYLESHEETS = ["css/site.css", "css/print.css"]
SHEET_STYLESHEETS = [*STYLESHEETS, "css/progress.css"]  # charts and result tables
PDF_TIMEOUT = 7 * 24 * 60 * 60  # stale versions age out; a new version is a new key


def _everything(queryset):
    return queryset


def _published(queryset):
    return queryset.published()


# --- the print page ------------------------------------------------------------


def print_context(section: Section, *, for_pdf: bool, is_preview: bool) -> dict:
    """Headings follow the tree: the section's node (or the plan title) is the h1."""
    top = 1 if section.node is not None else 2
    entries = [
        {
            "node": entry.node,
            "listings": entry.listings,
            "level": min(6, top + entry.depth),
            "projects_level": min(6, top + entry.depth + 1),
            "project_level": min(6, top + entry.depth + 2),
        }
        for entry in section.entries
    ]
    return {
        "plan": section.plan,
        "section": section,
        "entries": entries,
        "for_pdf": for_pdf,
        "is_preview": is_preview,
        "printed_on": timezone.localdate(),
        "updated_at": section.updated_at,
    }


def render_print_html(section: Section, *, for_pdf: bool, is_preview: bool, request=None) -> str:
    context = print_context(section, for_pdf=for_pdf, is_preview=is_preview)
    return render_to_string("policies/print_section.html", context, request=request)


# --- the PDF ---------------------------------------------------------------------


class JapaneseFontMissing(Exception):
    """No PDF without its Japanese font: every Japanese character would be an empty box."""


def require_japanese_font() -> None:
    if not japanese_font_installed():
        raise JapaneseFontMissing(settings.PDF_FONT_FILE)


def html_to_pdf(html: str, base_url: str, stylesheets: list[str] = STYLESHEETS) -> bytes:
    """Render with the print stylesheets; nothing is fetched from anywhere."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"PDF rendering fetches nothing: {url}")

    fetcher = NoFetching()
    styles = [CSS(filename=finders.find(path), url_fetcher=fetcher) for path in stylesheets]
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(stylesheets=styles)


@dataclass(frozen=True)
class PdfJob:
    """What to print for whom: a section, as citizens or as staff (drafts included)."""

    plan_id: int
    node_id: int | None
    preview: bool
    language: str
    base_url: str

    def cache_key(self, version: str) -> str:
        node = self.node_id or "plan"
        mode = "preview" if self.preview else "public"
        return f"pdf:{version}:{self.language}:{mode}:{self.plan_id}:{node}"

    @property
    def visible(self):
        return _everything if self.preview else _published

    def section(self) -> Section:
        plan = Plan.objects.select_related("municipality").get(pk=self.plan_id)
        node = PolicyNode.objects.get(pk=self.node_id) if self.node_id else None
        return load_section(plan, node, self.visible, with_texts=True)


def pdf_etag(job: PdfJob) -> str:
    """A validator of the PDF as built now: it changes with the content version."""
    return quote_etag(hashlib.sha256(job.cache_key(content_version()).encode()).hexdigest()[:32])


def cached_pdf(job: PdfJob) -> bytes | None:
    return cache.get(job.cache_key(content_version()))


def build_pdf(job: PdfJob) -> bytes:
    """Render the section's PDF now and cache it under the content version it was read at."""
    require_japanese_font()
    key = job.cache_key(content_version())
    with translation.override(job.language):
        html = render_print_html(job.section(), for_pdf=True, is_preview=job.preview)
    pdf = html_to_pdf(html, job.base_url)
    cache.set(key, pdf, PDF_TIMEOUT)
    return pdf


# --- evaluation sheets ---------------------------------------------------------------
# One measure or project: small enough to build during the request, cached like sections.


def sheet_pdf(sheet, context: dict, *, preview: bool, base_url: str) -> bytes:
    """The sheet's print page (``context``, rendered for the PDF) as a PDF, cached under
    the content version."""
    mode = "preview" if preview else "public"
    key = f"sheet-pdf:{content_version()}:{translation.get_language()}:{mode}:{sheet.file_stem()}"
    pdf = cache.get(key)
    if pdf is None:
        require_japanese_font()
        html = render_to_string("projects/evaluation_sheet.html", {**context, "for_pdf": True})
        pdf = html_to_pdf(html, base_url, SHEET_STYLESHEETS)
        cache.set(key, pdf, PDF_TIMEOUT)
    return pdf
