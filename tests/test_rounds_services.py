"""Rounds: opening, recording results, the workflow with its history, publishing, 未評価."""

import pytest
from django.core.exceptions import ValidationError

from planportal.publication import PublicationStatus
from policies.models import Bureau
from projects.models import Project, ProjectResult
from projects.progress import pending_evaluations
from rounds import services
from rounds.models import Task, TaskEvent
from rounds.services import RoundError, RowRefused, RowValues
from rounds.workflow import Action, Status
from tests.evaluations import levels, row
from tests.rounds_data import YEAR, level

pytestmark = pytest.mark.django_db


def task_of(round, name):
    return round.tasks.select_related("round", "project").get(project__name=name)


def fill(task, user, *, actual="実施した", achievement="3", review="C", comment=""):
    return services.record_row(
        task.pk,
        row(task.round.plan, actual, achievement, review, comment),
        user=user,
        base_version=Task.objects.get(pk=task.pk).version,
    )


# --- opening --------------------------------------------------------------------


def test_opening_creates_one_task_per_published_project_in_scope(city_round):
    assert city_round.tasks.count() == 6
    assert set(city_round.tasks.values_list("status", flat=True)) == {Status.NOT_STARTED}


def test_a_round_on_a_subtree_covers_only_its_projects(city_plan, planner):
    import datetime

    from rounds.models import Round

    roads = city_plan.nodes.get(code="1-2")
    round = Round(plan=city_plan, fiscal_year=YEAR, node=roads, deadline=datetime.date(2024, 6, 30))
    opened = services.open_round(round, user=planner)
    assert opened.tasks == 3
    assert set(round.tasks.values_list("project__name", flat=True)) == {
        "道路維持事業",
        "橋りょう補修事業",
        "所管未定事業",
    }


def test_a_project_is_in_one_round_per_year(city_round, planner):
    import datetime

    from rounds.models import Round

    second = Round(plan=city_round.plan, fiscal_year=YEAR, deadline=datetime.date(2024, 6, 30))
    opened = services.open_round(second, user=planner)
    assert opened.tasks == 0
    assert len(opened.already_in_another_round) == 6


def test_a_round_outside_the_plans_years_is_refused(city_plan, planner):
    import datetime

    from rounds.models import Round

    with pytest.raises(ValidationError):
        services.open_round(
            Round(plan=city_plan, fiscal_year=2030, deadline=datetime.date(2031, 6, 30)),
            user=planner,
        )
    assert not Task.objects.filter(round__plan=city_plan).exists()


# --- the workflow, with history ----------------------------------------------------


def test_save_submit_return_resubmit_approve_and_reopen(city_round, environment_editor, planner):
    task = task_of(city_round, "緑化推進事業")
    fill(task, environment_editor)
    assert Task.objects.get(pk=task.pk).status == Status.IN_PROGRESS
    result = ProjectResult.objects.get(project=task.project, fiscal_year=YEAR)
    assert result.actual == "実施した"
    assert levels(task.project, YEAR) == {"達成度": "3", "評価結果": "C"}

    services.act_on([task.pk], Action.SUBMIT, user=environment_editor)
    with pytest.raises(RoundError) as refusal:
        services.act_on([task.pk], Action.RETURN, user=planner)
    assert refusal.value.message == services.COMMENT_REQUIRED
    services.act_on([task.pk], Action.RETURN, user=planner, comment="達成度の根拠を書いてください")
    task.refresh_from_db()
    assert task.status == Status.RETURNED and task.return_comment == "達成度の根拠を書いてください"

    fill(task, environment_editor, comment="目標の9割を達成")
    assert Task.objects.get(pk=task.pk).status == Status.RETURNED
    services.act_on([task.pk], Action.SUBMIT, user=environment_editor)
    services.act_on([task.pk], Action.APPROVE, user=planner)
    with pytest.raises(RowRefused):
        fill(task, environment_editor, actual="承認後の変更")
    services.act_on([task.pk], Action.REOPEN, user=planner, comment="数値の誤り")
    assert Task.objects.get(pk=task.pk).status == Status.IN_PROGRESS

    history = [
        (event.action, event.from_status, event.to_status, event.user.username, event.comment)
        for event in TaskEvent.objects.filter(task=task).select_related("user")
    ]
    assert history == [
        ("save", "not_started", "in_progress", "env-editor", ""),
        ("submit", "in_progress", "submitted", "env-editor", ""),
        ("return", "submitted", "returned", "planner", "達成度の根拠を書いてください"),
        ("save", "returned", "returned", "env-editor", ""),
        ("submit", "returned", "submitted", "env-editor", ""),
        ("approve", "submitted", "approved", "planner", ""),
        ("reopen", "approved", "in_progress", "planner", "数値の誤り"),
    ]


def test_nothing_to_submit_without_a_result(city_round, environment_editor):
    task = task_of(city_round, "公園整備事業")
    with pytest.raises(RoundError):
        services.act_on([task.pk], Action.SUBMIT, user=environment_editor)
    assert Task.objects.get(pk=task.pk).status == Status.NOT_STARTED


def test_a_selection_with_one_wrong_status_changes_nothing(city_round, environment_editor, planner):
    first, second = task_of(city_round, "緑化推進事業"), task_of(city_round, "公園整備事業")
    fill(first, environment_editor)
    fill(second, environment_editor)
    services.act_on([first.pk], Action.SUBMIT, user=environment_editor)
    with pytest.raises(RoundError) as refusal:
        services.act_on([first.pk, second.pk], Action.APPROVE, user=planner)
    assert "公園整備事業" in refusal.value.message
    assert Task.objects.get(pk=first.pk).status == Status.SUBMITTED


def test_a_row_with_an_invalid_result_is_refused_and_nothing_saved(city_round, environment_editor):
    task = task_of(city_round, "緑化推進事業")
    with pytest.raises(RowRefused):
        services.record_row(
            task.pk,
            RowValues("", {}, ""),
            user=environment_editor,
            base_version=task.version,
        )
    with pytest.raises(RowRefused):  # a review level given as the achievement
        services.record_row(
            task.pk,
            RowValues("x", {level("3").criterion_id: level("A")}, ""),
            user=environment_editor,
            base_version=task.version,
        )
    assert not ProjectResult.objects.filter(project=task.project).exists()
    assert Task.objects.get(pk=task.pk).status == Status.NOT_STARTED


# --- scopes ------------------------------------------------------------------


def test_an_editor_cannot_change_submit_or_approve_another_bureaus_task(
    city_round, environment_editor, construction_editor
):
    road = task_of(city_round, "道路維持事業")
    with pytest.raises(RowRefused) as refusal:
        fill(road, environment_editor)
    assert refusal.value.message == services.OUT_OF_SCOPE
    fill(road, construction_editor)
    with pytest.raises(RoundError):
        services.act_on([road.pk], Action.SUBMIT, user=environment_editor)
    services.act_on([road.pk], Action.SUBMIT, user=construction_editor)
    with pytest.raises(RoundError):
        services.act_on([road.pk], Action.APPROVE, user=construction_editor)
    assert Task.objects.get(pk=road.pk).status == Status.SUBMITTED


def test_a_submitted_result_is_planning_s_to_change_on_the_project_page_too(
    city_round, environment_editor
):
    from planportal.permissions import can_edit

    task = task_of(city_round, "緑化推進事業")
    fill(task, environment_editor)
    result = ProjectResult.objects.get(project=task.project, fiscal_year=YEAR)
    assert can_edit(environment_editor, result)
    services.act_on([task.pk], Action.SUBMIT, user=environment_editor)
    assert not can_edit(environment_editor, result)


# --- the row stamp ---------------------------------------------------------------


def test_a_row_saved_by_someone_else_since_is_refused_with_who_and_when(
    city_round, environment_editor, make_staff
):
    from planportal.permissions import BUREAU_EDITORS

    colleague = make_staff(
        "env-colleague", BUREAU_EDITORS, bureau=Bureau.objects.get(name="環境局")
    )
    task = task_of(city_round, "緑化推進事業")
    seen = task.version
    fill(task, colleague, actual="同僚の入力")
    with pytest.raises(RowRefused) as refusal:
        services.record_row(
            task.pk,
            RowValues("わたしの入力", {}, ""),
            user=environment_editor,
            base_version=seen,
        )
    assert "env-colleague" in refusal.value.message and "緑化推進事業" in refusal.value.message
    assert ProjectResult.objects.get(project=task.project).actual == "同僚の入力"


def test_a_change_on_the_project_page_outdates_the_row(city_round, environment_editor):
    task = task_of(city_round, "緑化推進事業")
    seen = task.version
    ProjectResult.objects.create(project=task.project, fiscal_year=YEAR, actual="管理画面で入力")
    with pytest.raises(RowRefused):
        services.record_row(
            task.pk, RowValues("x", {}, ""), user=environment_editor, base_version=seen
        )


# --- publishing and 未評価 ---------------------------------------------------------


def test_only_approved_results_are_published(city_round, environment_editor, planner):
    approved, submitted = task_of(city_round, "緑化推進事業"), task_of(city_round, "公園整備事業")
    for task in (approved, submitted):
        fill(task, environment_editor)
    services.act_on([approved.pk, submitted.pk], Action.SUBMIT, user=environment_editor)
    services.act_on([approved.pk], Action.APPROVE, user=planner)
    assert services.publish_approved(city_round, user=planner) == 1
    statuses = dict(
        ProjectResult.objects.filter(fiscal_year=YEAR).values_list("project__name", "status")
    )
    assert statuses == {"緑化推進事業": "published", "公園整備事業": "draft"}
    # Neither the results list's action nor a form publishes a result not approved.
    assert ProjectResult.objects.filter(fiscal_year=YEAR).publish() == 0
    held = ProjectResult.objects.get(project__name="公園整備事業")
    held.status = PublicationStatus.PUBLISHED
    with pytest.raises(ValidationError):
        held.full_clean()


def test_an_editor_cannot_publish(city_round, environment_editor):
    with pytest.raises(RoundError):
        services.publish_approved(city_round, user=environment_editor)


def test_reopening_takes_a_published_result_back_to_draft(city_round, environment_editor, planner):
    task = task_of(city_round, "緑化推進事業")
    fill(task, environment_editor)
    services.act_on([task.pk], Action.SUBMIT, user=environment_editor)
    services.act_on([task.pk], Action.APPROVE, user=planner)
    services.publish_approved(city_round, user=planner)
    services.act_on([task.pk], Action.REOPEN, user=planner, comment="訂正")
    assert ProjectResult.objects.get(project=task.project).status == PublicationStatus.DRAFT


def test_projects_of_a_round_without_an_approved_result_count_as_unevaluated(
    city_round, environment_editor, planner
):
    projects = Project.objects.filter(plan=city_round.plan)
    published = ProjectResult.objects.published()
    assert pending_evaluations(projects, published) == {YEAR: 6}
    task = task_of(city_round, "緑化推進事業")
    fill(task, environment_editor)
    assert pending_evaluations(projects, published) == {YEAR: 6}  # a draft is not evaluated
    services.act_on([task.pk], Action.SUBMIT, user=environment_editor)
    services.act_on([task.pk], Action.APPROVE, user=planner)
    services.publish_approved(city_round, user=planner)
    assert pending_evaluations(projects, published) == {YEAR: 5}


def test_a_closed_round_takes_no_more_rows_and_sends_no_reminders(
    city_round, environment_editor, planner
):
    from rounds.models import Round
    from rounds.reminders import due_reminders

    assert services.close_rounds(Round.objects.filter(pk=city_round.pk)) == 1
    task = task_of(city_round, "緑化推進事業")
    task.round.refresh_from_db()
    with pytest.raises(RowRefused) as refusal:
        fill(task, environment_editor)
    assert refusal.value.message == services.ROUND_CLOSED
    assert due_reminders(city_round.deadline) == []
