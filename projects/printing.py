"""Printable sections: the print page and its PDF (A4, numbered pages, Japanese fonts).

The PDF is WeasyPrint's rendering of the print page with ``static/css/print.css``
(paged media: page size, page numbers, table headers repeated on each page);
the Japanese text is set in IPAex Gothic, embedded as a subset.

A section's PDF is cached under the content version (``planportal.caching``):
it is rebuilt only after content changes. A small section is built during the
request; a big one (a whole plan) is built in a background thread while the
visitor is asked to come back, so no request waits for it, and
``manage.py build_pdfs`` builds the published plans' PDFs ahead of time.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.db import connections
from django.template.loader import render_to_string
from django.utils import timezone, translation

from planportal.caching import content_version
from planportal.fonts import japanese_font_installed
from policies.models import Plan, PolicyNode
from projects.sections import Section, load_section, section_listing_count

logger = logging.getLogger(__name__)

STYLESHEETS = ["css/site.css", "css/print.css"]
PDF_TIMEOUT = 7 * 24 * 60 * 60  # stale versions age out; a new version is a new key
BUILD_TIMEOUT = 15 * 60  # a build that died frees its claim after this long


def inline_limit() -> int:
    """Sections with more project listings than this are built in the background."""
    return getattr(settings, "PDF_INLINE_MAX_LISTINGS", 150)


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


def html_to_pdf(html: str, base_url: str) -> bytes:
    """Render with the print stylesheets; nothing is fetched from anywhere."""
    from weasyprint import CSS, HTML
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"PDF rendering fetches nothing: {url}")

    fetcher = NoFetching()
    stylesheets = [CSS(filename=finders.find(path), url_fetcher=fetcher) for path in STYLESHEETS]
    return HTML(string=html, base_url=base_url, url_fetcher=fetcher).write_pdf(
        stylesheets=stylesheets
    )


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


def pdf_for(job: PdfJob, *, plan: Plan, node: PolicyNode | None) -> bytes | None:
    """The PDF, from the cache or built now; None while a background build runs."""
    pdf = cached_pdf(job)
    if pdf is not None:
        return pdf
    require_japanese_font()  # before a background build that could only fail
    if section_listing_count(plan, node, job.visible) <= inline_limit():
        return build_pdf(job)
    start_background_build(job)
    return None


# --- background builds -------------------------------------------------------------

_running: dict[str, threading.Thread] = {}


def start_background_build(job: PdfJob) -> bool:
    """Start building ``job`` unless some worker already is; True if this call started it."""
    claim = job.cache_key(content_version()) + ":building"
    if not cache.add(claim, True, BUILD_TIMEOUT):
        return False
    thread = threading.Thread(
        target=_build_in_thread, args=(job, claim), name=f"pdf-{claim}", daemon=True
    )
    _running[claim] = thread
    thread.start()
    return True


def build_claimed(job: PdfJob, claim: str) -> None:
    """Build ``job`` and release its claim, whatever happens."""
    try:
        build_pdf(job)
    except Exception:
        logger.exception("Building the PDF of %s failed", job)
    finally:
        cache.delete(claim)
        _running.pop(claim, None)


def _build_in_thread(job: PdfJob, claim: str) -> None:
    try:
        build_claimed(job, claim)
    finally:
        connections.close_all()  # this thread's own connections


def wait_for_background_builds(timeout: float | None = None) -> None:
    """Let the running builds finish (for the build_pdfs command and tests)."""
    for thread in list(_running.values()):
        thread.join(timeout)
