"""The bound book of a policy's or a bureau's evaluation sheets: a cover, a table of
contents with page numbers, then one measure sheet after another — as a PDF built
by the task queue (``projects.tasks``), never in a web worker, and as Excel.

The measures bound are the nodes that carry a sheet: those with projects listed
on them or an evaluation of their own, in the plan's printed order —

- of a policy: every such node within it (itself included);
- of a bureau (所管局): every such node that is home to one of the bureau's
  projects (by its bureau or its section's) or whose evaluation one of the
  bureau's sections wrote (作成課).

The page numbers of the contents are WeasyPrint's ``target-counter()``
(``static/css/sheet_book.css``), so they are the printed pages' own.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from planportal.caching import page_version_keys, versions
from policies.models import Bureau, MeasureEvaluation, Plan, PolicyNode
from projects import export, layout, printing
from projects.models import Project, ProjectListing
from projects.sheets import Sheet, measure_sheet

BOOK_STYLESHEETS = [*printing.SHEET_STYLESHEETS, "css/sheet_book.css"]


@dataclass
class SheetBook:
    plan: Plan
    title: str  # the policy's heading or the bureau's name
    sheets: list[Sheet]


def sheet_nodes(plan: Plan, visible, *, node: PolicyNode | None = None, bureau=None):
    """The visible nodes of ``plan`` bound in the book of ``node`` or of ``bureau``."""
    projects = visible(Project.objects.filter(plan=plan))
    listed = ProjectListing.objects.filter(node=OuterRef("pk"), project__in=projects)
    evaluated = visible(MeasureEvaluation.objects.filter(node=OuterRef("pk")))
    nodes = visible(plan.nodes.all()).filter(Exists(listed) | Exists(evaluated))
    if node is not None:
        nodes = nodes.filter(pk__in=plan.nodes.within(node).values("pk"))
    if bureau is not None:
        of_bureau = projects.filter(Q(bureau=bureau) | Q(division__bureau=bureau))
        written = evaluated.filter(author_division__bureau=bureau)
        nodes = nodes.filter(Q(pk__in=of_bureau.values("home_node_id")) | Exists(written))
    return nodes.select_related("plan", "level_label").in_printed_order()


def load_book(plan: Plan, visible, *, node=None, bureau=None) -> SheetBook:
    title = node.heading if node is not None else bureau.name
    sheets = [
        measure_sheet(each, visible)
        for each in sheet_nodes(plan, visible, node=node, bureau=bureau)
    ]
    return SheetBook(plan=plan, title=title, sheets=sheets)


def render_book_html(book: SheetBook, *, is_preview: bool) -> str:
    return render_to_string(
        "projects/sheet_book.html",
        {
            "book": book,
            "plan": book.plan,
            "for_pdf": True,
            "is_preview": is_preview,
            "printed_on": timezone.localdate(),
        },
    )


@dataclass(frozen=True)
class SheetBookJob:
    """What to bind for whom: a policy's sheets (``node_id``) or a bureau's."""

    plan_id: int
    node_id: int | None
    bureau_id: int | None
    preview: bool
    language: str
    base_url: str
    plan_slug: str

    def cache_key(self) -> str:
        """The book's key under the current versions of its plan (any change in the plan
        stales it: a bureau's book spans the plan's tree)."""
        version = ":".join(versions(page_version_keys(self.plan_slug)))
        subject = f"node-{self.node_id}" if self.node_id else f"bureau-{self.bureau_id}"
        mode = "preview" if self.preview else "public"
        return f"sheet-book:{version}:{self.language}:{mode}:{self.plan_id}:{subject}"

    def visible(self, queryset):
        return queryset if self.preview else queryset.published()

    def book(self) -> SheetBook:
        plan = Plan.objects.select_related("municipality").get(pk=self.plan_id)
        node = PolicyNode.objects.get(pk=self.node_id) if self.node_id else None
        bureau = Bureau.objects.get(pk=self.bureau_id) if self.bureau_id else None
        return load_book(plan, self.visible, node=node, bureau=bureau)


def book_xlsx(job: SheetBookJob) -> bytes:
    """The book as Excel, from the cache or written now and cached under its plan's
    versions (it is written in the request: a tenth of a second of CPU a measure)."""
    key = "xlsx-" + job.cache_key()
    xlsx = cache.get(key)
    if xlsx is None:
        with translation.override(job.language):
            xlsx = to_xlsx(job.book())
        cache.set(key, xlsx, printing.PDF_TIMEOUT)
    return xlsx


def build_book_pdf(job: SheetBookJob) -> bytes:
    """Bind the book now and cache it under the versions it was read at."""
    printing.require_japanese_font()
    key = job.cache_key()
    with translation.override(job.language):
        html = render_book_html(job.book(), is_preview=job.preview)
    pdf = printing.html_to_pdf(html, job.base_url, BOOK_STYLESHEETS)
    cache.set(key, pdf, printing.PDF_TIMEOUT)
    return pdf


# --- Excel: one worksheet per measure -------------------------------------------------

_SHEET_NAME_FORBIDDEN = str.maketrans({char: "_" for char in "[]:*?/\\"})
MAX_SHEET_NAME = 31  # Excel's limit


def worksheet_name(sheet: Sheet, taken: set[str]) -> str:
    """The measure's code (or title), made a valid and unique Excel worksheet name."""
    base = (sheet.node.code or sheet.node.title).translate(_SHEET_NAME_FORBIDDEN)
    base = base[:MAX_SHEET_NAME] or "sheet"
    name, number = base, 1
    while name.lower() in taken:
        number += 1
        suffix = f" ({number})"
        name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
    taken.add(name.lower())
    return name


def _level(level) -> str:
    return f"{level.code} {level.full_label}" if level else ""


def sheet_rows(sheet: Sheet) -> list[list]:
    """A measure's sheet as worksheet rows: the header, its evaluations, its indicators
    (baseline, then a target and an actual per year) and its projects year by year."""
    node = sheet.node
    latest = sheet.evaluations[-1] if sheet.evaluations else None
    rows: list[list] = [
        [sheet.plan.title],
        [_("施策評価シート")],
        [],
        [_("政策体系"), " ＞ ".join(each.heading for each in sheet.path) or "—"],
        [_("番号"), node.code],
        [_("名称"), node.title],
        [_("作成課"), str(latest.author_division or "") if latest else ""],
        [
            _("関係課"),
            "、".join(str(each) for each in latest.related_divisions.all()) if latest else "",
        ],
    ]
    for evaluation in sheet.evaluations:
        label = (
            _("%(year)s年度の評価") % {"year": evaluation.fiscal_year}
            if evaluation.fiscal_year
            else evaluation.sheet_label
        )
        rows += [[], [label, _("重点") if evaluation.is_priority else ""]]
        for heading, text in (
            (_("課題"), evaluation.issues),
            (_("概要"), evaluation.overview),
            (_("目標"), evaluation.goal),
            (_("成果の説明"), evaluation.outcome),
            (_("評価の説明"), evaluation.explanation),
        ):
            if text:
                rows.append([heading, text])
    if sheet.indicators:
        rows += [[], [_("成果指標")]]
        indicators = [
            each for indicator in sheet.indicators for each in (indicator, *indicator.parts.all())
        ]
        years = sorted({value.fiscal_year for each in indicators for value in each.values.all()})
        rows.append(
            [_("指標名"), _("単位"), _("基準値"), _("基準値の時点")]
            + [
                label
                for year in years
                for label in (
                    _("%(year)s年度目標") % {"year": year},
                    _("%(year)s年度実績") % {"year": year},
                )
            ]
        )
        for indicator in indicators:
            values = {value.fiscal_year: value for value in indicator.values.all()}
            cells = [
                indicator.name,
                indicator.unit,
                indicator.baseline_written,
                indicator.baseline_when,
            ]
            for year in years:
                value = values.get(year)
                cells += [value.target_written, value.actual_written] if value else ["", ""]
            rows.append(cells)
    rows += [
        [],
        [_("事業の目標と実績")],
        [
            _("事業名"),
            _("再掲"),
            _("年度"),
            _("事業内容・目標"),
            _("目標変更"),
            _("実績"),
            *(criterion.name for criterion in sheet.criteria),
        ],
    ]
    for item in sheet.projects:
        for year in item.progress:
            result = year.result
            rows.append(
                [
                    item.project.display_name,
                    _("再掲") if item.is_relisting else "",
                    year.fiscal_year,
                    "\n".join(year.targets),
                    "\n".join(layout.revision_text(revision) for revision in year.revisions),
                    result.actual if result else (_("未評価") if year.pending else ""),
                    *(_level(value.level) if value else "" for value in year.levels),
                ]
            )
        if not item.progress:
            rows.append([item.project.display_name, _("再掲") if item.is_relisting else ""])
    return rows


def to_xlsx(book: SheetBook) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    taken: set[str] = set()
    for sheet in book.sheets:
        worksheet = workbook.create_sheet(worksheet_name(sheet, taken))
        export.set_widths(worksheet, [28, 16, 16, 36, 36, 30, 20, 20])
        for row in sheet_rows(sheet):
            worksheet.append(export.xlsx_cells(worksheet, row))
    if not book.sheets:
        worksheet = workbook.create_sheet(_("施策評価シート"))
        worksheet.append([_("この範囲には評価シートのある施策がありません。")])
    return export.saved(workbook)
