"""The data migrations from scale sets and results' 達成度/評価結果 to schemes and evaluation
values: nothing lost on the way forward, and the way back restores the old fields."""

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


@pytest.mark.django_db(transaction=True)
def test_scale_sets_and_result_levels_become_schemes_and_values_and_back():
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
    Result.objects.create(
        project=project,
        fiscal_year=2021,
        actual="実施",
        comment="説明",
        achievement=ScaleLevel.objects.get(scale_set=own, code="B"),
        status="published",
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
    migrate(latest())
