"""What scoped staff may do in evaluation rounds (registered by RoundsConfig).

A task belongs to its project: bureau and ward editors work on the tasks of
the projects in their scope. A result (and the year's evaluation values)
whose task is submitted or approved is planning's to change, wherever it is
edited.
"""

from django.db.models import Exists, OuterRef, Q

from planportal.permissions import (
    BUREAU_EDITORS,
    WARD_EDITORS,
    grant,
    narrow_scope_rule,
    owned_by,
    register_content_app,
    register_scope_rule,
)
from projects.models import EvaluationValue, Project, ProjectResult
from projects.scopes import project_condition
from rounds.models import Task
from rounds.workflow import DONE


def result_not_under_review(scope) -> Q:
    tasks = Task.objects.filter(
        project=OuterRef("project_id"), round__fiscal_year=OuterRef("fiscal_year"), status__in=DONE
    )
    return ~Q(Exists(tasks))


def register() -> None:
    register_content_app("rounds")
    register_scope_rule(Task, owned_by(Project, project_condition, "project"), "project")
    narrow_scope_rule(ProjectResult, result_not_under_review)
    narrow_scope_rule(EvaluationValue, result_not_under_review)
    grant(BUREAU_EDITORS, "rounds.change_task")
    grant(WARD_EDITORS, "rounds.change_task")
