"""The portal's own table layout for project listings: export and import share it.

One row per project listing (a project at its home measure, or again under
another measure as 再掲), in the plan's printed order:

    階層パス | 項目名 | 事業名 | 事業概要 | 現状 | 計画期間の取組 | 所管局 | 所管課 | 区 | 表の行
    | 2011年度 | … | 2014年度以降 | 結合セル | 目標変更 | 版

- 階層パス names the node the project is listed under: the key of each node
  from the top of the tree down, joined by " > ". A node's key is its printed
  code (Ⅶ-1-(1)) or, where the plan prints none, its exact title; the tree
  guarantees both are unique among siblings.
- 項目名 is that node's title, for readers; the importer does not read it.
- 事業名 is printed as the plan prints it, markers included:
  地域コミュニティ活性化推進事業(各区)(再掲).
- 所管局, 所管課 and 区 are the project's responsible bureau and section and
  its wards (names joined by "、"). A file that lacks all three columns (one
  written before they existed) states none: the importer leaves them alone.
- 表の行 is 1 for the first printed line of a project's target table; a table
  printed on several lines continues on rows 2, 3, … right below it (same
  path and name, the other text columns empty).
- One column per fiscal year of the plan, then the after-period column; the
  cells are as printed: "→" means the same as the year before. A merged cell
  (one text printed across 2011–2013) is repeated in every year it covers, so
  that a spreadsheet filtered on 2013 shows it, and 結合セル names each merge
  of the line, one a line: 2011年度～2013年度. The importer keeps one merged
  cell where a covered year still holds the first year's text (a year edited
  to another text breaks the merge there); a file without 結合セル reads as
  printed: an empty cell after a filled one is covered by it.
- 目標変更 lists the revised targets of that line of the table, one a line:
  2012年度：新しい目標（2012年度に変更。理由：…）. It is for readers: the
  importer does not read it (revisions are entered in the admin), and a file
  without it is read the same.
- 版, last, is the version of the project when it was exported: the importer refuses
  to overwrite a project changed since. A file written before the column
  existed, or a row typed in by hand, leaves it out or empty.

Cells are plain text, taken as they are: text that looks like markup
(``<SDGs>``) is part of a name, never a tag. A CSV cell that a spreadsheet
would run as a formula carries a leading apostrophe (``guard_formula``).

A plan without a fiscal period has no year columns. Pure Python: the export
and import services feed it rows and nodes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from projects.table_format import (
    SHORT,
    YEARLY,
    Responsibility,
    RowError,
    TableRow,
    column_label,
    parse_year_header,
)
from projects.target_table import (
    Column,
    Revision,
    normalize_name,
    normalize_text,
    parse_project_name,
)

PATH_SEPARATOR = " > "

NODE_PATH = "階層パス"
NODE_TITLE = "項目名"
PROJECT_NAME = "事業名"
SUMMARY = "事業概要"
BASELINE = "現状"
ACTIONS = "計画期間の取組"
BUREAU = "所管局"
DIVISION = "所管課"
WARDS = "区"
TABLE_LINE = "表の行"
MERGED = "結合セル"
MERGE_RANGE = "～"
REVISIONS = "目標変更"
VERSION = "版"
VERSION_KEY = "project_version"
WARD_SEPARATOR = "、"

# (header, JSON key) of the columns before the fiscal years, in order.
FIXED_COLUMNS: tuple[tuple[str, str], ...] = (
    (NODE_PATH, "node_path"),
    (NODE_TITLE, "node_title"),
    (PROJECT_NAME, "project_name"),
    (SUMMARY, "summary"),
    (BASELINE, "baseline"),
    (ACTIONS, "actions_in_period"),
    (BUREAU, "bureau"),
    (DIVISION, "division"),
    (WARDS, "wards"),
    (TABLE_LINE, "table_line"),
)
FIXED_HEADERS = [header for header, _key in FIXED_COLUMNS]
RESPONSIBILITY_HEADERS = (BUREAU, DIVISION, WARDS)
# The layout before it carried 所管局, 所管課 and 区; still read, and then leaves them alone.
FIXED_HEADERS_WITHOUT_RESPONSIBILITY = [
    header for header in FIXED_HEADERS if header not in RESPONSIBILITY_HEADERS
]
# What each column holds, for the open-data page (the fiscal years as one entry).
COLUMN_HELP = (
    (
        NODE_PATH,
        gettext_lazy(
            "事業が載っている項目。上の階層からの番号（番号のない項目は名前）を「 > 」でつないだもの"
        ),
    ),
    (NODE_TITLE, gettext_lazy("その項目の名前")),
    (
        PROJECT_NAME,
        # The markers as printed, put in by the page (marked Japanese on English pages).
        gettext_lazy(
            "計画書のとおりの事業名。%(relisted)s はほかの施策の事業をもう一度載せたもの、"
            "%(each_ward)s は各区で実施する事業"
        ),
    ),
    (SUMMARY, gettext_lazy("事業の概要")),
    (BASELINE, gettext_lazy("計画を策定した時点の状況")),
    (ACTIONS, gettext_lazy("年度ごとの目標がない事業の、計画期間の取組")),
    (BUREAU, gettext_lazy("担当する局")),
    (DIVISION, gettext_lazy("担当する課")),
    (WARDS, gettext_lazy("事業に関係する区（「、」区切り）")),
    (TABLE_LINE, gettext_lazy("目標の表が何行にもわたる事業の、その行の番号（1から）")),
    (
        "2011年度 … 2014年度以降",
        gettext_lazy("計画の年度ごとの事業内容・目標と、計画期間後。「→」は前年度と同じ"),
    ),
    (
        MERGED,
        gettext_lazy(
            "複数の年度にまたがる一つの目標（結合セル）の年度。その目標は、またがる年度すべての列にあります"
        ),
    ),
    (REVISIONS, gettext_lazy("計画の策定後に変更した目標と、その年度と理由")),
    (VERSION, gettext_lazy("書き出したときの事業の版（取り込みで、その後の変更を見分けるため）")),
)

# Columns a project's first row carries and its continuation rows (表の行 ≥ 2) leave empty.
FIRST_ROW_ONLY = (SUMMARY, BASELINE, ACTIONS, *RESPONSIBILITY_HEADERS, VERSION)

# Spreadsheets run a cell that starts with one of these as a formula; a CSV
# export prefixes such a cell with an apostrophe, which the importer removes.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_GUARD = "'"
_GUARD_FIRST = "".join(FORMULA_STARTS) + FORMULA_GUARD


def headers(columns: list[Column]) -> list[str]:
    return (
        FIXED_HEADERS + [column_label(column) for column in columns] + [MERGED, REVISIONS, VERSION]
    )


def json_keys(columns: list[Column]) -> list[str]:
    years = [
        f"fy{column.fiscal_year}" + ("_onward" if column.after_period else "") for column in columns
    ]
    return (
        [key for _header, key in FIXED_COLUMNS]
        + years
        + ["merged_years", "target_revisions", VERSION_KEY]
    )


def revision_text(revision: Revision) -> str:
    """2012年度：新しい目標（2012年度に変更。理由：…）, on one line."""
    text = normalize_text(revision.text).replace("\n", " ")
    reason = normalize_text(revision.reason).replace("\n", " ")
    return (
        f"{column_label(revision.column)}：{text}"
        f"（{revision.decided_in}年度に変更。理由：{reason}）"
    )


def guard_formula(value: str) -> str:
    """The CSV cell for ``value``: guarded where a spreadsheet would run it, or where
    the importer would take a typed apostrophe for a guard."""
    if not value or value[0] not in _GUARD_FIRST:
        return value  # the common case, and a fast one
    guarded = value.startswith(FORMULA_STARTS) or unguard_formula(value) != value
    return FORMULA_GUARD + value if guarded else value


def unguard_formula(value: str) -> str:
    if value.startswith(FORMULA_GUARD) and value[1:].startswith(FORMULA_STARTS):
        return value[1:]
    return value


def join_wards(names: Iterable[str]) -> str:
    return WARD_SEPARATOR.join(names)


_WARD_SEPARATORS = re.compile(r"[、,，\n]")


def split_wards(text: str) -> tuple[str, ...]:
    """Ward names from a 区 cell: separated by 、 (or a comma, or a line break), each once."""
    names = (name.strip() for name in _WARD_SEPARATORS.split(text))
    return tuple(dict.fromkeys(name for name in names if name))


# --- node paths ----------------------------------------------------------------


def node_key(code: str, title: str) -> str:
    return code or title


class NodePaths:
    """Every node of a plan by its path of keys, and back.

    ``nodes`` are objects with ``pk``, ``parent_id``, ``code`` and ``title``:
    all the nodes of one plan, so that every parent is among them.
    """

    def __init__(self, nodes: Iterable):
        self.nodes = {node.pk: node for node in nodes}
        self._paths: dict[int, str] = {}
        self.by_path = {self.path(pk): node for pk, node in self.nodes.items()}

    def path(self, pk: int) -> str:
        if pk not in self._paths:
            node = self.nodes[pk]
            key = node_key(node.code, node.title)
            parent = node.parent_id
            self._paths[pk] = (self.path(parent) + PATH_SEPARATOR if parent else "") + key
        return self._paths[pk]

    def find(self, reference: str) -> list:
        """Nodes a person may mean by ``reference``: a full path, a printed code,
        or the title of a node the plan prints no code for."""
        reference = reference.strip()
        if reference in self.by_path:
            return [self.by_path[reference]]
        coded = [node for node in self.nodes.values() if node.code and node.code == reference]
        if coded:
            return coded
        return [node for node in self.nodes.values() if not node.code and node.title == reference]


# --- writing -----------------------------------------------------------------


@dataclass
class ListingRecord:
    """One project listing as the layout lays it out."""

    node_path: str
    node_title: str
    printed_name: str
    summary: str = ""
    baseline: str = ""
    actions_in_period: str = ""
    bureau: str = ""
    division: str = ""
    wards: tuple[str, ...] = ()
    target_lines: list[dict[Column, str]] = field(default_factory=list)
    revision_lines: list[list[Revision]] = field(default_factory=list)  # per target line
    version: int | None = None

    def rows(self, columns: list[Column]) -> list[list[str]]:
        """The record's rows: one per printed line of its target table, at least one."""
        lines = self.target_lines or [{}]
        rows = []
        for number, texts in enumerate(lines, start=1):
            first = number == 1
            rows.append(
                [
                    self.node_path,
                    self.node_title,
                    self.printed_name,
                    self.summary if first else "",
                    self.baseline if first else "",
                    self.actions_in_period if first else "",
                    self.bureau if first else "",
                    self.division if first else "",
                    join_wards(self.wards) if first else "",
                    str(number),
                ]
                + merged_line(columns, texts)
                + [self._revisions_cell(number - 1)]
                + [str(self.version) if first and self.version is not None else ""]
            )
        return rows

    def _revisions_cell(self, index: int) -> str:
        revisions = self.revision_lines[index] if index < len(self.revision_lines) else []
        return "\n".join(revision_text(revision) for revision in revisions)


def merged_line(columns: list[Column], texts: dict[Column, str]) -> list[str]:
    """A target line's year cells, each merged text repeated in every year it covers,
    then the 結合セル cell naming the merges.

    As ``target_table.build_row`` reads a line: an empty cell after a filled one
    (text or →) is covered by it. Written out here for speed: a big export calls it
    for every line."""
    cells: list[str] = []
    merges: list[str] = []
    head: int | None = None  # the column of the filled cell now covering
    for index, column in enumerate(columns):
        text = (texts.get(column) or "").strip()
        if text:
            if head is not None and index - head > 1:
                merges.append(merge_label(columns[head], columns[index - 1]))
            head = index
            cells.append(text)
        else:
            cells.append(cells[head] if head is not None else "")
    if head is not None and len(columns) - head > 1:
        merges.append(merge_label(columns[head], columns[-1]))
    return cells + ["\n".join(merges)]


def merge_label(first: Column, last: Column) -> str:
    return f"{column_label(first)}{MERGE_RANGE}{column_label(last)}"


# --- reading -----------------------------------------------------------------


@dataclass
class LayoutRow:
    """A read row: the node path it names and the project row it carries."""

    node_path: str
    row: TableRow


@dataclass(frozen=True)
class LayoutHeader:
    """What a file's header row says: its fixed columns, its fiscal-year columns and
    whether it ends with 版."""

    fixed: list[str]  # FIXED_HEADERS, or FIXED_HEADERS_WITHOUT_RESPONSIBILITY
    columns: list[Column]
    has_revisions: bool = False  # a 目標変更 column after the years, which is not read
    has_version: bool = False
    has_merged: bool = False  # a 結合セル column right after the years

    @property
    def width(self) -> int:
        return (
            len(self.fixed)
            + len(self.columns)
            + self.has_merged
            + self.has_revisions
            + self.has_version
        )

    @property
    def states_responsibility(self) -> bool:
        return BUREAU in self.fixed


def read_header(cells: list[str], line: int) -> tuple[LayoutHeader | None, list[RowError]]:
    """The columns of a layout header; errors name the column that is wrong."""
    cells = [cell.strip() for cell in cells]
    for fixed in (FIXED_HEADERS, FIXED_HEADERS_WITHOUT_RESPONSIBILITY):
        if cells[: len(fixed)] == fixed:
            break
    else:
        return None, [
            RowError(
                line,
                _("%(number)d列目") % {"number": index},
                _("見出しは「%(expected)s」のはずですが「%(found)s」です。")
                % {"expected": expected, "found": found},
            )
            for index, (expected, found) in enumerate(
                zip(FIXED_HEADERS, cells + [""] * len(FIXED_HEADERS), strict=False), start=1
            )
            if expected != found
        ]
    has_version = len(cells) > len(fixed) and cells[-1] == VERSION
    if has_version:
        cells = cells[:-1]
    has_revisions = len(cells) > len(fixed) and cells[-1] == REVISIONS
    if has_revisions:
        cells = cells[:-1]
    has_merged = len(cells) > len(fixed) and cells[-1] == MERGED
    if has_merged:
        cells = cells[:-1]
    if len(cells) == len(fixed):
        return LayoutHeader(fixed, [], has_revisions, has_version, has_merged), []
    columns, errors = parse_year_header(cells, line, first=len(fixed))
    return LayoutHeader(fixed, columns, has_revisions, has_version, has_merged), errors


def clean_cell(text: str, *, guarded: bool = True) -> str:
    """A cell's text, lines as typed, spaces collapsed; ``guarded``: a CSV cell,
    whose formula guard (a leading apostrophe) is removed."""
    text = text or ""
    return normalize_text(unguard_formula(text) if guarded else text)


def read_rows(
    numbered_rows: Iterable[tuple[int, list[str]]],
    header: LayoutHeader,
    *,
    max_name: int = 200,
    guarded: bool = True,
) -> tuple[list[LayoutRow], list[RowError]]:
    """Read the data rows below a layout header, all of them, collecting every error.

    ``guarded``: the cells are a CSV's, with formula guards (not an Excel's or a JSON's).
    """
    fixed, columns = header.fixed, header.columns
    read: list[LayoutRow] = []
    errors: list[RowError] = []
    last: tuple[str, str, int] | None = None  # path, name and 表の行 of the row above
    for line, cells in numbered_rows:
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != header.width:
            errors.append(
                RowError(
                    line,
                    "",
                    _("列の数が%(count)dです。見出しでは%(width)d列です。")
                    % {"count": len(cells), "width": header.width},
                )
            )
            last = None
            continue
        cells = [clean_cell(cell, guarded=guarded) for cell in cells]
        values = dict(zip(fixed, cells, strict=False))
        if header.has_version:
            values[VERSION] = cells[-1]
        path = values[NODE_PATH].replace("\n", " ")
        printed = normalize_name(values[PROJECT_NAME])
        texts = {
            column: cell for column, cell in zip(columns, cells[len(fixed) :], strict=False) if cell
        }
        if header.has_merged:
            merges = cells[len(fixed) + len(columns)]
            texts = _unmerged(texts, merges, columns, line, errors)
        number_text = values[TABLE_LINE] or "1"
        if not number_text.isdecimal() or int(number_text) < 1:
            errors.append(
                RowError(
                    line,
                    TABLE_LINE,
                    _("1以上の整数にしてください: %(value)s") % {"value": repr(number_text)},
                )
            )
            last = None
            continue
        number = int(number_text)
        if number > 1:
            filled = [name for name in FIRST_ROW_ONLY if values.get(name)]
            if last != (path, printed, number - 1):
                errors.append(
                    RowError(
                        line,
                        TABLE_LINE,
                        _(
                            "%(number)d行目の行は、同じ階層パスと事業名の%(previous)d行目の"
                            "すぐ下に置いてください。"
                        )
                        % {"number": number, "previous": number - 1},
                    )
                )
            elif filled:
                errors.extend(
                    RowError(line, name, _("表の2行目以降には年度の列だけを書いてください。"))
                    for name in filled
                )
            elif texts:
                read[-1].row.target_lines.append(texts)
            last = (path, printed, number)
            continue
        last = (path, printed, number)
        row = _layout_row(line, path, printed, values, texts, header, max_name, errors)
        if row:
            read.append(row)
    return read, errors


def merge_spans(merges: str, columns: list[Column]) -> tuple[list[tuple[int, int]], list[str]]:
    """The merges a 結合セル cell names, as (first, last) indexes into ``columns``,
    and the lines that name none."""
    index = {column_label(column): number for number, column in enumerate(columns)}
    spans, unread = [], []
    for merge in merges.splitlines():
        first, _sep, last = (part.strip() for part in merge.partition(MERGE_RANGE))
        start, end = index.get(first), index.get(last)
        if start is None or end is None or start >= end:
            unread.append(merge)
        else:
            spans.append((start, end))
    return spans, unread


def _unmerged(
    texts: dict[Column, str], merges: str, columns: list[Column], line: int, errors: list
) -> dict[Column, str]:
    """The line's cells as stored: a year that 結合セル says a merge covers and that
    repeats the merge's first text is left empty again (covered by the first)."""
    spans, unread = merge_spans(merges, columns)
    errors.extend(
        RowError(
            line,
            MERGED,
            _(
                "「%(value)s」は結合セルとして読めません。"
                "「%(example)s」のように、表の年度の列で書いてください。"
            )
            % {"value": merge, "example": _merge_example(columns)},
        )
        for merge in unread
    )
    texts = dict(texts)
    for start, end in spans:
        text = texts.get(columns[start])
        for column in columns[start + 1 : end + 1]:
            if text and texts.get(column) == text:
                del texts[column]
    return texts


def _merge_example(columns: list[Column]) -> str:
    if len(columns) < 2:
        return f"2011年度{MERGE_RANGE}2013年度"
    return merge_label(columns[0], columns[-2])


def _layout_row(line, path, printed, values, texts, header, max_name, errors):
    project_name = parse_project_name(printed)
    problems = []
    if not path:
        problems.append(RowError(line, NODE_PATH, _("階層パスが空です。")))
    if not project_name.name:
        problems.append(RowError(line, PROJECT_NAME, _("事業名が空です。")))
    elif len(project_name.name) > max_name:
        problems.append(
            RowError(line, PROJECT_NAME, _("事業名は%(max)d文字までです。") % {"max": max_name})
        )
    version_text = values.get(VERSION, "")
    if version_text and not version_text.isdecimal():
        problems.append(
            RowError(
                line,
                VERSION,
                _("版は書き出したときの数のままにしてください（新しい行では空にします）: %(value)s")
                % {"value": repr(version_text)},
            )
        )
    if problems:
        errors.extend(problems)
        return None
    return LayoutRow(
        node_path=path,
        row=TableRow(
            printed_name=printed,
            project_name=project_name,
            form=YEARLY if header.columns and (texts or values[BASELINE]) else SHORT,
            line=line,
            summary=values[SUMMARY],
            baseline=values[BASELINE],
            actions_in_period=values[ACTIONS],
            target_lines=[texts] if texts else [],
            responsibility=_responsibility(values) if header.states_responsibility else None,
            version=int(version_text) if version_text else None,
        ),
    )


def _responsibility(values: dict[str, str]) -> Responsibility:
    """The names of a first row's 所管局 and 所管課 (one line each) and 区."""
    return Responsibility(
        bureau=values[BUREAU].replace("\n", " "),
        division=values[DIVISION].replace("\n", " "),
        wards=split_wards(values[WARDS]),
    )
