"""The portal's column layouts for indicators (成果指標) and for revised targets (目標変更):
export and import share them, so a file read back changes nothing.

Indicators, one row per indicator (a compound indicator's parts on rows of their own):

    階層パス | 事業名 | 指標名 | 複合指標 | 種類 | 単位 | 望ましい方向 | 出典 | 注記
    | 基準値 | 基準値の時点 | 2011年度目標 | 2011年度実績 | … | 2030年度目標 | 2030年度実績

- 階層パス names the node (``projects.layout``: the keys of the nodes from the
  top, joined by " > "); with 事業名 empty the indicator is the node's, else the
  project's listed there, its name as printed (…(各区)).
- 指標名 is the indicator's key on its node or project: a row names an existing
  indicator by it, or adds one.
- 複合指標: for a part of a compound indicator, the 指標名 of the indicator it is
  part of (same node or project); empty otherwise.
- 種類 and 望ましい方向 are the labels the admin shows (成果指標, 重要業績評価指標
  （KPI）, 数値目標, 市民の実感指標; 値が大きいほど良い, 値が小さいほど良い).
- 基準値 is as written (45.2%, 約3万人); 基準値の時点 is a fiscal year (2012年度)
  or a label as written (計画策定時).
- A pair of columns per fiscal year — each year of the plan, then any later
  year an indicator has a target for (a 2030 goal) — each cell as written
  (80%以上, 継続実施); the number is read from the text.

Revised targets (目標変更), one row per revision:

    階層パス | 事業名 | 表の行 | 目標の年度 | 当初の目標 | 変更後の内容・目標 | 変更を決めた年度 | 変更の理由

- 階層パス and 事業名 name the project (at its home node or where it is 再掲).
- 表の行 is the line of its target table (1 = the first, as in the project
  layout), 目標の年度 the column (2012年度, or 2014年度以降 for the one after the
  plan); 当初の目標 is the printed target, for readers (not read: it is never
  overwritten).
- 変更を決めた年度 is a fiscal year (2012); a row names an existing revision by
  its project, line, column and that year, or adds one.

Pure Python: ``projects.indicator_import`` feeds it objects and reads it back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from projects.layout import NODE_PATH, PROJECT_NAME, clean_cell
from projects.table_format import RowError, column_label
from projects.target_table import Column

INDICATOR_NAME = "指標名"
PART_OF = "複合指標"
KIND = "種類"
UNIT = "単位"
DIRECTION = "望ましい方向"
SOURCE = "出典"
NOTE = "注記"
BASELINE = "基準値"
BASELINE_WHEN = "基準値の時点"
INDICATOR_HEADERS = [
    NODE_PATH,
    PROJECT_NAME,
    INDICATOR_NAME,
    PART_OF,
    KIND,
    UNIT,
    DIRECTION,
    SOURCE,
    NOTE,
    BASELINE,
    BASELINE_WHEN,
]
TARGET_SUFFIX = "年度目標"
ACTUAL_SUFFIX = "年度実績"

TABLE_LINE = "表の行"
TARGET_YEAR = "目標の年度"
ORIGINAL = "当初の目標"
REVISED = "変更後の内容・目標"
DECIDED_IN = "変更を決めた年度"
REASON = "変更の理由"
REVISION_HEADERS = [
    NODE_PATH,
    PROJECT_NAME,
    TABLE_LINE,
    TARGET_YEAR,
    ORIGINAL,
    REVISED,
    DECIDED_IN,
    REASON,
]

INDICATORS = "indicators"
REVISIONS = "revisions"

_YEAR = re.compile(r"^(\d{4})年度$")
_TARGET_YEAR = re.compile(r"^(\d{4})年度(以降)?$")
_HEADER = re.compile(r"^(\d{4})(年度目標|年度実績)$")


def year_headers(years: list[int]) -> list[str]:
    return [f"{year}{suffix}" for year in years for suffix in (TARGET_SUFFIX, ACTUAL_SUFFIX)]


def indicator_headers(years: list[int]) -> list[str]:
    return INDICATOR_HEADERS + year_headers(years)


def read_when(text: str) -> tuple[int | None, str]:
    """基準値の時点: (fiscal year, "") for 2012年度, else (None, the label as written)."""
    match = _YEAR.match(text)
    return (int(match.group(1)), "") if match else (None, text)


def target_year_text(column: Column) -> str:
    return column_label(column)


def read_target_year(text: str) -> Column | None:
    match = _TARGET_YEAR.match(text)
    return Column(int(match.group(1)), bool(match.group(2))) if match else None


# --- records: what a row says -------------------------------------------------------


@dataclass
class IndicatorRecord:
    line: int
    node_path: str
    project_name: str  # as printed; "" for a node's indicator
    name: str
    part_of: str
    kind: str  # the label
    unit: str
    direction: str  # the label
    source: str
    note: str
    baseline: str
    baseline_when: str
    values: dict[int, tuple[str, str]] = field(default_factory=dict)  # year → (target, actual)

    def row(self, years: list[int]) -> list[str]:
        cells = [
            self.node_path,
            self.project_name,
            self.name,
            self.part_of,
            self.kind,
            self.unit,
            self.direction,
            self.source,
            self.note,
            self.baseline,
            self.baseline_when,
        ]
        for year in years:
            cells += list(self.values.get(year, ("", "")))
        return cells


@dataclass
class RevisionRecord:
    line: int
    node_path: str
    project_name: str
    table_line: int
    column: Column
    original: str
    text: str
    decided_in: int
    reason: str

    def row(self) -> list:
        return [
            self.node_path,
            self.project_name,
            self.table_line,
            target_year_text(self.column),
            self.original,
            self.text,
            self.decided_in,
            self.reason,
        ]


# --- reading --------------------------------------------------------------------------


def layout_of(cells: list[str]) -> str | None:
    """Which layout a header row is: INDICATORS, REVISIONS or neither."""
    cells = [cell.strip() for cell in cells]
    if cells[: len(INDICATOR_HEADERS)] == INDICATOR_HEADERS:
        return INDICATORS
    if cells[: len(REVISION_HEADERS)] == REVISION_HEADERS:
        return REVISIONS
    return None


def read_indicator_header(cells: list[str], line: int) -> tuple[list[int], list[RowError]]:
    """The fiscal years of an indicator file's header: a 目標 and an 実績 column each."""
    years, errors = [], []
    rest = [cell.strip() for cell in cells[len(INDICATOR_HEADERS) :]]
    for index in range(0, len(rest), 2):
        pair = rest[index : index + 2]
        match = _HEADER.match(pair[0])
        year = int(match.group(1)) if match else None
        if year is None or pair != year_headers([year]):
            errors.append(
                RowError(
                    line,
                    pair[0],
                    _("年度の列は「2012年度目標」「2012年度実績」の組にしてください。"),
                )
            )
            continue
        if years and year <= years[-1]:
            errors.append(RowError(line, pair[0], _("年度の列は古い順に一度ずつ並べてください。")))
            continue
        years.append(year)
    return years, errors


def _cells(cells: list[str], width: int, guarded: bool) -> list[str]:
    cells = cells + [""] * (width - len(cells))
    return [clean_cell(cell, guarded=guarded) for cell in cells]


def _too_wide(line: int, cells: list[str], width: int) -> RowError | None:
    """A row with values beyond the header's columns: they would be lost silently."""
    if len(cells) > width and any(cell.strip() for cell in cells[width:]):
        message = _("見出しのない列に値があります（%(width)d列まで）。") % {"width": width}
        return RowError(line, "", message)
    return None


def read_indicator_rows(rows, years: list[int], *, guarded: bool):
    """IndicatorRecords of the data rows, and the errors of the rows too wide."""
    width = len(INDICATOR_HEADERS) + 2 * len(years)
    records, errors = [], []
    for line, cells in rows:
        if error := _too_wide(line, cells, width):
            errors.append(error)
            continue
        cells = _cells(cells[:width], width, guarded)
        fixed = dict(zip(INDICATOR_HEADERS, cells, strict=False))
        values = {}
        for index, year in enumerate(years):
            pair = cells[
                len(INDICATOR_HEADERS) + 2 * index : len(INDICATOR_HEADERS) + 2 * index + 2
            ]
            if any(pair):
                values[year] = (pair[0], pair[1])
        records.append(
            IndicatorRecord(
                line=line,
                node_path=fixed[NODE_PATH].replace("\n", " "),
                project_name=fixed[PROJECT_NAME],
                name=fixed[INDICATOR_NAME],
                part_of=fixed[PART_OF],
                kind=fixed[KIND],
                unit=fixed[UNIT],
                direction=fixed[DIRECTION],
                source=fixed[SOURCE],
                note=fixed[NOTE],
                baseline=fixed[BASELINE],
                baseline_when=fixed[BASELINE_WHEN],
                values=values,
            )
        )
    return records, errors


def read_revision_rows(rows, *, guarded: bool):
    """RevisionRecords of the data rows, with an error for each cell that is not one."""
    width = len(REVISION_HEADERS)
    records, errors = [], []
    for line, cells in rows:
        if error := _too_wide(line, cells, width):
            errors.append(error)
            continue
        values = dict(zip(REVISION_HEADERS, _cells(cells[:width], width, guarded), strict=True))
        problems = []
        table_line = values[TABLE_LINE] or "1"
        if not table_line.isdecimal() or int(table_line) < 1:
            problems.append(
                RowError(
                    line,
                    TABLE_LINE,
                    _("1以上の整数にしてください: %(value)s") % {"value": repr(table_line)},
                )
            )
        column = read_target_year(values[TARGET_YEAR])
        if column is None:
            problems.append(
                RowError(
                    line,
                    TARGET_YEAR,
                    _("「2012年度」か「2014年度以降」の形にしてください: %(value)s")
                    % {"value": repr(values[TARGET_YEAR])},
                )
            )
        decided = values[DECIDED_IN].removesuffix("年度")
        if not decided.isdecimal():
            problems.append(
                RowError(
                    line,
                    DECIDED_IN,
                    _("年度を数字で書いてください（例：2012）: %(value)s")
                    % {"value": repr(values[DECIDED_IN])},
                )
            )
        for header in (NODE_PATH, PROJECT_NAME, REVISED, REASON):
            if not values[header]:
                problems.append(RowError(line, header, _("空にはできません。")))
        if problems:
            errors.extend(problems)
            continue
        records.append(
            RevisionRecord(
                line=line,
                node_path=values[NODE_PATH].replace("\n", " "),
                project_name=values[PROJECT_NAME],
                table_line=int(table_line),
                column=column,
                original=values[ORIGINAL],
                text=values[REVISED],
                decided_in=int(decided),
                reason=values[REASON],
            )
        )
    return records, errors
