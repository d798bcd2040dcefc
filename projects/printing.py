"""Printable sections: the print page and its PDF (A4, numbered pages, Japanese fonts).

The PDF is WeasyPrint's rendering of the print page with ``static/css/print.css``
(paged media: page size, page numbers, table headers repeated on each page), tagged
for screen readers (PDF/UA-1); all text is set in IPAex Gothic, embedded as a subset.
A long section is rendered in parts and joined (``pdf_in_parts``), which bounds the
memory a build takes.

A section's PDF is cached under the versions of its plan's head and of its node
(``planportal.caching``): it is rebuilt only after something it prints changed. No PDF is built in a web worker: a
request for one that is not cached queues a build (``projects.tasks``, run by
``manage.py db_worker`` on any host) and asks the visitor to come back. One job
per PDF; each client may have only ``PDF_QUEUE_PER_CLIENT`` builds waiting, so a
storm of PDF requests neither fills the queue nor slows the public pages.
``manage.py build_pdfs`` builds the published plans' PDFs ahead of time.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import os
import pickle
import signal
import tempfile
import traceback
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, suppress
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TypeVar

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.http import quote_etag

from planportal.caching import page_version_keys, section_version_keys, versions
from planportal.fonts import japanese_font_installed
from policies.models import Plan, PolicyNode
from projects.sections import Section, SectionNode, load_section

STYLESHEETS = ["css/site.css", "css/print.css"]
SHEET_STYLESHEETS = [*STYLESHEETS, "css/progress.css"]  # charts and result tables
PDF_TIMEOUT = 7 * 24 * 60 * 60  # stale versions age out; a new version is a new key
TOC_DEPTH = 1  # a whole plan's contents list its top two levels (基本政策, 政策)
# Tagged PDF (PDF/UA-1): screen readers navigate headings, lists and tables; the language
# is the root's lang, the title the page's <title>.
PDF_OPTIONS = {"pdf_variant": "pdf/ua-1", "pdf_tags": True}


def _everything(queryset):
    return queryset


def _published(queryset):
    return queryset.published()


# --- the print page ------------------------------------------------------------


def print_context(
    section: Section,
    *,
    for_pdf: bool,
    is_preview: bool,
    entries: list[SectionNode] | None = None,
    front: bool = True,
    back: bool = True,
    toc_pages: dict[int, int] | None = None,
) -> dict:
    """Headings follow the tree: the section's node (or the plan title) is the h1.

    A whole plan opens with its cover, vision, basic goals, strategies and a table of
    contents (its basic policies and policies). ``entries``, ``front`` and ``back``
    select one part of a PDF built in parts (``build_pdf``); ``toc_pages`` then gives
    the contents' page numbers, which one piece finds with CSS ``target-counter``.
    """
    top = 1 if section.node is not None else 2
    context = {
        "plan": section.plan,
        "section": section,
        "entries": [
            {
                "node": entry.node,
                "listings": entry.listings,
                "level": min(6, top + entry.depth),
                "projects_level": min(6, top + entry.depth + 1),
                "project_level": min(6, top + entry.depth + 2),
            }
            for entry in (section.entries if entries is None else entries)
        ],
        "front": front,
        "back": back,
        "for_pdf": for_pdf,
        "is_preview": is_preview,
        "printed_on": timezone.localdate(),
        "LANGUAGE_CODE": translation.get_language(),  # the PDF's, rendered without a request
        "updated_at": section.updated_at,
    }
    if front and section.node is None:
        plan = section.plan
        context["basic_goals"] = list(plan.basic_goals.all())
        context["strategies"] = list(plan.strategies.all())
        context["toc"] = [
            {
                "node": entry.node,
                "depth": entry.depth,
                "page": toc_pages.get(entry.node.pk) if toc_pages else None,
            }
            for entry in section.entries
            if entry.depth <= TOC_DEPTH
        ]
    return context


def render_print_html(
    section: Section, *, for_pdf: bool, is_preview: bool, request=None, **part
) -> str:
    context = print_context(section, for_pdf=for_pdf, is_preview=is_preview, **part)
    return render_to_string("policies/print_section.html", context, request=request)


# --- the PDF ---------------------------------------------------------------------


class JapaneseFontMissing(Exception):
    """No PDF without its Japanese font: every Japanese character would be an empty box."""


def require_japanese_font() -> None:
    if not japanese_font_installed():
        raise JapaneseFontMissing(settings.PDF_FONT_FILE)


def print_styles(stylesheets: list[str] = STYLESHEETS, extra_css: str = "") -> list:
    """The stylesheets parsed: WeasyPrint's CSS objects, which serve any number of
    documents (a long section's parts share one parse)."""
    from weasyprint import CSS

    fetcher = _no_fetching()
    styles = [CSS(filename=finders.find(path), url_fetcher=fetcher) for path in stylesheets]
    if extra_css:
        styles.append(CSS(string=extra_css, url_fetcher=fetcher))
    return styles


def html_to_document(html: str, base_url: str, styles: list | None = None):
    """WeasyPrint's laid-out document, with the print stylesheets unless ``styles``
    (``print_styles``) are given; nothing is fetched."""
    from weasyprint import HTML

    html = HTML(string=html, base_url=base_url, url_fetcher=_no_fetching())
    return html.render(stylesheets=print_styles() if styles is None else styles, **PDF_OPTIONS)


def _no_fetching():
    from weasyprint.urls import URLFetcher

    class NoFetching(URLFetcher):
        def fetch(self, url, headers=None):
            raise ValueError(f"PDF rendering fetches nothing: {url}")

    return NoFetching()


def html_to_pdf(html: str, base_url: str, stylesheets: list[str] = STYLESHEETS) -> bytes:
    return html_to_document(html, base_url, print_styles(stylesheets)).write_pdf(**PDF_OPTIONS)


# --- long sections: in parts --------------------------------------------------------
# WeasyPrint holds every laid-out page until it writes the PDF: 1.87 GB for 884 pages.
# A section of more than PART_LISTINGS listings is laid out in runs of whole nodes, each
# in a child process that writes its PDF to a file and ends; the parts are joined into
# one tagged PDF (``projects.pdf_parts``, in a child too, as each part is done) and
# stamped with the running header and page numbers. settings.PDF_PART_PROCESSES children lay out parts at once,
# each of PART_LISTINGS / PDF_PART_PROCESSES listings: together never more than
# PART_LISTINGS, whose layout memory stays within bounds (README).

PART_LISTINGS = 150  # about 40 pages, ~150 MB of layout
T = TypeVar("T")
logger = logging.getLogger(__name__)
NO_FURNITURE = "@page { @top-left { content: none; } @bottom-center { content: none; } }"
FURNITURE_CSS = """
.print-plan-title { visibility: hidden; margin: 0; }
.sheet { break-after: page; }
.sheet:last-child { break-after: auto; }
.cover { page: cover; }
"""


def section_parts(entries: list[SectionNode], limit: int) -> list[list[SectionNode]]:
    """Runs of nodes in printed order, each of at most ``limit`` listings (a node with
    more is a part of its own)."""
    parts, count = [[]], 0
    for entry in entries:
        if parts[-1] and count + len(entry.listings) > limit:
            parts.append([])
            count = 0
        parts[-1].append(entry)
        count += len(entry.listings)
    return parts


@dataclass(frozen=True)
class LaidOut:
    """What the parent needs of a part laid out in a child: its length, and the page
    (0-based, within the part) each anchor is on."""

    pages: int
    anchors: dict[str, int]


def part_styles() -> list:
    """The print stylesheets of a part: no running header or page number, which the
    join stamps."""
    return print_styles(extra_css=NO_FURNITURE)


def lay_out(html: str, base_url: str, path: Path, styles: list) -> LaidOut:
    """Lay out one part and write its PDF to ``path`` (run in a child: ``in_children``)."""
    document = html_to_document(html, base_url, styles)
    anchors = {}
    for number, page in enumerate(document.pages):
        for anchor in page.anchors:
            anchors.setdefault(anchor, number)
    document.write_pdf(path, **PDF_OPTIONS)
    return LaidOut(len(document.pages), anchors)


def pdf_in_parts(section: Section, parts: list[list[SectionNode]], job: PdfJob) -> bytes:
    """The tree's parts first, noting where each node starts; a whole plan's cover and
    contents last (its contents need those pages), laid out again if its own length
    moves them; then one PDF with page numbers stamped over all pages.

    Every layout, and the join, runs in a child process that gives its memory back to
    the system when it ends: the worker only renders the HTML (its database work) and
    stays at its size, however long the section. The join takes each part as soon as
    it is laid out, beside the layouts of the next ones."""

    def render(**part) -> str:
        return render_print_html(section, for_pdf=True, is_preview=job.preview, **part)

    styles = part_styles()
    warm_up(styles, job.base_url)

    def layout(html: str, path: Path) -> Callable[[], LaidOut]:
        return partial(lay_out, html, job.base_url, path, styles)

    own_front = section.node is None
    with (
        tempfile.TemporaryDirectory(prefix="pdf-parts-") as folder,
        Joining(Path(folder, "joined.pdf")) as join,
    ):
        paths = [Path(folder, f"part-{index}.pdf") for index in range(len(parts))]
        layouts = (  # each part's HTML rendered when a child is about to lay it out
            layout(
                render(entries=entries, front=index == 0 and not own_front, back=path == paths[-1]),
                path,
            )
            for index, (entries, path) in enumerate(zip(parts, paths, strict=True))
        )
        starts, pages = {}, 0
        with closing(in_children(layouts, settings.PDF_PART_PROCESSES)) as laid_out:
            for path, part in zip(paths, laid_out, strict=True):
                join.add(path)
                for anchor, number in part.anchors.items():
                    starts.setdefault(anchor, pages + number + 1)
                pages += part.pages
        front_pages = 0
        if own_front:
            front = Path(folder, "front.pdf")
            front_pages = lay_out_front(section, starts, front, render, layout)
            join.add(front, at_start=True)
            pages += front_pages
        furniture = Path(folder, "furniture.pdf")
        in_child(partial(write_furniture, furniture_html(section, pages), job.base_url, furniture))
        join.finish(outline(section, starts, front_pages), furniture)
        return join.path.read_bytes()


def lay_out_front(section: Section, starts: dict[str, int], path: Path, render, layout) -> int:
    """A whole plan's cover and contents, with the page numbers the tree's parts took
    shifted by the front's own length (the numbers change its length rarely, never
    twice); its number of pages."""
    front_pages = 0
    for _ in range(3):
        toc_pages = {
            entry.node.pk: starts[f"node-{entry.node.pk}"] + front_pages
            for entry in section.entries
        }
        html = render(entries=[], back=False, toc_pages=toc_pages)
        laid_out = in_child(layout(html, path))
        if laid_out.pages == front_pages:
            break
        front_pages = laid_out.pages
    return front_pages


def warm_up(styles: list, base_url: str) -> None:
    """WeasyPrint's modules and the Japanese font loaded in this process, before it forks
    the children that lay out the parts: they share them instead of each loading them
    again, a quarter of a part's time (0.25 s of 1 s). The worker keeps ~25 MB more."""
    html_to_document('<html lang="ja"><p>計画</p>', base_url, styles).write_pdf(**PDF_OPTIONS)


class Joining:
    """A child process that joins the parts into one PDF (``projects.pdf_parts``) at
    ``path`` as the parent sends them, each once it is laid out, and the furniture last:
    the join (a sixth of the build's work) runs beside the layouts, not after them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        read, write = os.pipe()
        self.child: tuple[int, int] | None = start_child(partial(join_sent, read, write, path))
        os.close(read)
        self.messages = os.fdopen(write, "wb")

    def add(self, part: Path, at_start: bool = False) -> None:
        self._send(("part", part, at_start))

    def finish(self, outline: list[tuple[int, str, int]], furniture: Path) -> None:
        """Send the bookmarks and the furniture; back once the joined PDF is written."""
        self._send(("finish", outline, furniture))
        self.messages.close()
        self._collect()

    def _send(self, message: tuple) -> None:
        try:
            pickle.dump(message, self.messages)
            self.messages.flush()
        except BrokenPipeError:  # the join failed: its traceback
            self._collect()
            raise

    def _collect(self) -> None:
        """Wait for the child: back when it has written the PDF, else its traceback."""
        child, self.child = self.child, None
        collect(*child)

    def __enter__(self) -> Joining:
        return self

    def __exit__(self, *exception) -> None:
        with suppress(BrokenPipeError):  # the join has ended: what it was not sent is moot
            self.messages.close()
        if self.child:  # the build failed before the join finished
            stop(*self.child)


def join_sent(messages: int, parents_end: int, path: Path) -> None:
    """The join's child (``Joining``): the parts as they are sent, then the furniture."""
    from projects import pdf_parts

    os.close(parents_end)  # should the parent die, the reading below ends
    with os.fdopen(messages, "rb") as reader, path.open("wb") as file:
        join = None
        while True:
            kind, *arguments = pickle.load(reader)
            if kind == "finish":
                join.finish(*arguments)
                return
            part, at_start = arguments
            join = join or pdf_parts.TaggedJoin(file, pdf_parts.pdf_header(part))
            join.add_file(part, at_start)


def outline(section: Section, starts: dict[str, int], shift: int) -> list[tuple[int, str, int]]:
    """Bookmarks of a PDF in parts: a whole plan's title, then each node and its projects
    at their depth, on the page where their heading is (``starts``: 1-based numbers within
    the tree's parts, which follow ``shift`` pages of cover and contents)."""
    items, top = [], 0
    if section.node is None:
        items.append((0, section.plan.title, 0))
        top = 1
    for entry in section.entries:
        page = starts[f"node-{entry.node.pk}"] - 1 + shift
        items.append((top + entry.depth, entry.node.heading, page))
        for listing in entry.listings:
            page = starts[f"project-{listing.project_id}-{listing.pk}"] - 1 + shift
            items.append((top + entry.depth + 1, listing.project.display_name, page))
    return items


def furniture_html(section: Section, pages: int) -> str:
    """Empty pages with the print page's running header and page numbers (no tags: the
    joined PDF marks them as artifacts); a whole plan's first page is its cover."""
    title = f'<p class="print-plan-title">{escape(section.plan.title)}</p>'
    sheets = ['<div class="sheet"></div>'] * pages
    sheets[0] = f'<div class="sheet{" cover" if section.node is None else ""}">{title}</div>'
    return (
        f'<!doctype html><html lang="{translation.get_language()}">'
        f'<body class="print-page">{"".join(sheets)}</body></html>'
    )


def write_furniture(html: str, base_url: str, path: Path) -> None:
    """The furniture's PDF, untagged (run in a child: ``in_child``)."""
    from weasyprint import CSS, HTML

    styles = [CSS(filename=finders.find(STYLESHEETS[-1])), CSS(string=FURNITURE_CSS)]
    # Uncompressed: no object streams, so that the join reads one page's objects at a
    # time and forgets them (an object stream of many pages would be parsed again for
    # each); the join compresses the pages' drawings, a few hundred bytes each.
    HTML(string=html, base_url=base_url).write_pdf(path, stylesheets=styles, uncompressed_pdf=True)


# --- child processes -----------------------------------------------------------------


class PdfPartFailed(Exception):
    """A child process laying out or joining parts failed: its traceback is the message."""


def in_children(calls: Iterable[Callable[[], T]], processes: int = 1) -> Iterator[T]:
    """The results of ``calls``, each run in a forked child process, at most
    ``processes`` at once; each is given as soon as it and those before have ended.

    Memory a layout takes is given back to the system only when its process ends (the
    allocator keeps what it freed, ~10 MB a part): a child's ends with it. The child
    only runs WeasyPrint and writes files; it leaves with ``os._exit``, so it never
    closes or uses the parent's database connection, flushes its buffers or runs its
    exit handlers. Its result, or its traceback, comes back pickled through a pipe.
    """
    running: deque[tuple[int, int]] = deque()  # (pid, the pipe's end to read)
    try:
        for call in calls:
            if len(running) == processes:
                yield collect(*running.popleft())
            running.append(start_child(call))
        while running:
            yield collect(*running.popleft())
    finally:
        for child in running:  # the parent failed or was stopped: so do they
            stop(*child)


def stop(pid: int, pipe: int) -> None:
    """End a child that is no longer waited for."""
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(pipe)


def in_child(call: Callable[[], T]) -> T:
    (result,) = in_children([call])
    return result


def start_child(call: Callable[[], T]) -> tuple[int, int]:
    """Fork a child that runs ``call``: its pid, and the pipe its outcome comes through."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        status = 1
        try:
            os.close(read)
            signal.signal(signal.SIGTERM, signal.SIG_DFL)  # not the worker's handlers
            signal.signal(signal.SIGINT, signal.SIG_DFL)
            quiet_collector()
            try:
                outcome = (True, call())
            except BaseException:
                outcome = (False, traceback.format_exc())
            with os.fdopen(write, "wb") as pipe:
                pickle.dump(outcome, pipe)
            status = 0 if outcome[0] else 1
        finally:
            os._exit(status)
    os.close(write)
    return pid, read


def quiet_collector() -> None:
    """No cyclic garbage collection in a child: it took a fifth of a layout's CPU time,
    scanning the worker's inherited objects (which also copied their shared pages) and
    WeasyPrint's boxes, none of them garbage before the child ends and frees it all."""
    gc.freeze()
    gc.disable()


def collect(pid: int, pipe: int) -> T:
    """The child's result once it has ended (read first: a full pipe would block it)."""
    with os.fdopen(pipe, "rb") as reader:
        data = reader.read()
    _, status, usage = os.wait4(pid, 0)
    logger.debug(
        "PDF child process %d: peak RSS %.0f MB, CPU %.1f s",
        pid,
        usage.ru_maxrss / 1024,  # Linux: kilobytes
        usage.ru_utime + usage.ru_stime,
    )
    if data:
        succeeded, value = pickle.loads(data)
        if succeeded:
            return value
        raise PdfPartFailed(value)
    raise PdfPartFailed(f"the child process ended with status {status}, without a result")


@dataclass(frozen=True)
class PdfJob:
    """What to print for whom: a section, as citizens or as staff (drafts included)."""

    plan_id: int
    node_id: int | None
    preview: bool
    language: str
    base_url: str
    plan_slug: str

    def cache_key(self) -> str:
        """The PDF's key under the current versions of what it prints."""
        version = ":".join(versions(section_version_keys(self.plan_slug, self.node_id)))
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
    """A validator of the PDF as built now: it changes with the versions of what it prints."""
    return quote_etag(hashlib.sha256(job.cache_key().encode()).hexdigest()[:32])


def cached_pdf(job: PdfJob) -> bytes | None:
    return cache.get(job.cache_key())


def build_pdf(job: PdfJob) -> bytes:
    """Render the section's PDF now (in parts when it is long) and cache it under the
    versions it was read at."""
    require_japanese_font()
    key = job.cache_key()
    with translation.override(job.language):
        section = job.section()
        if len(section_parts(section.entries, PART_LISTINGS)) > 1:
            size = PART_LISTINGS // settings.PDF_PART_PROCESSES
            pdf = pdf_in_parts(section, section_parts(section.entries, size), job)
        else:
            html = render_print_html(section, for_pdf=True, is_preview=job.preview)
            pdf = html_to_pdf(html, job.base_url)
    cache.set(key, pdf, PDF_TIMEOUT)
    return pdf


# --- evaluation sheets ---------------------------------------------------------------
# One measure or project: small enough to build during the request, cached like sections.


def sheet_pdf(sheet, context: dict, *, preview: bool, base_url: str) -> bytes:
    """The sheet's print page (``context``, rendered for the PDF) as a PDF, cached under
    its plan's version."""
    mode = "preview" if preview else "public"
    version = ":".join(versions(page_version_keys(sheet.plan.slug)))
    key = f"sheet-pdf:{version}:{translation.get_language()}:{mode}:{sheet.file_stem()}"
    pdf = cache.get(key)
    if pdf is None:
        require_japanese_font()
        html = render_to_string("projects/evaluation_sheet.html", {**context, "for_pdf": True})
        pdf = html_to_pdf(html, base_url, SHEET_STYLESHEETS)
        cache.set(key, pdf, PDF_TIMEOUT)
    return pdf
