"""The use cases of an evaluation round, as plain functions.

Opening a round creates its tasks; ``record_row`` saves one project's result
(the grid and the Excel upload both call it); ``act_on`` moves a selection of
tasks through the workflow, all or nothing; ``assign_bureau`` gives projects
without a bureau one; ``publish_approved`` makes approved results public.
Every function checks the user's permission and scope itself: views only
call them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from planportal.caching import bump_plan
from planportal.permissions import can_publish, editable, is_unrestricted
from planportal.publication import PublicationStatus
from policies.models import Bureau, CriterionLevel, Division
from projects.models import EvaluationValue, Project, ProjectResult
from rounds.models import ACTION_LABELS, PUBLISH_EVENT, Round, Task, TaskEvent
from rounds.workflow import (
    EDITABLE,
    NEEDS_COMMENT,
    PLANNING_ACTIONS,
    Action,
    Status,
    allowed,
    next_status,
)

CHANGE_PERMISSION = "rounds.change_task"
REVIEW_PERMISSION = "rounds.review_task"
OPEN_PERMISSION = "rounds.add_round"
MAX_TEXT = 2000  # characters of 実績 and 説明 per row

# Messages the tests assert on.
OUT_OF_SCOPE = gettext_noop("この事業はあなたの担当範囲外です。")
NOT_EDITABLE = gettext_noop("「%(status)s」の事業は変更できません。")
ROUND_CLOSED = gettext_noop("この評価作業は終了しています。")
STALE_ROW = gettext_noop(
    "「%(project)s」は、この画面を開いた後に%(user)sが%(when)sに保存しました。"
    "この行の変更は保存していません。最新の内容を確かめてから入力し直してください。"
)
COMMENT_REQUIRED = gettext_noop("理由・コメントを入れてください。")
NOTHING_SELECTED = gettext_noop("事業を選んでください。")
NOT_ALLOWED = gettext_noop(
    "次の事業は「%(action)s」できない状況です（何も変更していません）：%(names)s"
)
NOTHING_TO_SUBMIT = gettext_noop(
    "次の事業は実績・評価が入っていないため提出できません（何も変更していません）：%(names)s"
)
NO_PERMISSION = gettext_noop("この操作をする権限がありません。")
EMPTY_ROW = gettext_noop("実績、評価、説明のいずれかを入れてください。")


class RoundError(Exception):
    """A refused action: nothing was changed."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class RowRefused(RoundError):
    """One row of the grid or of a file was not saved."""


def may_change_tasks(user) -> bool:
    return user.has_perm(CHANGE_PERMISSION)


def may_review(user) -> bool:
    return user.has_perm(REVIEW_PERMISSION) and is_unrestricted(user)


def visible_tasks(user, tasks):
    """The tasks a user works on: planning and reviewers all, editors their scope's."""
    if user.has_perm(REVIEW_PERMISSION) or not may_change_tasks(user):
        return tasks
    return editable(user, tasks)


# --- opening ----------------------------------------------------------------------


@dataclass
class Opened:
    tasks: int
    already_in_another_round: list[Project] = field(default_factory=list)


@transaction.atomic
def open_round(round: Round, *, user) -> Opened:
    """Save a new round and create one task per project in its scope.

    A project already in another round of the same year is left out (one
    result per project and year) and reported. A project that already has a
    result for the year starts 入力中.
    """
    round.opened_by = user
    round.full_clean()
    round.save()
    projects = round.projects_in_scope()
    taken = Task.objects.filter(
        round__plan_id=round.plan_id, round__fiscal_year=round.fiscal_year
    ).exclude(round=round)
    skipped = list(projects.filter(pk__in=taken.values("project_id")))
    project_ids = list(
        projects.exclude(pk__in=taken.values("project_id")).values_list("pk", flat=True)
    )
    with_result = set(
        ProjectResult.objects.filter(
            project_id__in=project_ids, fiscal_year=round.fiscal_year
        ).values_list("project_id", flat=True)
    )
    Task.objects.bulk_create(
        [
            Task(
                round=round,
                project_id=pk,
                status=Status.IN_PROGRESS if pk in with_result else Status.NOT_STARTED,
            )
            for pk in project_ids
        ],
        batch_size=500,
    )
    bump_plan(round.plan.slug)  # public roll-ups now count these projects as 未評価
    return Opened(tasks=len(project_ids), already_in_another_round=skipped)


def close_rounds(rounds) -> int:
    """Close open rounds: their tasks are read-only from now on and no reminder goes out."""
    return rounds.filter(closed_at__isnull=True).update(closed_at=timezone.now())


# --- one row: a project's result for the round's year ------------------------------


@dataclass
class RowValues:
    actual: str
    levels: dict[int, CriterionLevel | None]  # by criterion id: the plan's yearly criteria
    comment: str

    def is_empty(self) -> bool:
        return not (self.actual or self.comment or any(self.levels.values()))


def check_row_editable(user, task: Task) -> None:
    """Raise RowRefused unless ``user`` may change ``task``'s result now."""
    if not may_change_tasks(user) or not editable(user, Task.objects.filter(pk=task.pk)).exists():
        raise RowRefused(_(OUT_OF_SCOPE))
    if not task.round.is_open:
        raise RowRefused(_(ROUND_CLOSED))
    if task.status not in EDITABLE:
        raise RowRefused(_(NOT_EDITABLE) % {"status": task.get_status_display()})


def stale_message(task: Task) -> str:
    """Who saved the row last and when: the task's last action or the result's last
    change (it may have been changed on the project's own page), whichever is later."""
    user, when = task.updated_by, task.updated_at
    result = ProjectResult.objects.filter(
        project_id=task.project_id, fiscal_year=task.round.fiscal_year
    ).first()
    latest = result.history.select_related("history_user").first() if result else None
    if latest is not None and (when is None or latest.history_date > when):
        user, when = latest.history_user, latest.history_date
    return _(STALE_ROW) % {
        "project": task.project,
        "user": user or _("ほかの職員"),
        "when": timezone.localtime(when).strftime("%Y-%m-%d %H:%M") if when else _("先ほど"),
    }


def record_row(task_id: int, values: RowValues, *, user, base_version: int) -> Task:
    """Save one project's result for the round's year; the task moves to 入力中.

    Refused (RowRefused, nothing saved) when the user may not change it, when
    someone else saved it since ``base_version``, or when the result is invalid.
    Runs in its own savepoint, so a refused row leaves the others alone.
    """
    with transaction.atomic():
        task = (
            Task.objects.select_for_update(of=("self",))
            .select_related("round", "project__plan", "updated_by")
            .filter(pk=task_id)
            .first()
        )
        if task is None:
            raise RowRefused(_(OUT_OF_SCOPE))
        check_row_editable(user, task)
        if task.version != base_version:
            raise RowRefused(stale_message(task))
        if values.is_empty():
            raise RowRefused(_(EMPTY_ROW))
        result = ProjectResult.objects.filter(
            project=task.project, fiscal_year=task.round.fiscal_year
        ).first() or ProjectResult(project=task.project, fiscal_year=task.round.fiscal_year)
        result.actual = values.actual
        result.comment = values.comment
        result.status = PublicationStatus.DRAFT  # public again only once approved
        try:
            result.full_clean()
            result.save()
            _record_levels(task, values.levels)
        except ValidationError as error:
            raise RowRefused(" ".join(error.messages)) from None
        _transition(task, Action.SAVE, user)
        return task


def _record_levels(task: Task, levels: dict) -> None:
    """The year's value of each criterion: created, changed, or removed when left empty;
    a changed one goes back to draft with the result."""
    existing = {
        value.criterion_id: value
        for value in EvaluationValue.objects.filter(
            project=task.project, fiscal_year=task.round.fiscal_year, criterion_id__in=levels
        )
    }
    for criterion_id, level in levels.items():
        value = existing.get(criterion_id)
        if level is None:
            if value is not None:
                value.delete()
            continue
        if value is not None and value.level_id == level.pk:
            if value.is_published():
                value.status = PublicationStatus.DRAFT
                value.save(update_fields=["status", "updated_at"])
            continue
        value = value or EvaluationValue(
            project=task.project, fiscal_year=task.round.fiscal_year, criterion_id=criterion_id
        )
        value.level = level
        value.status = PublicationStatus.DRAFT
        value.full_clean()
        value.save()


def _transition(task: Task, action: Action, user, comment: str = "") -> None:
    new = next_status(task.status, action)
    TaskEvent.objects.create(
        task=task,
        action=action,
        from_status=task.status,
        to_status=new,
        user=user,
        comment=comment,
    )
    task.refresh_from_db(fields=["version"])  # the result's save raised it
    task.status = new
    task.updated_by = user
    task.updated_at = timezone.now()
    task.save()


# --- many tasks at once ----------------------------------------------------------


@transaction.atomic
def act_on(task_ids, action: Action, *, user, comment: str = "") -> int:
    """Submit, return, approve or reopen the selected tasks: all of them, or none.

    Submitting needs the change permission and every task in the user's scope;
    planning's actions (return, approve, reopen) the review permission.
    Returning and reopening need a comment. Reopening puts a published result
    back to draft: it is public again only once approved again.
    """
    action = Action(action)
    if not task_ids:
        raise RoundError(_(NOTHING_SELECTED))
    tasks = list(
        Task.objects.select_for_update(of=("self",))
        .select_related("round", "project")
        .filter(pk__in=task_ids)
        .order_by("pk")
    )
    if len(tasks) != len(set(task_ids)):
        raise RoundError(_(OUT_OF_SCOPE))
    if action is Action.SUBMIT:
        in_scope = editable(user, Task.objects.filter(pk__in=task_ids)).count()
        if not may_change_tasks(user) or in_scope != len(tasks):
            raise RoundError(_(OUT_OF_SCOPE))
    elif action not in PLANNING_ACTIONS:
        raise ValueError(f"{action} is not taken on a selection (record_row saves)")
    elif not may_review(user):
        raise RoundError(_(NO_PERMISSION))
    if any(not task.round.is_open for task in tasks):
        raise RoundError(_(ROUND_CLOSED))
    comment = comment.strip()
    if action in NEEDS_COMMENT and not comment:
        raise RoundError(_(COMMENT_REQUIRED))
    refused = [task for task in tasks if not allowed(task.status, action)]
    if refused:
        raise RoundError(
            _(NOT_ALLOWED)
            % {
                "action": action_label(action),
                "names": project_names(task.project for task in refused),
            }
        )
    if action is Action.SUBMIT:
        _check_results_present(tasks)
    now = timezone.now()
    TaskEvent.objects.bulk_create(
        TaskEvent(
            task=task,
            action=action,
            from_status=task.status,
            to_status=next_status(task.status, action),
            user=user,
            comment=comment,
            at=now,
        )
        for task in tasks
    )
    by_status = defaultdict(list)
    for task in tasks:
        by_status[next_status(task.status, action)].append(task.pk)
    values = {"updated_by": user, "updated_at": now, "version": F("version") + 1}
    if action is Action.RETURN:
        values["return_comment"] = comment
    for status, pks in by_status.items():
        Task.objects.filter(pk__in=pks).update(status=status, **values)
    if action is Action.REOPEN:
        reopened = Task.objects.filter(pk__in=[task.pk for task in tasks])
        reopened.results().unpublish()
        reopened.evaluation_values().unpublish()
    return len(tasks)


def _check_results_present(tasks: list[Task]) -> None:
    with_result = set(
        ProjectResult.objects.filter(
            project_id__in=[task.project_id for task in tasks],
            fiscal_year=tasks[0].round.fiscal_year,
        ).values_list("project_id", flat=True)
    )
    missing = [task.project for task in tasks if task.project_id not in with_result]
    if missing:
        raise RoundError(_(NOTHING_TO_SUBMIT) % {"names": project_names(missing)})


def project_names(projects) -> str:
    names = [str(project) for project in projects]
    shown = "、".join(names[:10])
    return shown + (_(" ほか%(count)d件") % {"count": len(names) - 10} if len(names) > 10 else "")


def action_label(action: Action) -> str:
    return str(ACTION_LABELS[action])


# --- bureaus and publishing ----------------------------------------------------


@transaction.atomic
def assign_bureau(round: Round, project_ids, *, bureau: Bureau, division: Division | None, user):
    """Give the selected projects of the round that have no bureau this bureau (and
    section). Each project is saved, so its history says who assigned it."""
    if not (may_review(user) and user.has_perm("projects.change_project")):
        raise RoundError(_(NO_PERMISSION))
    if bureau.municipality_id != round.plan.municipality_id or (
        division is not None and division.bureau_id != bureau.pk
    ):
        raise RoundError(_("この計画の自治体の局と、その局の課を選んでください。"))
    projects = list(
        Project.objects.filter(
            pk__in=round.tasks.filter(project__bureau__isnull=True).values("project_id")
        ).filter(pk__in=project_ids)
    )
    if not projects or len(projects) != len(set(project_ids)):
        raise RoundError(_("所管局のない、この評価作業の事業を選んでください。"))
    for project in projects:
        project.bureau = bureau
        project.division = division
        project.save()
    return len(projects)


@transaction.atomic
def publish_approved(round: Round, *, user, bureau_id: int | None = None) -> int:
    """Publish the approved results of the round (or of one bureau's tasks); the
    results of tasks not approved stay drafts, whatever is selected."""
    if not can_publish(user):
        raise RoundError(_(NO_PERMISSION))
    tasks = round.tasks.filter(status=Status.APPROVED)
    if bureau_id is not None:
        tasks = tasks.filter(project__bureau_id=bureau_id)
    drafts = tasks.results().exclude(status=PublicationStatus.PUBLISHED)
    published_projects = set(drafts.values_list("project_id", flat=True))
    count = drafts.publish()
    tasks.evaluation_values().exclude(status=PublicationStatus.PUBLISHED).publish()
    now = timezone.now()
    TaskEvent.objects.bulk_create(
        TaskEvent(
            task=task,
            action=PUBLISH_EVENT,
            from_status=task.status,
            to_status=task.status,
            user=user,
            at=now,
        )
        for task in tasks.filter(project_id__in=published_projects)
    )
    return count
