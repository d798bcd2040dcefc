"""Progress of projects: targets beside actuals year by year, and roll-ups by level.

``yearly_progress`` lines up, for each fiscal year, what the plan set as the
project's target (the meaning of its printed cells: "→" resolved, merged
cells spread over their years, see ``projects.target_table``) with the
year's actual result and evaluation.

``rollups`` counts results at each level of a scale for each fiscal
year — the table of Kawasaki's 施策進行管理・評価票 (how many projects
achieved their targets at level 1, 2, … 5).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count

from projects.target_table import CellKind


@dataclass
class YearProgress:
    fiscal_year: int
    targets: list[str]  # one per printed line of the target table, as they read that year
    result: object | None  # a ProjectResult, or None
    revisions: list = field(default_factory=list)  # the year's revised targets (目標変更)


def yearly_progress(project, results) -> list[YearProgress]:
    """One row per fiscal year of the plan that has a target or a result, in order."""
    targets: dict[int, list[str]] = {}
    revisions: dict[int, list] = {}
    for row in project.target_rows():
        for cell in row:
            for revision in cell.revisions:
                if not revision.column.after_period:
                    revisions.setdefault(revision.column.fiscal_year, []).append(revision)
            if cell.column.after_period or cell.kind is CellKind.EMPTY:
                continue
            targets.setdefault(cell.column.fiscal_year, []).append(cell.resolved_text)
    by_year = {result.fiscal_year: result for result in results}
    years = sorted(set(targets) | set(by_year) | set(revisions))
    return [
        YearProgress(year, targets.get(year, []), by_year.get(year), revisions.get(year, []))
        for year in years
    ]


@dataclass
class LevelRow:
    level: object  # a ScaleLevel
    counts: list[int]


@dataclass
class Rollup:
    """Counts per level (rows) and fiscal year (columns)."""

    years: list[int]
    rows: list[LevelRow] = field(default_factory=list)
    unrated: list[int] = field(default_factory=list)  # results without a level that year

    @property
    def totals(self) -> list[int]:
        return [sum(row.counts[i] for row in self.rows) for i in range(len(self.years))]

    @property
    def has_levels(self) -> bool:
        """True when some result carries a level of the scale."""
        return any(self.totals)

    @property
    def has_unrated(self) -> bool:
        return any(self.unrated)

    def year_bars(self, index: int) -> list[tuple[object, int]]:
        return [(row.level, row.counts[index]) for row in self.rows]

    def __bool__(self) -> bool:
        return bool(self.years)


def count_by_level(counts, levels) -> Rollup:
    """Lay out ``counts`` — (fiscal year, level id or None, how many) rows, as the
    database aggregates them — per level and year; years without results are left out."""
    totals: Counter = Counter()
    for year, level_id, number in counts:
        totals[(year, level_id)] += number
    counts = totals
    years = sorted({year for year, _level_id in counts})
    rollup = Rollup(years=years)
    for level in levels:
        rollup.rows.append(LevelRow(level, [counts[(year, level.pk)] for year in years]))
    rollup.unrated = [counts[(year, None)] for year in years]
    return rollup


SCALES = ("achievement", "review")  # ScaleLevel.Scale values, also ProjectResult's field names


def rollups(results, scales) -> dict[str, Rollup]:
    """The roll-up of ``results`` (a ProjectResult queryset) for each scale of the
    plan's scale set ``scales`` (None: no levels), from one aggregate query."""
    rows = list(
        results.values_list("fiscal_year", "achievement_id", "review_id")
        .annotate(number=Count("pk"))
        .order_by()
    )
    levels = list(scales.levels.all()) if scales else []
    return {
        scale: count_by_level(
            [(year, ids[index], number) for year, *ids, number in rows],
            [level for level in levels if level.scale == scale],
        )
        for index, scale in enumerate(SCALES)
    }
