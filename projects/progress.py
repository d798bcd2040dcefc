"""Progress of projects: targets beside actuals year by year, and roll-ups by level.

``yearly_progress`` lines up, for each fiscal year, what the plan set as the
project's target (the meaning of its printed cells: "→" resolved, merged
cells spread over their years, see ``projects.target_table``) with the
year's actual result and its level on each yearly criterion of the plan's
scheme.

``rollups`` counts projects at each level of each yearly criterion for
each fiscal year — the table of Kawasaki's 施策進行管理・評価票 (how many
projects achieved their targets at level 1, 2, … 5); ``rollup_line`` says in one line
how a node sums up its projects (the one place that decides what counts as
evaluated: a project without a result at a level never does).

An app above this one that runs the evaluation of projects (``rounds``)
registers an ``EvaluationWorkflow``: it says which projects are due a result
that is not there yet (counted as 未評価, so a half-done year never looks
complete) and which results may not be published yet.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Protocol

from django.db.models import Case, Exists, F, OuterRef, Q, Value, When, Window
from django.db.models.functions import RowNumber

from projects.target_table import CellKind

# --- evaluations run by a workflow above this app ------------------------------


class EvaluationWorkflow(Protocol):
    def pending(self, projects, results) -> Iterable[tuple[int, int]]:
        """(fiscal year, how many) of ``projects`` due a result for that year that
        has none among ``results``."""

    def held_back(self, results):
        """The rows of ``results`` that may not be published yet."""

    def is_held(self, project_id: int, fiscal_year: int) -> bool:
        """May the result of this project and year not be published yet?"""

    def due(self, projects, results, fiscal_year: int):
        """The ids (a ``values("project_id")`` queryset) of ``projects`` due a result
        for ``fiscal_year`` that has none among ``results``."""


_workflows: list[EvaluationWorkflow] = []


def register_evaluation_workflow(workflow: EvaluationWorkflow) -> None:
    if workflow not in _workflows:
        _workflows.append(workflow)


def pending_evaluations(projects, results) -> Counter:
    """Per fiscal year, how many of ``projects`` are due a result missing from ``results``."""
    counts: Counter = Counter()
    for workflow in _workflows:
        for year, number in workflow.pending(projects, results):
            counts[year] += number
    return counts


def due_condition(projects, results, fiscal_year: int) -> Q:
    """A filter of projects: due a result for ``fiscal_year`` missing from ``results``."""
    condition = Q(pk__in=[])
    for workflow in _workflows:
        condition |= Q(pk__in=workflow.due(projects, results, fiscal_year))
    return condition


def held_back(results):
    """The rows of ``results`` that some workflow does not let be published yet."""
    held = results.none()
    for workflow in _workflows:
        held = held | workflow.held_back(results)
    return held


def is_held(project_id: int, fiscal_year: int) -> bool:
    return any(workflow.is_held(project_id, fiscal_year) for workflow in _workflows)


# --- one project's years --------------------------------------------------------


@dataclass
class YearProgress:
    fiscal_year: int
    targets: list[str]  # one per printed line of the target table, as they read that year
    result: object | None  # a ProjectResult, or None
    revisions: list = field(default_factory=list)  # the year's revised targets (目標変更)
    pending: bool = False  # due an evaluation that is not there yet (未評価)
    levels: list = field(default_factory=list)  # an EvaluationValue or None per yearly criterion


def year_targets(project) -> dict[int, list[str]]:
    """Per fiscal year, the project's targets as they read that year: one per printed
    line of its target table, "→" and merged cells resolved."""
    return _targets_by_year(project.target_rows())


def _targets_by_year(rows) -> dict[int, list[str]]:
    targets: dict[int, list[str]] = {}
    for row in rows:
        for cell in row:
            if cell.column.after_period or cell.kind is CellKind.EMPTY:
                continue
            targets.setdefault(cell.column.fiscal_year, []).append(cell.resolved_text)
    return targets


def _revisions_by_year(rows) -> dict[int, list]:
    """Per fiscal year, the revised targets (目標変更) of a target table's rows."""
    revisions: dict[int, list] = {}
    for row in rows:
        for cell in row:
            for revision in cell.revisions:
                if not revision.column.after_period:
                    revisions.setdefault(revision.column.fiscal_year, []).append(revision)
    return revisions


def yearly_progress(project, results, values=(), criteria=(), pending_years=()):
    """One row per fiscal year of the plan that has a target, a result, a value or a
    pending evaluation, in order, with the year's value of each of ``criteria`` (the
    yearly criteria of the plan's scheme) from ``values`` (the project's)."""
    rows = project.target_rows()  # built once for the targets and their revisions
    targets = _targets_by_year(rows)
    revisions = _revisions_by_year(rows)
    by_year = {result.fiscal_year: result for result in results}
    valued = {(v.fiscal_year, v.criterion_id): v for v in values if v.fiscal_year}
    pending = set(pending_years) - set(by_year)
    years = sorted(
        set(targets) | set(by_year) | set(revisions) | pending | {year for year, _c in valued}
    )
    return [
        YearProgress(
            year,
            targets.get(year, []),
            by_year.get(year),
            revisions.get(year, []),
            year in pending,
            [valued.get((year, criterion.pk)) for criterion in criteria],
        )
        for year in years
    ]


def other_values(values) -> list:
    """The values not of a fiscal year: period reviews (中間評価・期末評価) and those
    known only by their sheet's label."""
    return [value for value in values if not value.fiscal_year]


@dataclass
class LevelRow:
    level: object  # a CriterionLevel
    counts: list[int]


@dataclass
class Rollup:
    """Counts of projects per level (rows) and fiscal year (columns) on one criterion."""

    criterion: object
    years: list[int]
    rows: list[LevelRow] = field(default_factory=list)
    # Projects not evaluated on the criterion that year: with a result or another
    # criterion's value but none of this one, and projects due an evaluation that
    # has no result yet. They never count as evaluated.
    unrated: list[int] = field(default_factory=list)

    @property
    def totals(self) -> list[int]:
        return [sum(row.counts[i] for row in self.rows) for i in range(len(self.years))]

    @property
    def has_levels(self) -> bool:
        """True when some project has a level of the scale."""
        return any(self.totals)

    @property
    def has_unrated(self) -> bool:
        return any(self.unrated)

    def year_bars(self, index: int) -> list[tuple[object, int]]:
        return [(row.level, row.counts[index]) for row in self.rows]

    def __bool__(self) -> bool:
        return bool(self.years)


def rollups(results, values, criteria: Callable[[], list], pending=None) -> list[Rollup]:
    """The roll-up of each of the plan's yearly project criteria (``criteria()`` reads them
    with their levels, only when there is a year to count: none, no roll-up) over the
    projects of ``results`` and ``values`` (querysets of the same projects), from two
    aggregate queries, with ``pending`` evaluations (``pending_evaluations``) counted as
    unrated.

    A project counts as evaluated in a year on a criterion only with a value of it;
    one with a result or other values that year but none of this criterion is unrated.
    """
    evaluated = {
        (year, project)
        for year, project in results.values_list("fiscal_year", "project_id").order_by()
    }
    counts: Counter = Counter()
    for project, year, criterion, level in (
        values.filter(fiscal_year__isnull=False)
        .values_list("project_id", "fiscal_year", "criterion_id", "level_id")
        .order_by()
    ):
        evaluated.add((year, project))
        counts[(criterion, year, level)] += 1
    per_year = Counter(year for year, _project in evaluated)
    for year, number in (pending or {}).items():
        per_year[year] += number
    years = sorted(per_year)
    if not years:
        return []
    rollup_list = []
    for criterion in criteria():
        rollup = Rollup(criterion=criterion, years=years)
        for level in criterion.levels.all():
            rollup.rows.append(
                LevelRow(level, [counts[(criterion.pk, year, level.pk)] for year in years])
            )
        rollup.unrated = [
            per_year[year] - sum(row.counts[index] for row in rollup.rows)
            for index, year in enumerate(years)
        ]
        rollup_list.append(rollup)
    return rollup_list


@dataclass
class RollupLine:
    """How a node sums up its projects for one fiscal year, said on its page in one line.

    Every project listed under the node counts, once: only a value of the criterion
    makes a project evaluated; the others are excluded from the level counts,
    each for its reason.
    """

    criterion: object  # the Criterion counted (the plan's first yearly one)
    fiscal_year: int
    projects: int  # listed under the node (home or 再掲), once each
    levels: list[tuple[object, int]]  # (CriterionLevel, how many evaluated at it)
    without_level: int  # a result recorded without a level
    pending: int  # due an evaluation that is not there yet (未評価)

    @property
    def evaluated(self) -> int:
        return sum(number for _level, number in self.levels)

    @property
    def not_recorded(self) -> int:
        """Projects with neither a result nor an evaluation due for the year."""
        return max(0, self.projects - self.evaluated - self.without_level - self.pending)

    @property
    def excluded(self) -> int:
        return self.projects - self.evaluated

    @property
    def share(self) -> int:
        """The percentage of the projects evaluated, rounded down (never 100 before all are)."""
        return self.evaluated * 100 // self.projects if self.projects else 0


def rollup_line(rollup: Rollup, projects: int, pending=None) -> RollupLine | None:
    """The line of ``rollup``'s latest year for a node with ``projects`` projects under it,
    ``pending`` being the evaluations counted as unrated (``pending_evaluations``)."""
    if not rollup:
        return None
    index = len(rollup.years) - 1
    year = rollup.years[index]
    due = (pending or {}).get(year, 0)
    return RollupLine(
        criterion=rollup.criterion,
        fiscal_year=year,
        projects=projects,
        levels=[(row.level, row.counts[index]) for row in rollup.rows if row.counts[index]],
        without_level=rollup.unrated[index] - due,
        pending=due,
    )


# The reasons, named as RollupLine's counts.
REASONS = PENDING, WITHOUT_LEVEL, NOT_RECORDED = "pending", "without_level", "not_recorded"
EXCLUDED_SHOWN = 50  # per reason: a high node may have thousands of projects


@dataclass
class ExcludedGroup:
    """The projects excluded for one reason: how many, and the first ones."""

    number: int  # the line's count for the reason
    projects: list = field(default_factory=list)  # at most EXCLUDED_SHOWN

    @property
    def more(self) -> int:
        return max(0, self.number - len(self.projects))


def excluded_projects(line: RollupLine, projects, results, values) -> dict[str, ExcludedGroup]:
    """The projects ``line`` does not count as evaluated, by reason (``PENDING``,
    ``WITHOUT_LEVEL``, ``NOT_RECORDED``; the first ``EXCLUDED_SHOWN`` of each, the line
    has the counts), read in one query: ``projects`` are those under the node,
    ``results`` and ``values`` those the visitor may see, of these projects or of any
    (they are asked only of a row of ``projects``)."""
    year = line.fiscal_year
    of_year = {"project": OuterRef("pk"), "fiscal_year": year}
    rated = values.filter(criterion=line.criterion, **of_year)
    recorded = Exists(results.filter(**of_year)) | Exists(values.filter(**of_year))
    reason = Case(
        When(due_condition(projects, results, year), then=Value(PENDING)),
        When(recorded, then=Value(WITHOUT_LEVEL)),
        default=Value(NOT_RECORDED),
    )
    rows = (
        projects.exclude(Exists(rated))
        .annotate(
            reason=reason,
            rank=Window(RowNumber(), partition_by=[reason], order_by=F("pk").asc()),
        )
        .filter(rank__lte=EXCLUDED_SHOWN)
        .only("pk", "name", "each_ward")
        .order_by("pk")
    )
    excluded = {reason: ExcludedGroup(getattr(line, reason)) for reason in REASONS}
    for project in rows:
        excluded[project.reason].projects.append(project)
    return excluded
