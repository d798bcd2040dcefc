"""新着・更新情報: what was published or changed lately on the citizen site.

Each kind of content gives its latest changes in one query (a ``ChangeSource``);
the page and its Atom feed merge them, newest first. Only published content
counts, for staff too: the list says what citizens can read. Apps above this
one (public comment) add their own source with ``register_change_source``.

A change is 公開 (new) when it was published at about the time of its last
save, else 更新; ``Publishable.published_at`` and ``updated_at`` say which.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from policies.models import MeasureEvaluation, Plan, PolicyNode
from projects.models import Project, ProjectResult

LATEST = 50  # changes shown on the page and in the feed
NEW_WINDOW = timedelta(minutes=1)  # published this close to its last save: 公開, not 更新


@dataclass(frozen=True)
class Change:
    when: datetime
    is_new: bool  # 公開 rather than 更新
    kind: str  # 計画, 項目, 事業, 評価, 意見募集 …
    title: str
    url: str
    plan_title: str = ""

    @property
    def action(self) -> str:
        return pgettext_lazy("change", "公開") if self.is_new else pgettext_lazy("change", "更新")


ChangeSource = Callable[[int], Iterable[Change]]


def newest_first(queryset, limit: int):
    """Published rows of ``queryset`` by their latest change (a save or the publishing),
    each with ``changed_at``."""
    changed = Greatest("updated_at", Coalesce("published_at", "updated_at"))
    return queryset.published().annotate(changed_at=changed).order_by("-changed_at", "-pk")[:limit]


def is_new(item) -> bool:
    return item.published_at is not None and item.published_at >= item.updated_at - NEW_WINDOW


def _plans(limit):
    for plan in newest_first(Plan.objects.all(), limit):
        yield Change(
            plan.changed_at,
            is_new(plan),
            pgettext_lazy("change", "計画"),
            plan.title,
            plan.get_absolute_url(),
        )


def _nodes(limit):
    nodes = newest_first(PolicyNode.objects.select_related("plan", "level_label"), limit)
    for node in nodes:
        yield Change(
            node.changed_at,
            is_new(node),
            pgettext_lazy("change", "項目"),
            node.heading,
            node.get_absolute_url(),
            node.plan.title,
        )


def _projects(limit):
    for project in newest_first(Project.objects.select_related("plan"), limit):
        yield Change(
            project.changed_at,
            is_new(project),
            pgettext_lazy("change", "事業"),
            project.display_name,
            project.get_absolute_url(),
            project.plan.title,
        )


def _results(limit):
    for result in newest_first(ProjectResult.objects.select_related("project__plan"), limit):
        project = result.project
        yield Change(
            result.changed_at,
            is_new(result),
            pgettext_lazy("change", "実績と評価"),
            _("%(project)s（%(year)d年度）")
            % {"project": project.display_name, "year": result.fiscal_year},
            project.get_absolute_url(),
            project.plan.title,
        )


def _evaluations(limit):
    evaluations = newest_first(
        MeasureEvaluation.objects.select_related("node__plan", "node__level_label"), limit
    )
    for evaluation in evaluations:
        node = evaluation.node
        yield Change(
            evaluation.changed_at,
            is_new(evaluation),
            pgettext_lazy("change", "施策の評価"),
            node.heading,
            node.get_absolute_url(),
            node.plan.title,
        )


_sources: list[ChangeSource] = [_plans, _nodes, _projects, _results, _evaluations]


def register_change_source(source: ChangeSource) -> None:
    _sources.append(source)


def latest_changes(limit: int = LATEST) -> list[Change]:
    """The ``limit`` latest changes of published content, newest first."""
    changes = [change for source in _sources for change in source(limit)]
    return sorted(changes, key=lambda change: change.when, reverse=True)[:limit]
