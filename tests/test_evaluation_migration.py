"""The data migrations from scale sets and results' 達成度/評価結果 to schemes and evaluation
values: nothing lost on the way forward, and the way back restores the old fields."""

from datetime import UTC, datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("policies", "0014_ward_place_names_and_plan_url"),
    ("projects", "0009_import_jobs"),
]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.fixture
def schema_restored(demo_data):
    """Whatever happens in the test, the database ends at the latest migrations: every
    test after it needs the current schema."""
    yield
    migrate(latest())


def test_scale_sets_and_result_levels_become_schemes_and_values_and_back(schema_restored):
    old = migrate(BEFORE)
    ScaleSet, ScaleLevel = (
        old.get_model("policies", "ScaleSet"),
        old.get_model("policies", "ScaleLevel"),
    )
    Plan, Project = old.get_model("policies", "Plan"), old.get_model("projects", "Project")
    Result = old.get_model("projects", "ProjectResult")
    default = ScaleSet.objects.get(is_default=True)
    own = ScaleSet.objects.create(name="3段階評価")
    for position, code in enumerate("ABC"):
        ScaleLevel.objects.create(
            scale_set=own, scale="achievement", code=code, label=f"区分{code}", position=position
        )
    municipality = old.get_model("policies", "Municipality").objects.create(
        slug="migration-city", name="移行市"
    )
    plan = Plan.objects.create(
        municipality=municipality,
        slug="migration-plan",
        kind="comprehensive",
        title="計画",
        start_fiscal_year=2020,
        end_fiscal_year=2022,
        scale_set=own,
    )
    default_plan = Plan.objects.create(
        municipality=municipality,
        slug="migration-default",
        kind="comprehensive",
        title="計画2",
        start_fiscal_year=2020,
        end_fiscal_year=2022,
    )
    project = Project.objects.create(plan=plan, name="独自の事業", status="published")
    other = Project.objects.create(plan=default_plan, name="標準の事業")
    result = Result.objects.create(
        project=project,
        fiscal_year=2021,
        actual="実施",
        comment="説明",
        achievement=ScaleLevel.objects.get(scale_set=own, code="B"),
        status="published",
    )
    editor = old.get_model("auth", "User").objects.create(username="editor")
    History = old.get_model("projects", "HistoricalProjectResult")
    own_level = {level.code: level for level in ScaleLevel.objects.filter(scale_set=own)}
    day = {n: datetime(2022, 4, n, tzinfo=UTC) for n in range(1, 9)}
    for n, history_type, achievement, actual, status in [
        (1, "+", "A", "", "draft"),
        (2, "~", "A", "実施", "draft"),  # the level left alone: no row for the value
        (3, "~", "C", "実施", "draft"),
        (4, "~", "B", "実施", "published"),
    ]:
        History.objects.create(
            id=result.pk,
            project=project,
            fiscal_year=2021,
            actual=actual,
            achievement=own_level[achievement],
            status=status,
            updated_at=day[n],
            history_date=day[n],
            history_type=history_type,
            history_user=editor,
            history_change_reason=f"変更{n}",
        )
    # A result of 2020 rated, its level emptied, rated again, then deleted.
    for n, history_type, achievement in [
        (5, "+", "A"),
        (6, "~", None),
        (7, "~", "C"),
        (8, "-", "C"),
    ]:
        History.objects.create(
            id=result.pk + 1,
            project=project,
            fiscal_year=2020,
            achievement=own_level.get(achievement),
            updated_at=day[n],
            history_date=day[n],
            history_type=history_type,
        )
    Result.objects.create(
        project=other,
        fiscal_year=2020,
        achievement=ScaleLevel.objects.get(scale_set=default, code="3"),
        review=ScaleLevel.objects.get(scale_set=default, code="G"),
    )

    new = migrate(latest())
    Value = new.get_model("projects", "EvaluationValue")
    values = {
        (v.project.name, v.fiscal_year, v.criterion.name, v.criterion.scheme.name): (
            v.level.code,
            v.level.label,
            v.status,
        )
        for v in Value.objects.select_related("project", "criterion__scheme", "level")
    }
    assert values == {
        ("独自の事業", 2021, "達成度", "3段階評価"): ("B", "区分B", "published"),
        ("標準の事業", 2020, "達成度", default.name): ("3", "目標をほぼ達成", "draft"),
        ("標準の事業", 2020, "評価結果", default.name): (
            "G",
            "事業の規模（予算・人員）を維持",
            "draft",
        ),
    }
    NewPlan = new.get_model("policies", "Plan")
    assert NewPlan.objects.get(slug="migration-plan").evaluation_scheme.name == "3段階評価"
    assert NewPlan.objects.get(slug="migration-default").evaluation_scheme is None
    result = new.get_model("projects", "ProjectResult").objects.get(project__name="独自の事業")
    assert (result.actual, result.comment) == ("実施", "説明")

    value = Value.objects.get(project=result.project_id, fiscal_year=2021)
    ValueHistory = new.get_model("projects", "HistoricalEvaluationValue")
    lines = [
        (
            v.id,
            v.fiscal_year,
            v.level.code if v.level_id else None,
            v.history_date,
            v.history_type,
            v.status,
            v.history_user_id,
            v.history_change_reason,
            v.criterion_id,
        )
        for v in ValueHistory.objects.filter(project=result.project_id)
        .select_related("level")
        .order_by("history_date", "history_id")
    ]
    on = (value.id, 2021)
    by = (editor.pk,)
    gone = Value.objects.order_by("pk").last().pk + 1
    assert lines == [
        (*on, "A", day[1], "+", "draft", *by, "変更1", value.criterion_id),
        (*on, "C", day[3], "~", "draft", *by, "変更3", value.criterion_id),
        (*on, "B", day[4], "~", "published", *by, "変更4", value.criterion_id),
        (gone, 2020, "A", day[5], "+", "draft", None, None, value.criterion_id),
        (gone, 2020, "A", day[6], "-", "draft", None, None, value.criterion_id),
        (gone + 1, 2020, "C", day[7], "+", "draft", None, None, value.criterion_id),
        (gone + 1, 2020, "C", day[8], "-", "draft", None, None, value.criterion_id),
    ]
    later = Value.objects.create(
        project_id=result.project_id,
        fiscal_year=2022,
        criterion_id=value.criterion_id,
        level_id=value.level_id,
    )
    assert later.pk > gone + 1  # no new value takes up the history of a deleted one
    later.delete()

    back = migrate(BEFORE)
    OldResult = back.get_model("projects", "ProjectResult")
    restored = {
        (r.project.name, r.fiscal_year): (
            r.achievement.code if r.achievement_id else None,
            r.review.code if r.review_id else None,
            r.achievement.scale_set.name if r.achievement_id else None,
        )
        for r in OldResult.objects.select_related("project", "achievement__scale_set", "review")
    }
    assert restored == {
        ("独自の事業", 2021): ("B", None, "3段階評価"),
        ("標準の事業", 2020): ("3", "G", default.name),
    }
