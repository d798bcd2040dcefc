"""What rounds tell the rest of the portal about results under evaluation.

Registered with ``projects.progress`` from ``RoundsConfig.ready``: pending
evaluations count as 未評価, and results not approved stay unpublished.
"""

from __future__ import annotations

from django.db.models import Count, Exists, F, OuterRef

from rounds.models import Task
from rounds.workflow import Status


def _tasks_of_result():
    return Task.objects.filter(
        project=OuterRef("project_id"), round__fiscal_year=OuterRef("fiscal_year")
    )


class RoundWorkflow:
    """``projects.progress.EvaluationWorkflow`` for evaluation rounds."""

    def pending(self, projects, results):
        has_result = results.filter(
            project=OuterRef("project_id"), fiscal_year=OuterRef("round__fiscal_year")
        )
        return (
            Task.objects.filter(projects.exists_for("project"))
            .exclude(Exists(has_result))
            .values_list("round__fiscal_year")
            .annotate(number=Count("project_id", distinct=True))
            .order_by()
        )

    def held_back(self, results):
        return results.filter(Exists(_tasks_of_result().exclude(status=Status.APPROVED)))

    def due(self, projects, results, fiscal_year):
        has_result = results.filter(project=OuterRef("project_id"), fiscal_year=fiscal_year)
        return (
            Task.objects.filter(projects.exists_for("project"), round__fiscal_year=fiscal_year)
            .exclude(Exists(has_result))
            .values("project_id")
        )

    def is_held(self, project_id: int, fiscal_year: int) -> bool:
        tasks = Task.objects.filter(project_id=project_id, round__fiscal_year=fiscal_year)
        return tasks.exclude(status=Status.APPROVED).exists()


def outdate_tasks_of_result(sender, instance, raw=False, **kwargs):
    """A result or a value of its year changed anywhere (the project's page, the lists, a
    file) outdates its task's row in an open grid or a downloaded file."""
    if raw or not instance.project_id or not instance.fiscal_year:
        return
    Task.objects.filter(
        project_id=instance.project_id, round__fiscal_year=instance.fiscal_year
    ).update(version=F("version") + 1)
