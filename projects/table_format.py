"""Read the project tables of a published plan (tab-separated, as in seed 001).

Two forms are printed:

- the yearly form, under a two-line header (cells separated by tabs)::

      事業名 | 現状 | 事業内容・目標 |   |   |
             |      | 2011年度 | 2012年度 | 2013年度 | 2014年度以降

  Its first cell holds the project name and then the summary (事業概要); a
  row whose first two cells are empty continues the project above with
  another printed line of targets.
- the short form, under 事業名 | 事業概要 | 計画期間の取組.

Stray markup (``<p>``, ``<b>``) is read for its structure (a paragraph is a
line, a bold run is the name) and never kept. Parsing is all or nothing: every
problem is collected with its line and column, then raised together.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import nh3
from django.utils.translation import gettext as _

from projects.target_table import Column, ProjectName, normalize_text, parse_project_name
from schedule.fiscal import FiscalYearError, parse_fiscal_year

NAME_HEADER = "事業名"
BASELINE_HEADER = "現状"
SUMMARY_HEADER = "事業概要"
ACTIONS_HEADER = "計画期間の取組"
AFTER_PERIOD_SUFFIX = "以降"

YEARLY = "yearly"
SHORT = "short"


@dataclass(frozen=True)
class RowError:
    line: int  # 1-based line of the source text
    column: str  # the column's header, or "" for the whole row
    message: str

    def __str__(self):
        where = _("%(line)d行目") % {"line": self.line}
        if self.column:
            where += _("「%(column)s」列") % {"column": self.column}
        return f"{where}: {self.message}"


class TableFormatError(ValueError):
    """Every problem found in a text, raised together so nothing is half-read."""

    def __init__(self, errors: list[RowError]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


@dataclass(frozen=True)
class Responsibility:
    """Who is responsible for a project and where it is carried out, as a row states it.

    The names of its 所管局 (bureau) and 所管課 (section) and of its 区 (wards);
    an empty name or an empty tuple means "none".
    """

    bureau: str = ""
    division: str = ""
    wards: tuple[str, ...] = ()


@dataclass
class TableRow:
    printed_name: str
    project_name: ProjectName
    form: str
    line: int
    summary: str = ""
    baseline: str = ""
    actions_in_period: str = ""
    # One dict per printed line of targets: column -> cell text as printed.
    target_lines: list[dict[Column, str]] = field(default_factory=list)
    # None where the table has no such columns (the published tables): the
    # project's bureau, section and wards are then left as they are.
    responsibility: Responsibility | None = None
    # The version of the project the row was exported from (the layout's 版
    # column); None where the file does not say (a new row, or another format).
    version: int | None = None


@dataclass
class TableBlock:
    form: str
    line: int
    columns: list[Column]
    rows: list[TableRow]


# --- cell text ---------------------------------------------------------------

_PARAGRAPH_END = re.compile(r"</p\s*>|<br\s*/?>", re.IGNORECASE)
_BOLD = re.compile(r"^\s*(?:<p[^>]*>\s*)?<b>(.*?)</b>", re.IGNORECASE | re.DOTALL)
# A run of spaces between two printed items, not inside an English phrase.
_ITEM_BREAK = re.compile(r"(?<![A-Za-z0-9])[ \t\u3000]+(?![A-Za-z0-9])")


def strip_markup(text: str) -> str:
    """Plain text from a cell that may hold HTML: paragraphs become lines."""
    text = _PARAGRAPH_END.sub("\n", text or "")
    return html.unescape(nh3.clean(text, tags=set()))


def cell_lines(text: str) -> str:
    """The printed lines of a cell, one per line.

    The published tables separate the items of a cell with spaces; Japanese
    prose has none, so a space run between two non-ASCII characters is a line
    break, while "CIO 補佐業務" keeps its space.
    """
    plain = normalize_text(strip_markup(text))
    return normalize_text("\n".join(_ITEM_BREAK.sub("\n", line) for line in plain.splitlines()))


def split_name_cell(text: str) -> tuple[str, str]:
    """Split the first cell of the yearly form into (printed name, summary)."""
    bold = _BOLD.match(text)
    if bold:
        return normalize_text(strip_markup(bold[1])), cell_lines(text[bold.end() :])
    if "<p" in text.lower():
        lines = normalize_text(strip_markup(text)).splitlines()
        return (lines[0] if lines else ""), cell_lines("\n".join(lines[1:]))
    plain = normalize_text(strip_markup(text)).replace("\n", " ")
    name, _, summary = plain.partition(" ")
    return name, cell_lines(summary)


# --- headers -----------------------------------------------------------------


def _cells(line: str) -> list[str]:
    return line.rstrip("\r\n").split("\t")


def is_header(line: str) -> bool:
    if NAME_HEADER not in line:
        return False  # most lines: decided without parsing markup
    cells = [normalize_text(strip_markup(cell)) for cell in _cells(line)]
    return (
        len(cells) >= 3
        and cells[0] == NAME_HEADER
        and cells[1]
        in (
            BASELINE_HEADER,
            SUMMARY_HEADER,
        )
    )


def column_label(column: Column) -> str:
    """A column's header as the tables print it: 2012年度, or 2014年度以降."""
    return f"{column.fiscal_year}年度" + (AFTER_PERIOD_SUFFIX if column.after_period else "")


def parse_year_header(
    cells: list[str], line: int, *, first: int = 2
) -> tuple[list[Column], list[RowError]]:
    """Columns from a header's year cells (``cells[first:]``): 2011年度, …, 2014年度以降."""
    columns: list[Column] = []
    errors: list[RowError] = []
    for index, raw in enumerate(cells[first:], start=first + 1):
        label = normalize_text(strip_markup(raw))
        after = label.endswith(AFTER_PERIOD_SUFFIX)
        if after:
            label = label[: -len(AFTER_PERIOD_SUFFIX)]
        try:
            columns.append(Column(parse_fiscal_year(label), after_period=after))
        except FiscalYearError:
            errors.append(
                RowError(
                    line,
                    _("%(number)d列目") % {"number": index},
                    _("年度として読めません: %(cell)s") % {"cell": repr(raw)},
                )
            )
    if errors:
        return [], errors
    years = [column.fiscal_year for column in columns]
    if not columns or years != list(range(years[0], years[0] + len(years))):
        errors.append(RowError(line, "", _("年度の列は連続した年度にしてください。")))
    elif any(column.after_period for column in columns[:-1]):
        errors.append(RowError(line, "", _("「以降」の列は最後に置いてください。")))
    return columns, errors


# --- tables ------------------------------------------------------------------


def parse_tables(text: str, *, first_line: int = 1, strict: bool = False) -> list[TableBlock]:
    """Every project table in a text, in order. Raises TableFormatError.

    A document has prose between its tables; a file to import has nothing
    else, so with ``strict`` any non-blank line outside a table is an error.
    """
    lines = text.splitlines()
    blocks: list[TableBlock] = []
    errors: list[RowError] = []
    index = 0
    while index < len(lines):
        if not is_header(lines[index]):
            if strict and lines[index].strip():
                errors.append(
                    RowError(
                        index + first_line,
                        "",
                        _("表の外にある行です（見出し行から始めてください）。"),
                    )
                )
            index += 1
            continue
        block, index, block_errors = _parse_block(lines, index, first_line)
        errors.extend(block_errors)
        if block:
            blocks.append(block)
    if errors:
        raise TableFormatError(errors)
    return blocks


def _parse_block(lines, index, first_line):
    header = _cells(lines[index])
    line_no = index + first_line
    errors: list[RowError] = []
    if normalize_text(strip_markup(header[1])) == SUMMARY_HEADER:
        form, columns, width = SHORT, [], 3
        index += 1
    else:
        form = YEARLY
        if index + 1 >= len(lines):
            return None, index + 1, [RowError(line_no, "", _("年度の見出し行がありません。"))]
        year_cells = _cells(lines[index + 1])
        columns, errors = parse_year_header(year_cells, line_no + 1)
        width = 2 + len(columns)
        index += 2
    if len(header) != width and not errors:
        errors.append(
            RowError(
                line_no,
                "",
                _("見出しの列数（%(count)d）が年度の列数と合いません。") % {"count": len(header)},
            )
        )
    block = TableBlock(form=form, line=line_no, columns=columns, rows=[])
    while index < len(lines) and "\t" in lines[index] and not is_header(lines[index]):
        row_line = index + first_line
        cells = _cells(lines[index])
        index += 1
        if len(cells) != width:
            errors.append(
                RowError(
                    row_line,
                    "",
                    _("列の数が%(count)dです。この表では%(width)d列です。")
                    % {"count": len(cells), "width": width},
                )
            )
            continue
        if form == SHORT:
            row = _short_row(cells, row_line, errors)
        else:
            row = _yearly_row(cells, columns, row_line, block.rows, errors)
        if row:
            block.rows.append(row)
    if not block.rows and not errors:
        errors.append(RowError(line_no, "", _("見出しの下に事業の行がありません。")))
    return (None if errors else block), index, errors


def _named(printed: str, form: str, line: int, errors: list[RowError]) -> TableRow | None:
    project_name = parse_project_name(printed)
    if not project_name.name:
        errors.append(RowError(line, NAME_HEADER, _("事業名が空です。")))
        return None
    return TableRow(printed_name=printed, project_name=project_name, form=form, line=line)


def _short_row(cells, line, errors):
    row = _named(normalize_text(strip_markup(cells[0])), SHORT, line, errors)
    if row:
        row.summary = cell_lines(cells[1])
        row.actions_in_period = cell_lines(cells[2])
    return row


def _yearly_row(cells, columns, line, previous_rows, errors):
    texts = {column: cell_lines(cell) for column, cell in zip(columns, cells[2:], strict=True)}
    texts = {column: text for column, text in texts.items() if text}
    name_cell, baseline = cells[0].strip(), cell_lines(cells[1])
    if not name_cell and not baseline:
        # A further printed line of the project above.
        if not previous_rows:
            errors.append(RowError(line, NAME_HEADER, _("事業名のない行が表の先頭にあります。")))
        elif texts:
            previous_rows[-1].target_lines.append(texts)
        return None
    if not name_cell:
        errors.append(RowError(line, NAME_HEADER, _("事業名が空です。")))
        return None
    printed, summary = split_name_cell(name_cell)
    row = _named(printed, YEARLY, line, errors)
    if row:
        row.summary, row.baseline = summary, baseline
        row.target_lines = [texts] if texts else []
    return row
