"""Lay a plan's periods out as the printed period table: years across, parts down.

Seed 000 prints the periods of Kawasaki's plan as a grid: one column per fiscal
year, one row per part (基本構想, 基本計画, 実施計画), each period a bar over
its years; the three phases of the implementation plan share one row. An
open-ended period (基本構想: 30年程度を展望) runs off the right edge.

This module computes that grid from anything with ``part``, ``row_label``,
``start_fiscal_year`` and ``end_fiscal_year``; templates only draw it. It is
pure Python.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Bar:
    """A period drawn over ``span`` columns from ``first_column``."""

    period: Any
    first_column: int
    span: int
    open_ended: bool  # runs on past the last column
    is_bar = True

    @property
    def first_year(self) -> int:
        return self.period.start_fiscal_year


@dataclass(frozen=True)
class Gap:
    """Empty columns between bars."""

    first_column: int
    span: int
    is_bar = False


@dataclass
class Row:
    label: str
    cells: list[Bar | Gap] = field(default_factory=list)


@dataclass
class Timeline:
    years: list[int]
    rows: list[Row]

    @property
    def bars(self) -> list[Bar]:
        return [cell for row in self.rows for cell in row.cells if isinstance(cell, Bar)]

    @property
    def has_open_ended(self) -> bool:
        return any(bar.open_ended for bar in self.bars)


def _last_year(periods) -> int:
    ends = [p.end_fiscal_year for p in periods if p.end_fiscal_year]
    starts = [p.start_fiscal_year for p in periods]
    return max(ends + starts)


def _overlap(one, other, last: int) -> bool:
    return one.start_fiscal_year <= (other.end_fiscal_year or last) and other.start_fiscal_year <= (
        one.end_fiscal_year or last
    )


def build_timeline(periods, label=lambda period: period.row_label) -> Timeline:
    """The grid of ``periods``, in their order: rows by part, lanes where periods overlap.

    Periods of one part share a row while they do not overlap (第1期, 第2期,
    第3期); an overlapping one opens another row of the same part. A row is
    headed by ``label(period)`` of its first period.
    """
    periods = list(periods)
    if not periods:
        return Timeline(years=[], rows=[])
    first = min(p.start_fiscal_year for p in periods)
    last = _last_year(periods)
    years = list(range(first, last + 1))
    lanes: list[tuple[str, list]] = []  # part, periods in the lane
    for period in periods:
        lane = next(
            (
                members
                for part, members in lanes
                if part == period.part
                and not any(_overlap(period, other, last) for other in members)
            ),
            None,
        )
        if lane is None:
            lanes.append((period.part, [period]))
        else:
            lane.append(period)
    rows = []
    for _part, members in lanes:
        row = Row(label=label(members[0]))
        column = 0
        for period in sorted(members, key=lambda p: p.start_fiscal_year):
            start = period.start_fiscal_year - first
            end = (period.end_fiscal_year or last) - first
            if start > column:
                row.cells.append(Gap(column, start - column))
            row.cells.append(Bar(period, start, end - start + 1, period.end_fiscal_year is None))
            column = end + 1
        if column < len(years):
            row.cells.append(Gap(column, len(years) - column))
        rows.append(row)
    return Timeline(years=years, rows=rows)
