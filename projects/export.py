"""Export a section of a plan as open data: CSV, Excel and JSON rows, and a JSON tree.

The rows follow ``projects.layout``, which the importer reads back: an export
edited in a spreadsheet can be imported again, and an unedited one changes
nothing.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
from collections.abc import Callable, Iterator
from operator import itemgetter

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from policies.models import Plan, PolicyNode
from projects import layout
from projects.layout import NodePaths
from projects.models import Project, ProjectListing
from projects.sections import Section, section_nodes
from projects.target_table import Column, ProjectName, Revision, plan_columns

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
LISTINGS_FORMAT = "plan-portal/project-listings"
TREE_FORMAT = "plan-portal/plan-tree"
FORMAT_VERSION = 1


# The printed order of a section's listings: its nodes in tree order, then each node's.
LISTING_ORDER = ("node__tree_id", "node__lft", "position", "pk")
LISTING_FIELDS = (
    "node_id",
    "node__title",
    "project__home_node_id",
    "project__name",
    "project__each_ward",
    "project__summary",
    "project__baseline",
    "project__actions_in_period",
    "project__bureau__name",
    "project__division__name",
    "project__division__bureau__name",
    "project__version",
)


class LayoutSection:
    """A section (a node with everything below it, or the whole plan) for the layout
    exports: CSV, Excel and JSON rows.

    Its listings are read in a fixed number of queries whatever the section's size:
    the plan's node keys, then the listings, their target cells, revisions and wards,
    each one query in the printed order, read in chunks and merged as they stream,
    so that a CSV of 20,000 projects starts at once and never sits whole in memory.
    """

    CHUNK = 2000

    def __init__(self, plan: Plan, node: PolicyNode | None, visible: Callable):
        self.plan, self.node = plan, node
        # EXISTS rather than a second IN: SQLite plans the two INs together badly (9 s
        # instead of 0.4 s for the 20,000-project plan).
        projects = visible(Project.objects.filter(plan=plan)).filter(pk=OuterRef("project_id"))
        self.listings = ProjectListing.objects.filter(
            Exists(projects), node__in=section_nodes(plan, node, visible)
        )
        keys = plan.nodes.values_list("pk", "parent_id", "code", "title", named=True)
        self.paths = NodePaths(keys)
        self.columns = (
            plan_columns(plan.start_fiscal_year, plan.end_fiscal_year)
            if plan.has_fiscal_period
            else []
        )

    def file_stem(self) -> str:
        """plan-slug or plan-slug-node-12, for download file names."""
        return self.plan.slug + (f"-node-{self.node.pk}" if self.node else "")

    def _stream(self, fields: tuple[str, ...], order: tuple[str, ...] = (), *, related=""):
        """(listing pk, value rows) in the printed order; with ``related`` (a relation of
        the listing), only the listings that have some, one row each."""
        listings = (
            self.listings.filter(**{f"{related}__isnull": False}) if related else self.listings
        )
        rows = (
            listings.order_by(*LISTING_ORDER, *order)
            .values_list("pk", *fields)
            .iterator(chunk_size=self.CHUNK)
        )
        for pk, group in itertools.groupby(rows, key=itemgetter(0)):
            yield pk, [row[1:] for row in group]

    def records(self) -> Iterator[layout.ListingRecord]:
        target = "project__targets__"
        revision = "project__target_revisions__"
        targets = _Follower(
            self._stream(
                tuple(target + name for name in ("line", "fiscal_year", "after_period", "text")),
                (target + "line", target + "fiscal_year"),
                related="project__targets",
            )
        )
        revisions = _Follower(
            self._stream(
                tuple(
                    revision + name
                    for name in ("line", "fiscal_year", "after_period", "text", "decided_in")
                )
                + (revision + "reason",),
                tuple(revision + name for name in ("line", "fiscal_year", "decided_in", "pk")),
                related="project__target_revisions",
            )
        )
        wards = _Follower(
            self._stream(
                ("project__wards__name",),
                ("project__wards__position", "project__wards__pk"),
                related="project__wards",
            )
        )
        for pk, [listing] in self._stream(LISTING_FIELDS):
            yield self._record(listing, targets.take(pk), revisions.take(pk), wards.take(pk))

    def _record(self, listing, targets, revisions, wards) -> layout.ListingRecord:
        (
            node_id,
            node_title,
            home_node_id,
            name,
            each_ward,
            summary,
            baseline,
            actions,
            bureau,
            division,
            division_bureau,
            version,
        ) = listing
        lines: dict[int, tuple[dict[Column, str], list[Revision]]] = {}
        for line, year, after, text in targets:
            lines.setdefault(line, ({}, []))[0][Column(year, after)] = text
        for line, year, after, text, decided_in, reason in revisions:
            lines.setdefault(line, ({}, []))[1].append(
                Revision(Column(year, after), text, decided_in, reason)
            )
        ordered = [lines[line] for line in sorted(lines)]
        return layout.ListingRecord(
            node_path=self.paths.path(node_id),
            node_title=node_title,
            printed_name=ProjectName(name, each_ward, node_id != home_node_id).printed,
            summary=summary,
            baseline=baseline,
            actions_in_period=actions,
            bureau=(bureau or division_bureau) or "",
            division=division or "",
            wards=tuple(ward for (ward,) in wards),
            target_lines=[texts for texts, _revisions in ordered],
            revision_lines=[line_revisions for _texts, line_revisions in ordered],
            version=version,
        )


class _Follower:
    """A stream of (listing pk, rows) for some of the listings, in their printed order,
    read alongside the stream of all of them."""

    def __init__(self, groups: Iterator):
        self.groups = groups
        self.head = next(groups, None)

    def take(self, pk: int) -> list:
        if self.head is None or self.head[0] != pk:
            return []
        rows = self.head[1]
        self.head = next(self.groups, None)
        return rows


def layout_rows(section: LayoutSection) -> Iterator[list[str]]:
    columns = section.columns
    for record in section.records():
        yield from record.rows(columns)


def csv_chunks(section: LayoutSection, size: int = 64 * 1024) -> Iterator[bytes]:
    """The CSV in pieces of about ``size`` characters, for a streamed response: UTF-8
    with a BOM (so that Excel reads the Japanese as such) and CRLF line ends."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow(layout.headers(section.columns))
    for row in layout_rows(section):
        writer.writerow([layout.guard_formula(cell) for cell in row])
        if buffer.tell() >= size:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def to_csv(section: LayoutSection) -> bytes:
    return b"".join(csv_chunks(section))


def xlsx_cells(sheet, values, *, bold: bool = False) -> list:
    """A row of a write-only worksheet: text wrapped and never run as a formula,
    whatever it starts with; characters a workbook cannot hold left out."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font

    wrap = Alignment(wrap_text=True, vertical="top")
    cells = []
    for value in values:
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        cell.alignment = wrap
        if bold:
            cell.font = Font(bold=True)
        cells.append(cell)
    return cells


def set_widths(sheet, widths: list[int]) -> None:
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width


def saved(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_xlsx(section: LayoutSection) -> bytes:
    from openpyxl import Workbook
    from openpyxl.worksheet.cell_range import CellRange, MultiCellRange

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("事業")
    sheet.freeze_panes = "A2"
    widths = [36, 24, 30, 40, 36, 30, 20, 20, 20, 6] + [30] * len(section.columns) + [20, 40]
    set_widths(sheet, widths)
    sheet.append(xlsx_cells(sheet, layout.headers(section.columns), bold=True))
    first_year = len(layout.FIXED_HEADERS) + 1
    merged_index = first_year - 1 + len(section.columns)
    merged = []
    for number, row in enumerate(layout_rows(section), start=2):
        sheet.append(xlsx_cells(sheet, _typed(row)))
        # Real merged cells, each covered year keeping the text so that a filter finds it.
        spans, _unread = layout.merge_spans(row[merged_index], section.columns)
        merged.extend(
            CellRange(
                min_col=first_year + start, max_col=first_year + end, min_row=number, max_row=number
            )
            for start, end in spans
        )
    sheet.merged_cells = MultiCellRange(merged)  # at once: adding one by one is quadratic
    _licence_sheet(workbook, section)
    return saved(workbook)


def _licence_sheet(workbook, section: LayoutSection) -> None:
    """A second sheet saying whose data it is and on what terms (the importer reads
    only the first)."""
    plan = section.plan
    municipality = plan.municipality
    sheet = workbook.create_sheet(str(_("利用条件")))
    set_widths(sheet, [16, 80])
    for label, value in (
        (_("出典"), f"{municipality.name}「{plan.title}」"),
        (_("範囲"), _section_name(section)),
        (_("利用条件"), municipality.get_data_licence_display()),
        (_("利用条件のURL"), municipality.data_licence_url),
        (_("書き出した日"), timezone.localdate().isoformat()),
    ):
        sheet.append([str(label), str(value)])


def _section_name(section: LayoutSection) -> str:
    node = section.node
    if node is None:
        return section.plan.title
    return f"{node.code} {node.title}" if node.code else node.title


def _plan_info(section: Section | LayoutSection) -> dict:
    plan = section.plan
    return {
        "slug": plan.slug,
        "title": plan.title,
        "municipality": plan.municipality.name,
        "kind": plan.kind,
        "start_fiscal_year": plan.start_fiscal_year,
        "end_fiscal_year": plan.end_fiscal_year,
        "url": plan.get_absolute_url(),
    }


def _licence(section: Section | LayoutSection) -> dict:
    municipality = section.plan.municipality
    return {
        "name": str(municipality.get_data_licence_display()),
        "url": municipality.data_licence_url,
    }


def _section_info(section: Section | LayoutSection) -> dict | None:
    node = section.node
    if node is None:
        return None
    return {
        "path": section.paths.path(node.pk),
        "code": node.code,
        "title": node.title,
        "url": node.get_absolute_url(),
    }


def _dump(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, indent=1).encode()


def _typed(row: list[str]) -> list:
    """A layout row with its numbers as numbers: 表の行, and 版 where it is given."""
    row = list(row)
    line_index = layout.FIXED_HEADERS.index(layout.TABLE_LINE)
    row[line_index] = int(row[line_index])
    row[-1] = int(row[-1]) if row[-1] else None
    return row


def to_json(section: LayoutSection) -> bytes:
    """The same rows as the CSV, as objects with stable keys; the importer reads it."""
    columns = section.columns
    keys = layout.json_keys(columns)
    return _dump(
        {
            "format": LISTINGS_FORMAT,
            "version": FORMAT_VERSION,
            "licence": _licence(section),
            "plan": _plan_info(section),
            "section": _section_info(section),
            "columns": [
                {"key": key, "header": header}
                for key, header in zip(keys, layout.headers(columns), strict=True)
            ],
            "rows": [dict(zip(keys, _typed(row), strict=True)) for row in layout_rows(section)],
        }
    )


def to_tree_json(section: Section) -> bytes:
    """The section as a nested tree: nodes, their texts, their projects and targets."""
    slug = section.plan.slug
    built: list[dict] = []
    stack: list[tuple[int, dict]] = []
    for entry in section.entries:
        node = entry.node
        item = {
            "path": section.paths.path(node.pk),
            "code": node.code,
            "level": node.level_label.name if node.level_label_id else "",
            "title": node.title,
            "url": node.get_absolute_url(),
            "texts": [
                {"kind": text.kind, "heading": text.heading, "body": text.body}
                for text in node.texts.all()
            ],
            "projects": [_project_item(slug, listing) for listing in entry.listings],
            "children": [],
        }
        while stack and stack[-1][0] >= entry.depth:
            stack.pop()
        (stack[-1][1]["children"] if stack else built).append(item)
        stack.append((entry.depth, item))
    return _dump(
        {
            "format": TREE_FORMAT,
            "version": FORMAT_VERSION,
            "licence": _licence(section),
            "plan": _plan_info(section),
            "section": _section_info(section),
            "nodes": built,
        }
    )


def _project_item(slug: str, listing) -> dict:
    project = listing.project
    bureau = project.responsible_bureau
    return {
        "name": project.name,
        "each_ward": project.each_ward,
        "relisted": listing.is_relisting,
        "summary": project.summary,
        "baseline": project.baseline,
        "actions_in_period": project.actions_in_period,
        "bureau": bureau.name if bureau else "",
        "division": project.division.name if project.division else "",
        "wards": [ward.name for ward in project.wards.all()],
        "url": reverse("projects:project", args=[slug, project.pk]),
        "target_lines": [
            [
                {
                    "fiscal_year": cell.column.fiscal_year,
                    "after_period": cell.column.after_period,
                    "kind": str(cell.kind),
                    "text": cell.text,
                    "meaning": cell.resolved_text,
                    "revisions": [
                        {
                            "fiscal_year": revision.column.fiscal_year,
                            "after_period": revision.column.after_period,
                            "text": revision.text,
                            "decided_in": revision.decided_in,
                            "reason": revision.reason,
                        }
                        for revision in cell.revisions
                    ],
                }
                for cell in row
            ]
            for row in project.target_rows()
        ],
    }
