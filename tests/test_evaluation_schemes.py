"""Evaluation schemes: criteria with their own scales, values per criterion for a project or
a node by year, period or sheet label, their validation, display, and the migration of the
old 達成度/評価結果."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from planportal.publication import PublicationStatus
from policies.models import Criterion, CriterionLevel, EvaluationScheme, Plan, PolicyNode
from policies.tree import create_node
from projects.models import EvaluationValue, Project
from schedule.models import PlanPeriod
from tests.evaluations import level_of

PUBLISHED = PublicationStatus.PUBLISHED
pytestmark = pytest.mark.django_db


@pytest.fixture
def kawasaki():
    return Plan.objects.get(slug="kawasaki-2011")


@pytest.fixture
def project(kawasaki):
    return Project.objects.get(plan=kawasaki, name="地域情報化推進事業")


def value(subject, criterion_name, code, **when):
    plan = subject.plan
    level = level_of(plan, code, criterion_name)
    key = "project" if isinstance(subject, Project) else "node"
    entry = EvaluationValue(
        criterion=level.criterion, level=level, status=PUBLISHED, **{key: subject}, **when
    )
    entry.full_clean()
    entry.save()
    return entry


# --- the shipped schemes ------------------------------------------------------------


def test_kawasaki_2011_evaluates_with_its_own_scheme(kawasaki):
    scheme = kawasaki.scheme
    assert not scheme.is_default and kawasaki.evaluation_scheme == scheme
    criteria = {c.name: c for c in scheme.criteria.prefetch_related("levels")}
    assert list(criteria) == [
        "達成度",
        "評価結果",
        "3ヵ年の事業目標に対する達成度",
        "事業の妥当性",
        "事業の有効性・効率性・経済性",
    ]
    period_review = criteria["3ヵ年の事業目標に対する達成度"]
    assert period_review.timing == Criterion.Timing.PERIOD_END
    assert [lv.code for lv in period_review.levels.all()] == list("ⅠⅡⅢⅣⅤ")
    for name in ("事業の妥当性", "事業の有効性・効率性・経済性"):
        levels = list(criteria[name].levels.all())
        assert [(lv.code, lv.label) for lv in levels][::4] == [("5", "優る"), ("1", "劣る")]
    # The other plans use the default scheme: 達成度 and 評価結果 only.
    default = Plan.objects.get(slug="kawasaki").scheme
    assert default.is_default
    assert [c.name for c in kawasaki.yearly_criteria()][:2] == ["達成度", "評価結果"]
    assert [c.name for c in default.criteria.all()] == ["達成度", "評価結果"]


# --- each criterion kind ---------------------------------------------------------------


def test_yearly_criteria_take_a_year_of_the_plan(project):
    assert value(project, "達成度", "3", fiscal_year=2012).when_label == "平成24年度 (2012)"
    assert value(project, "評価結果", "E", fiscal_year=2012).level.group == "目標を変更して進める"
    assert value(project, "事業の妥当性", "5", fiscal_year=2012).level.label == "優る"
    with pytest.raises(ValidationError) as error:  # one value per criterion, project and year
        value(project, "達成度", "2", fiscal_year=2012)
    assert error.value


def test_a_period_end_criterion_takes_a_period_of_the_plan(kawasaki, project):
    period = kawasaki.periods.get()
    review = value(project, "3ヵ年の事業目標に対する達成度", "Ⅳ", period=period)
    assert review.when_label == "実行計画 期末評価"
    with pytest.raises(ValidationError) as error:
        value(project, "3ヵ年の事業目標に対する達成度", "Ⅲ", fiscal_year=2013)
    assert "計画期間ごと（期末評価）" in error.value.message_dict["fiscal_year"][0]
    with pytest.raises(ValidationError) as error:
        value(project, "達成度", "3", period=period)
    assert "毎年度の項目" in error.value.message_dict["period"][0]


def test_a_value_known_only_by_its_sheets_label_is_kept_so(project):
    entry = value(project, "達成度", "2", sheet_label="平成25年度評価シート")
    assert entry.when_label == "平成25年度評価シート"
    html = Client().get(project.get_absolute_url()).content.decode()
    assert "平成25年度評価シート" in html


def test_measure_and_mid_term_criteria_rate_nodes(make_plan):
    plan = make_plan("own-scheme")
    scheme = EvaluationScheme.objects.create(name="テスト市の施策評価")
    plan.evaluation_scheme = scheme
    plan.save()
    measure_criterion = Criterion.objects.create(
        scheme=scheme, name="施策の進捗", subject=Criterion.Subject.MEASURE, timing="mid_term"
    )
    for position, (code, label) in enumerate([("A", "順調"), ("B", "概ね順調"), ("C", "遅れ")]):
        CriterionLevel.objects.create(
            criterion=measure_criterion, code=code, label=label, position=position
        )
    basic_plan = PlanPeriod.objects.create(
        plan=plan,
        part="basic_plan",
        name="前期基本計画",
        start_fiscal_year=2022,
        end_fiscal_year=2025,
    )
    node = create_node(plan=plan, code="1", title="安心のまち", status=PUBLISHED)
    entry = value(node, "施策の進捗", "B", period=basic_plan, explanation="防災訓練を増やした")
    assert entry.when_label == "前期基本計画 中間評価"
    html = Client().get(node.get_absolute_url()).content.decode()
    assert "この項目の評価" in html and "施策の進捗" in html
    assert '<span class="level-code">B</span>概ね順調' in html and "防災訓練を増やした" in html
    project = Project.objects.create(plan=plan, name="防災事業", status=PUBLISHED)
    with pytest.raises(ValidationError) as error:  # a measure's criterion on a project
        value(project, "施策の進捗", "A", period=basic_plan)
    assert "施策を評価する項目" in error.value.message_dict["criterion"][0]


# --- bad input: a clear message, nothing written ------------------------------------------


@pytest.mark.parametrize(
    ("criterion", "code", "when", "field", "message"),
    [
        ("達成度", "3", {"fiscal_year": 2016}, "fiscal_year", "2011～2013年度"),
        ("達成度", "C", {"fiscal_year": 2012}, "level", "「C」は「達成度」の区分ではありません"),
        ("達成度", "3", {}, "fiscal_year", "どれか一つ"),
        ("達成度", "3", {"fiscal_year": 2012, "sheet_label": "x"}, "fiscal_year", "どれか一つ"),
    ],
)
def test_bad_values_are_refused_with_a_clear_message(
    project, criterion, code, when, field, message
):
    achievement = project.plan.scheme.criteria.get(name=criterion)
    level = level_of(project.plan, code)  # 3: of 達成度, C: of 評価結果
    entry = EvaluationValue(project=project, criterion=achievement, level=level, **when)
    with pytest.raises(ValidationError) as error:
        entry.full_clean()
    assert message in " ".join(error.value.message_dict[field])
    assert not EvaluationValue.objects.filter(project=project).exists()


def test_a_criterion_or_period_of_another_plan_is_refused(project, make_plan):
    default = EvaluationScheme.objects.get(is_default=True).criteria.get(name="達成度")
    entry = EvaluationValue(
        project=project, criterion=default, level=default.levels.get(code="3"), fiscal_year=2012
    )
    with pytest.raises(ValidationError) as error:
        entry.full_clean()
    assert "この計画の評価の方式" in error.value.message_dict["criterion"][0]
    other = make_plan("elsewhere")
    foreign = PlanPeriod.objects.create(
        plan=other, part="implementation", name="他の計画期間", start_fiscal_year=2022
    )
    review = level_of(project.plan, "Ⅱ", "3ヵ年の事業目標に対する達成度")
    entry = EvaluationValue(
        project=project, criterion=review.criterion, level=review, period=foreign
    )
    with pytest.raises(ValidationError) as error:
        entry.full_clean()
    assert "この計画の計画期間ではありません" in error.value.message_dict["period"][0]


# --- display --------------------------------------------------------------------------


def test_the_project_page_shows_each_criterion_with_its_label_and_the_period_review(
    kawasaki, project
):
    value(project, "達成度", "2", fiscal_year=2011)
    value(project, "事業の妥当性", "5", fiscal_year=2011, explanation="市民の需要が高い")
    value(project, "3ヵ年の事業目標に対する達成度", "Ⅱ", period=kawasaki.periods.get())
    html = Client().get(project.get_absolute_url()).content.decode()
    table = html[html.index('id="progress-caption"') :]
    assert '<th scope="col">事業の妥当性</th>' in table
    assert '<span class="level-code">2</span>目標を上回って達成' in table
    assert '<span class="level-code">5</span>優る' in table and "市民の需要が高い" in table
    assert "計画期間などの評価" in table and "実行計画 期末評価" in table


def test_a_draft_value_stays_off_the_public_pages(project):
    entry = value(project, "達成度", "4", fiscal_year=2011)
    EvaluationValue.objects.filter(pk=entry.pk).update(status=PublicationStatus.DRAFT)
    html = Client().get(project.get_absolute_url()).content.decode()
    assert "目標を下回った" not in html


def test_node_rollups_count_projects_per_level_of_each_yearly_criterion(kawasaki):
    node = PolicyNode.objects.get(plan=kawasaki, title="区における地域のまちづくりの推進")
    projects = list(Project.objects.under(node).order_by("pk"))[:2]
    value(projects[0], "事業の妥当性", "5", fiscal_year=2012)
    value(projects[1], "達成度", "3", fiscal_year=2012)
    response = Client().get(node.get_absolute_url())
    rollups = {r.criterion.name: r for r in response.context["rollups"]}
    assert rollups["達成度"].totals == [1] and rollups["達成度"].unrated == [1]
    assert rollups["事業の妥当性"].totals == [1] and rollups["事業の妥当性"].unrated == [1]
    assert "事業の妥当性別の事業数" in response.content.decode()


# --- the admin ------------------------------------------------------------------------


def test_a_planner_adds_a_citys_own_scheme_with_criteria_and_levels(admin_client, kawasaki):
    from django.urls import reverse

    response = admin_client.post(
        reverse("admin:policies_evaluationscheme_add"),
        {
            "name": "テスト市の評価",
            "description": "",
            "criteria-TOTAL_FORMS": 1,
            "criteria-INITIAL_FORMS": 0,
            "criteria-0-position": 0,
            "criteria-0-name": "事業の妥当性",
            "criteria-0-subject": "project",
            "criteria-0-timing": "yearly",
        },
    )
    assert response.status_code == 302
    criterion = Criterion.objects.get(scheme__name="テスト市の評価")
    url = reverse("admin:policies_criterion_change", args=[criterion.pk])
    response = admin_client.post(
        url,
        {
            "scheme": criterion.scheme_id,
            "position": 0,
            "name": "事業の妥当性",
            "subject": "project",
            "timing": "yearly",
            "levels-TOTAL_FORMS": 2,
            "levels-INITIAL_FORMS": 0,
            "levels-0-position": 0,
            "levels-0-code": "5",
            "levels-0-label": "優る",
            "levels-1-position": 1,
            "levels-1-code": "1",
            "levels-1-label": "劣る",
        },
    )
    assert response.status_code == 302
    assert [str(level) for level in criterion.levels.all()] == ["5 優る", "1 劣る"]
    page = admin_client.get(
        reverse("admin:policies_evaluationscheme_change", args=[criterion.scheme_id])
    )
    assert "5・1" in page.content.decode()
    for name in ("projects_evaluationvalue_changelist", "projects_evaluationvalue_add"):
        assert admin_client.get(reverse(f"admin:{name}")).status_code == 200


def test_a_bureau_editor_may_not_change_schemes(make_staff, client_for):
    from django.urls import reverse

    from planportal.permissions import BUREAU_EDITORS

    editor = make_staff("scheme-editor", BUREAU_EDITORS)
    response = client_for(editor).get(reverse("admin:policies_evaluationscheme_add"))
    assert response.status_code == 403
