"""The semantics of the published plan's target tables, in one place.

A project's yearly targets are printed as a row of cells, one per fiscal year
of the plan plus an open-ended "after the period" column (2014年度以降). Two
conventions of the printed tables carry meaning and must survive:

- A cell holding only "→" (one arrow per line) means "the same as the year
  before". An arrow inside a longer cell keeps its place on its line.
- An empty cell after a filled one is covered by that cell: the printed table
  merged them, so the filled text spans those years.

A target may later be revised (目標変更): the printed text stays as it is and
the revision — its text, the fiscal year it was decided in and why — is shown
in the cell that covers the revised year.

Project names carry two markers: "(再掲)" (listed again: the same project shown
under another measure) and "(各区)" (carried out by each ward).

This module is pure Python: the importer, the seed loader, the public pages
and the exports call it; none of them re-implements these rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

ARROW = "→"
RELISTED_MARK = "(再掲)"
EACH_WARD_MARK = "(各区)"


@dataclass(frozen=True, order=True)
class Column:
    """One column of a target table: a fiscal year, or the years after the period."""

    fiscal_year: int
    after_period: bool = False


def plan_columns(first_fiscal_year: int, last_fiscal_year: int) -> list[Column]:
    """The columns of a plan's target table: each year of the period, then 以降."""
    years = [Column(year) for year in range(first_fiscal_year, last_fiscal_year + 1)]
    return years + [Column(last_fiscal_year + 1, after_period=True)]


class CellKind(StrEnum):
    TEXT = "text"
    SAME_AS_PREVIOUS = "same"  # "→"
    CONTINUED = "continued"  # empty, covered by the filled cell before it
    EMPTY = "empty"  # empty with nothing before it in the row


@dataclass(frozen=True)
class Revision:
    """A revised target (目標変更) for one column: the printed target is not replaced."""

    column: Column
    text: str
    decided_in: int  # the fiscal year of the decision
    reason: str


@dataclass(frozen=True)
class Cell:
    column: Column
    kind: CellKind
    text: str  # as printed ("" for empty cells, "→" lines for arrows)
    resolved_text: str = ""  # what the cell means: for "→", the text it repeats
    span: int = 1  # columns covered by a shown cell, itself included; 0 if continued
    last_column: Column | None = None  # the last column a shown cell covers
    revisions: tuple[Revision, ...] = ()  # of the columns a shown cell covers, in order

    @property
    def is_shown(self) -> bool:
        """False for cells merged into the one before them."""
        return self.kind is not CellKind.CONTINUED


def is_same_as_previous(text: str) -> bool:
    """True when every line of a cell is an arrow: the cell repeats the year before."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return bool(lines) and all(line == ARROW for line in lines)


def build_row(
    columns: list[Column], texts: dict[Column, str], revisions: Iterable[Revision] = ()
) -> list[Cell]:
    """Lay one printed row out as cells, resolving arrows and merged cells.

    ``texts`` maps a column to the cell's printed text; a missing or blank
    column is an empty cell. Each of ``revisions`` goes to the shown cell that
    covers its column (a revision of a merged year sits in the merged cell).
    """
    revisions = list(revisions)
    kinds: list[tuple[CellKind, str, str]] = []  # kind, text, resolved text
    head: int | None = None  # index of the last shown, non-empty cell
    for column in columns:
        text = (texts.get(column) or "").strip()
        if text and is_same_as_previous(text):
            meaning = kinds[head][2] if head is not None else ""
            kinds.append((CellKind.SAME_AS_PREVIOUS, text, meaning))
            head = len(kinds) - 1
        elif text:
            kinds.append((CellKind.TEXT, text, text))
            head = len(kinds) - 1
        elif head is not None:
            kinds.append((CellKind.CONTINUED, "", kinds[head][2]))
        else:
            kinds.append((CellKind.EMPTY, "", ""))
    cells = []
    for index, (kind, text, meaning) in enumerate(kinds):
        if kind is CellKind.CONTINUED:
            cells.append(Cell(columns[index], kind, text, meaning, span=0))
            continue
        end = index + 1
        while (
            kind is not CellKind.EMPTY and end < len(kinds) and kinds[end][0] is CellKind.CONTINUED
        ):
            end += 1
        covered = set(columns[index:end])
        cells.append(
            Cell(
                columns[index],
                kind,
                text,
                meaning,
                span=end - index,
                last_column=columns[end - 1],
                revisions=tuple(
                    sorted(
                        (r for r in revisions if r.column in covered),
                        key=lambda r: (r.column, r.decided_in),
                    )
                ),
            )
        )
    return cells


# --- names -----------------------------------------------------------------


@dataclass(frozen=True)
class ProjectName:
    """A project name as printed, split into the name and its markers."""

    name: str
    each_ward: bool
    relisted: bool

    @property
    def printed(self) -> str:
        return (
            self.name
            + (EACH_WARD_MARK if self.each_ward else "")
            + (RELISTED_MARK if self.relisted else "")
        )


_MARKS = re.compile(r"\((再掲|各区)\)\s*$")


def parse_project_name(printed: str) -> ProjectName:
    """Split 地域コミュニティ活性化推進事業(各区)(再掲) into name and markers.

    Only trailing markers count: "(地域支援事業)" or "(市道)" stay part of
    the name.
    """
    name = normalize_name(printed)
    each_ward = relisted = False
    while match := _MARKS.search(name):
        if match[1] == "再掲":
            relisted = True
        else:
            each_ward = True
        name = name[: match.start()].rstrip()
    return ProjectName(name=name, each_ward=each_ward, relisted=relisted)


def display_name(name: str, each_ward: bool) -> str:
    """The project name as a citizen reads it: with (各区) where it applies."""
    return name + (EACH_WARD_MARK if each_ward else "")


# --- text ------------------------------------------------------------------

_SPACES = re.compile(r"[ \t\u3000]+")
# Anything normalize_text would change: a tab or ideographic space, a line end
# other than \n, two spaces, space at either end of a line, a blank line.
_UNNORMALIZED = re.compile(r"[\t\u3000\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]| {2}|^\s|\s$|\s\n|\n\s")


def normalize_text(text: str) -> str:
    """Collapse runs of spaces and drop blank lines; the characters stay as printed."""
    if not text or not _UNNORMALIZED.search(text):
        return text or ""  # already normal: the common case, and a fast one
    lines = [_SPACES.sub(" ", line).strip() for line in text.splitlines()]
    return "\n".join(line for line in lines if line)


# U+FF5E (～) is left alone: Japanese uses it as the range dash.
_FULL_WIDTH_ASCII = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5E)} | {0x3000: 0x20}


def fold_width(text: str) -> str:
    """Full-width ASCII to half-width: "（２）" → "(2)". Unlike NFKC, it keeps
    ①, ～ and half-width kana as printed."""
    return (text or "").translate(_FULL_WIDTH_ASCII)


def normalize_name(text: str) -> str:
    """A name as the portal keys it, on one line and width-folded, so that
    "（再掲）" and "(再掲)" are one and the same marker."""
    return normalize_text(fold_width(text)).replace("\n", " ")
