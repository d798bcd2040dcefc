"""Evaluation sheets as cities publish them: one for a measure, one for a project.

A measure's sheet (施策評価シート, 施策進行管理・評価票) carries the tree path and
code, what its evaluations say (課題, 概要, 目標, 成果の説明, 重点, 作成課 and
関係課), its indicators, and the projects listed under it with their yearly
targets (revisions included) beside their results and their level on each
yearly criterion of the plan's scheme, then their period reviews. A project's
sheet (事務事業評価シート) is the same for one project. Both are loaded in a
fixed number of queries, limited to what the visitor may see (``visible``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Prefetch

from policies.models import Indicator, IndicatorValue, MeasureEvaluation, Plan, PolicyNode
from projects.models import EvaluationValue, Project, ProjectListing, ProjectResult
from projects.progress import YearProgress, other_values, yearly_progress


@dataclass
class ProjectProgress:
    project: Project
    is_relisting: bool
    progress: list[YearProgress] = field(default_factory=list)
    period_values: list[EvaluationValue] = field(default_factory=list)  # 期末評価 …


@dataclass
class Sheet:
    plan: Plan
    path: list[PolicyNode]  # the nodes above the sheet's subject, from the top
    node: PolicyNode | None = None  # a measure's sheet
    project: Project | None = None  # a project's sheet
    criteria: list = field(default_factory=list)  # the yearly criteria: the table's columns
    evaluations: list[MeasureEvaluation] = field(default_factory=list)
    node_values: list[EvaluationValue] = field(default_factory=list)
    indicators: list[Indicator] = field(default_factory=list)
    projects: list[ProjectProgress] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.node.heading if self.node else self.project.display_name

    def file_stem(self) -> str:
        subject = f"node-{self.node.pk}" if self.node else f"project-{self.project.pk}"
        return f"{self.plan.slug}-{subject}-sheet"


def visible_indicators(visible: Callable, queryset):
    """The visible indicators of ``queryset`` (one node's or one project's) that are no
    part of another, with their yearly values and their visible parts (with theirs).
    Ordered within the node or project: the models' ordering by node, project and
    indicator joins the project, its plan and the indicator to sort rows of one owner."""
    values = Prefetch("values", IndicatorValue.objects.order_by("fiscal_year"))
    parts = visible(Indicator.objects.order_by("position", "pk")).prefetch_related(values)
    return (
        visible(queryset.filter(part_of=None))
        .order_by("position", "pk")
        .prefetch_related(values, Prefetch("parts", queryset=parts))
    )


def _by_project(queryset) -> dict[int, list]:
    by_project: dict[int, list] = {}
    for row in queryset:
        by_project.setdefault(row.project_id, []).append(row)
    return by_project


def _project_progress(project, is_relisting, results, values, criteria) -> ProjectProgress:
    results, values = results.get(project.pk, []), values.get(project.pk, [])
    return ProjectProgress(
        project,
        is_relisting,
        yearly_progress(project, results, values, criteria),
        other_values(values),
    )


def measure_sheet(node: PolicyNode, visible: Callable) -> Sheet:
    """The sheet of ``node`` (a visible node): the projects listed on it or below it
    (home and 再掲), in the plan's printed order."""
    plan = node.plan
    projects = visible(Project.objects.filter(plan=plan))
    in_section = ProjectListing.objects.filter(
        node__in=visible(plan.nodes.within(node)), project__in=projects
    )
    listings = list(
        in_section.select_related("project__plan", "project__bureau", "project__division")
        .prefetch_related("project__targets", "project__target_revisions")
        .order_by("node__tree_id", "node__lft", "position", "pk")
    )
    project_ids = in_section.values("project_id")
    results = _by_project(visible(ProjectResult.objects.filter(project__in=project_ids)))
    values = _by_project(
        visible(EvaluationValue.objects.filter(project__in=project_ids)).with_levels()
    )
    criteria = plan.yearly_criteria()
    evaluations = (
        visible(node.evaluations.all())
        .select_related("author_division__bureau")
        .prefetch_related("related_divisions__bureau")
    )
    return Sheet(
        plan=plan,
        path=list(visible(plan.nodes.around(node)).select_related("level_label")),
        node=node,
        criteria=criteria,
        evaluations=list(evaluations),
        node_values=list(visible(node.evaluation_values.with_levels())),
        indicators=list(visible_indicators(visible, node.indicators.all())),
        projects=[
            _project_progress(listing.project, listing.is_relisting, results, values, criteria)
            for listing in listings
        ],
    )


def project_sheet(project: Project, visible: Callable) -> Sheet:
    """The sheet of ``project`` (a visible project with its targets and revisions prefetched)."""
    plan = project.plan
    home = project.home_node
    path = []
    if home is not None:
        path = list(
            visible(plan.nodes.around(home, include_self=True)).select_related("level_label")
        )
    results = _by_project(visible(project.results.all()))
    values = _by_project(visible(project.evaluation_values.with_levels()))
    criteria = plan.yearly_criteria()
    return Sheet(
        plan=plan,
        path=path,
        project=project,
        criteria=criteria,
        indicators=list(visible_indicators(visible, project.indicators.all())),
        projects=[_project_progress(project, False, results, values, criteria)],
    )
