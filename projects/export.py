"""Export a section of a plan as open data: CSV, Excel and JSON rows, and a JSON tree.

The rows follow ``projects.layout``, which the importer reads back: an export
edited in a spreadsheet can be imported again, and an unedited one changes
nothing.
"""

from __future__ import annotations

import csv
import io
import json

from django.urls import reverse

from projects import layout
from projects.sections import Section
from projects.target_table import ProjectName

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JSON_CONTENT_TYPE = "application/json; charset=utf-8"
LISTINGS_FORMAT = "plan-portal/project-listings"
TREE_FORMAT = "plan-portal/plan-tree"
FORMAT_VERSION = 1


def listing_record(section: Section, listing) -> layout.ListingRecord:
    project = listing.project
    printed = ProjectName(project.name, project.each_ward, listing.is_relisting).printed
    lines = project.target_lines()
    bureau = project.responsible_bureau
    return layout.ListingRecord(
        node_path=section.paths.path(listing.node_id),
        node_title=listing.node.title,
        printed_name=printed,
        summary=project.summary,
        baseline=project.baseline,
        actions_in_period=project.actions_in_period,
        bureau=bureau.name if bureau else "",
        division=project.division.name if project.division else "",
        wards=tuple(ward.name for ward in project.wards.all()),
        target_lines=[texts for texts, _revisions in lines],
        revision_lines=[revisions for _texts, revisions in lines],
        version=project.version,
    )


def layout_rows(section: Section) -> list[list[str]]:
    columns = section.columns
    return [
        row
        for listing in section.listings()
        for row in listing_record(section, listing).rows(columns)
    ]


def to_csv(section: Section) -> bytes:
    """UTF-8 with a BOM, so that Excel reads the Japanese as such."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(layout.headers(section.columns))
    for row in layout_rows(section):
        writer.writerow([layout.guard_formula(cell) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(section: Section) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("事業")
    sheet.freeze_panes = "A2"
    widths = [36, 24, 30, 40, 36, 30, 20, 20, 20, 6] + [30] * len(section.columns) + [20, 40]
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[_column_letter(index)].width = width
    wrap = Alignment(wrap_text=True, vertical="top")

    def cell(value, *, bold=False):
        if isinstance(value, str):
            value = ILLEGAL_CHARACTERS_RE.sub("", value)
        written = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            written.data_type = "s"  # never a formula, whatever the text starts with
        written.alignment = wrap
        if bold:
            written.font = Font(bold=True)
        return written

    sheet.append([cell(header, bold=True) for header in layout.headers(section.columns)])
    first_year = len(layout.FIXED_HEADERS) + 1
    merged_index = first_year - 1 + len(section.columns)
    for number, row in enumerate(layout_rows(section), start=2):
        sheet.append([cell(value) for value in _typed(row)])
        # Real merged cells, each covered year keeping the text so that a filter finds it.
        spans, _unread = layout.merge_spans(row[merged_index], section.columns)
        for start, end in spans:
            sheet.merged_cells.add(
                f"{_column_letter(first_year + start)}{number}:"
                f"{_column_letter(first_year + end)}{number}"
            )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def _plan_info(section: Section) -> dict:
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


def _section_info(section: Section) -> dict | None:
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


def to_json(section: Section) -> bytes:
    """The same rows as the CSV, as objects with stable keys; the importer reads it."""
    columns = section.columns
    keys = layout.json_keys(columns)
    return _dump(
        {
            "format": LISTINGS_FORMAT,
            "version": FORMAT_VERSION,
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
