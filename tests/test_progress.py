"""Progress: a year's results and evaluations, schemes, indicators, and their public pages."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from planportal.publication import PublicationStatus
from policies.models import EvaluationScheme, Indicator, IndicatorValue, PolicyNode
from policies.tree import create_node
from projects.models import Project, ProjectResult
from projects.progress import LevelRow, Rollup, rollup_line, yearly_progress
from tests.evaluations import levels, record

PUBLISHED = PublicationStatus.PUBLISHED
pytestmark = pytest.mark.django_db


def community_node():
    return PolicyNode.objects.get(
        plan__slug="kawasaki-2011", title="区における地域のまちづくりの推進"
    )


# --- the default scales ----------------------------------------------------


def test_default_scheme_is_kawasakis_achievement_and_review():
    scheme = EvaluationScheme.objects.get(is_default=True)
    achievement_criterion, review_criterion = scheme.criteria.all()
    assert (achievement_criterion.name, review_criterion.name) == ("達成度", "評価結果")
    assert {c.subject for c in (achievement_criterion, review_criterion)} == {"project"}
    assert {c.timing for c in (achievement_criterion, review_criterion)} == {"yearly"}
    achievement = list(achievement_criterion.levels.all())
    assert [(lv.code, lv.label) for lv in achievement] == [
        ("1", "目標を大きく上回って達成"),
        ("2", "目標を上回って達成"),
        ("3", "目標をほぼ達成"),
        ("4", "目標を下回った"),
        ("5", "目標を大きく下回った"),
    ]
    review = list(review_criterion.levels.all())
    assert [lv.code for lv in review] == list("ABCDEFGH")
    assert {lv.group for lv in review[:4]} == {"目標どおりに進める"}
    assert {lv.group for lv in review[4:]} == {"目標を変更して進める"}
    assert review[0].label == review[4].label  # A and E: both expand, targets kept or changed
    assert "廃止" in review[3].label and "廃止" in review[7].label


# --- results: validation -----------------------------------------------------


def test_a_result_for_a_year_of_the_plan_saves():
    project = Project.objects.get(plan__slug="kawasaki-2011", name="地域情報化推進事業")
    result = record(project, 2012, achievement="3", review="C", actual="ポータルサイトを運営")
    assert result.actual == "ポータルサイトを運営"
    assert levels(project, 2012) == {"達成度": "3", "評価結果": "C"}


@pytest.mark.parametrize("fiscal_year", [2010, 2014, 2030])
def test_no_result_for_a_year_outside_the_plan(fiscal_year):
    project = Project.objects.get(plan__slug="kawasaki-2011", name="地域情報化推進事業")
    with pytest.raises(ValidationError) as error:
        record(project, fiscal_year, achievement="3")
    assert "fiscal_year" in error.value.message_dict
    assert "2011～2013" in error.value.message_dict["fiscal_year"][0]
    assert not ProjectResult.objects.filter(project=project).exists()


def test_a_plan_can_choose_its_own_scheme(make_plan):
    from policies.models import Criterion, CriterionLevel
    from projects.models import EvaluationValue

    plan = make_plan("three-levels")
    scheme = EvaluationScheme.objects.create(name="3段階評価")
    criterion = Criterion.objects.create(scheme=scheme, name="進捗")
    for position, (code, label) in enumerate([("A", "順調"), ("B", "おおむね順調"), ("C", "遅れ")]):
        CriterionLevel.objects.create(
            criterion=criterion, code=code, label=label, position=position
        )
    plan.evaluation_scheme = scheme
    plan.save()
    project = Project.objects.create(plan=plan, name="テスト事業", status=PUBLISHED)
    own = EvaluationValue(
        project=project, fiscal_year=2023, criterion=criterion, level=criterion.levels.get(code="B")
    )
    own.full_clean()
    default = EvaluationScheme.objects.get(is_default=True).criteria.get(name="達成度")
    other = EvaluationValue(
        project=project, fiscal_year=2023, criterion=default, level=default.levels.get(code="3")
    )
    with pytest.raises(ValidationError) as error:
        other.full_clean()
    assert "3段階評価" in error.value.message_dict["criterion"][0]


def test_plan_years_come_from_its_period_or_its_closed_parts(make_plan):
    from policies.models import Plan

    assert Plan.objects.get(slug="kawasaki").fiscal_year_span() == (2016, 2025)
    assert Plan.objects.get(slug="kawasaki-2011").fiscal_year_span() == (2011, 2013)
    assert Plan.objects.get(slug="zushi").fiscal_year_span() is None


# --- indicators ----------------------------------------------------------------


def test_indicator_values_stay_within_the_plan_and_need_a_number():
    indicator = Indicator.objects.create(node=community_node(), name="認知度", unit="%")
    with pytest.raises(ValidationError) as error:
        IndicatorValue(indicator=indicator, fiscal_year=2015, actual=Decimal("3")).full_clean()
    assert "fiscal_year" in error.value.message_dict
    with pytest.raises(ValidationError):
        IndicatorValue(indicator=indicator, fiscal_year=2012).full_clean()
    with pytest.raises(ValidationError) as error:
        IndicatorValue(indicator=indicator, fiscal_year=2012, actual="多い").full_clean()
    assert "actual" in error.value.message_dict
    with pytest.raises(ValidationError):
        Indicator(node=community_node(), name="基準", baseline_value=Decimal("1")).full_clean()


def test_zushis_scheme_numerical_targets_per_pillar_and_kpis_per_measure(make_plan):
    """Zushi: a 数値目標 on each pillar of the basic vision, a KPI on each concrete measure."""
    plan = make_plan("zushi-like", start=2022, end=2026, levels=("基本構想の柱", "具体的施策"))
    pillar = create_node(plan=plan, parent=None, title="柱1", status=PUBLISHED)
    measure = create_node(plan=plan, parent=pillar, title="施策1", status=PUBLISHED)
    target = Indicator.objects.create(
        node=pillar,
        kind=Indicator.Kind.NUMERICAL_TARGET,
        name="転入超過数",
        unit="人",
        status=PUBLISHED,
    )
    kpi = Indicator.objects.create(
        node=measure,
        kind=Indicator.Kind.KPI,
        name="オンライン手続の件数",
        unit="件",
        direction=Indicator.Direction.HIGHER,
        status=PUBLISHED,
    )
    IndicatorValue.objects.create(indicator=target, fiscal_year=2022, target=Decimal("100"))
    IndicatorValue.objects.create(indicator=kpi, fiscal_year=2022, target=1, actual=2)
    client = Client()
    pillar_page = client.get(pillar.get_absolute_url()).content.decode()
    measure_page = client.get(measure.get_absolute_url()).content.decode()
    assert "数値目標" in pillar_page and "転入超過数" in pillar_page
    assert "重要業績評価指標（KPI）" in measure_page and "オンライン手続の件数" in measure_page
    assert "オンライン手続の件数" not in pillar_page


# --- public pages ---------------------------------------------------------------


def test_node_page_rolls_up_achievement_levels_per_year():
    node = community_node()
    projects = list(Project.objects.under(node).order_by("pk"))[:4]
    record(projects[0], 2011, achievement="3", review="C")
    record(projects[1], 2011, achievement="3", review="A")
    record(projects[2], 2011, achievement="1")
    record(projects[3], 2011, actual="実施した")  # not yet rated
    record(projects[0], 2012, achievement="4", review="G")
    record(projects[1], 2012, achievement="2", status=PublicationStatus.DRAFT)  # not public
    html = Client().get(node.get_absolute_url()).content.decode()
    assert "事業の進み具合（達成度）" in html
    assert html.count('role="img"') == 2  # a bar chart per fiscal year
    table = html[
        html.index('id="rollup-table-caption-1"') : html.index(
            "</table>", html.index('id="rollup-table-caption-1"')
        )
    ]
    rows = {
        "3目標をほぼ達成": ["2", "0"],
        "1目標を大きく上回って達成": ["1", "0"],
        "4目標を下回った": ["0", "1"],
        "未評価": ["1", "0"],
        "合計（評価済み）": ["3", "1"],
    }
    for label, counts in rows.items():
        expected = "".join(f'<td class="count">{count}</td>' for count in counts)
        assert f"{label.lstrip('0123456789')}</th>{expected}" in table, label
    assert "評価結果別の事業数" in html


def test_node_page_says_in_one_line_how_it_sums_up_its_projects():
    node = community_node()
    under = list(Project.objects.under(node).order_by("pk"))
    record(under[0], 2012, achievement="3")
    record(under[1], 2012, achievement="1")
    record(under[2], 2012, actual="実施した")  # a result, but no level: not evaluated
    record(under[3], 2011, achievement="2")  # an older year: the line is the latest year's
    total = len(under)
    html = Client().get(node.get_absolute_url()).content.decode()
    line = html[
        html.index('<p class="rollup-line">') : html.index("</p>", html.index("rollup-line"))
    ]
    assert line == (
        f'<p class="rollup-line">平成24年度 (2012)：この項目の下の事業 {total} 件のうち 2 件'
        f"（{200 // total}％）を評価済み。 達成度 1：1 件、3：1 件。 評価済みに数えない "
        f"{total - 2} 件：達成度のない実績 1 件、実績の登録なし {total - 3} 件。"
    )
    # Right after the line, collapsed: the excluded projects by reason, each linked.
    details = html[html.index("</p>", html.index("rollup-line")) + 4 :]
    details = details[: details.index("</details>")]
    assert details.lstrip().startswith(
        '<details class="rollup-excluded"><summary>評価済みに数えない事業</summary>'
    )
    without_level, not_recorded = details.split("実績の登録なし")
    assert "達成度のない実績 1 件" in without_level
    assert (
        without_level.count("<li>") == 1
        and f'href="{under[2].get_absolute_url()}"' in without_level
    )
    assert not_recorded.count("<li>") == total - 3
    for project in [under[3], *under[4:]]:  # an older year's level does not count
        assert f'href="{project.get_absolute_url()}">{project.display_name}</a>' in not_recorded
    for project in under[:2]:
        assert project.get_absolute_url() not in details
    assert "未評価" not in details
    english = Client().get("/en" + node.get_absolute_url()).content.decode()
    assert f"of the {total} projects under this item, 2 ({200 // total} per cent)" in english


def test_a_node_counts_only_the_projects_its_visitor_sees(admin_client):
    """A draft project and its published result and level show in the staff preview only:
    a measure rolls up the projects its visitor sees listed on it, a node above them the
    visible projects below it."""
    node = community_node()
    under = list(Project.objects.under(node).order_by("pk"))
    record(under[0], 2012, achievement="3")
    record(under[1], 2012, achievement="1")
    Project.objects.filter(pk=under[1].pk).unpublish()
    draft_url = under[1].get_absolute_url()
    for shown in (node, node.parent):
        total = Project.objects.under(shown).count()
        html = Client().get(shown.get_absolute_url()).content.decode()
        assert f"この項目の下の事業 {total - 1} 件のうち 1 件（{100 // (total - 1)}％）を" in html
        assert draft_url not in html
        html = admin_client.get(shown.get_absolute_url()).content.decode()
        assert f"この項目の下の事業 {total} 件のうち 2 件（{200 // total}％）を" in html


def test_a_long_list_of_excluded_projects_shows_the_first_of_each_reason(monkeypatch):
    from projects import progress

    monkeypatch.setattr(progress, "EXCLUDED_SHOWN", 2)
    node = community_node()
    under = list(Project.objects.under(node).order_by("pk"))
    record(under[0], 2012, achievement="3")
    html = Client().get(node.get_absolute_url()).content.decode()
    details = html[html.index('<details class="rollup-excluded">') :]
    details = details[: details.index("</details>")]
    shown = [f'href="{project.get_absolute_url()}"' in details for project in under[1:]]
    assert shown == [True, True] + [False] * (len(under) - 3)
    assert f"<li>ほか {len(under) - 3} 件</li>" in details
    english = Client().get("/en" + node.get_absolute_url()).content.decode()
    assert "Projects not counted as evaluated" in english
    assert f"<li>{len(under) - 3} more</li>" in english


def test_a_project_due_an_evaluation_never_counts_as_evaluated():
    criterion = EvaluationScheme.objects.get(is_default=True).criteria.first()
    level = criterion.levels.first()
    # 2 projects at the level; 1 with a result but no level and 3 due (未評価) are unrated.
    rollup = Rollup(criterion=criterion, years=[2013], rows=[LevelRow(level, [2])], unrated=[4])
    line = rollup_line(rollup, 10, {2013: 3})
    assert (line.criterion, line.fiscal_year, line.evaluated, line.share) == (
        criterion,
        2013,
        2,
        20,
    )
    assert (line.pending, line.without_level, line.not_recorded, line.excluded) == (3, 1, 4, 8)
    assert rollup_line(Rollup(criterion=criterion, years=[]), 10) is None


def test_node_page_shows_nothing_of_progress_without_data():
    html = Client().get(community_node().get_absolute_url()).content.decode()
    assert "事業の進み具合" not in html and "成果指標" not in html
    assert "progress.css" not in html


def test_indicator_chart_and_its_table_on_the_node_page():
    node = community_node()
    indicator = Indicator.objects.create(
        node=node,
        name="区民会議の<認知度>",
        unit="%",
        baseline_value=Decimal("23.5"),
        baseline_year=2010,
        source="市民アンケート",
        status=PUBLISHED,
    )
    for year, target, actual in [(2011, "25", "24.1"), (2012, "28", "29.30"), (2013, "30", None)]:
        IndicatorValue.objects.create(
            indicator=indicator,
            fiscal_year=year,
            target=Decimal(target),
            actual=Decimal(actual) if actual else None,
        )
    html = Client().get(node.get_absolute_url()).content.decode()
    assert f'aria-labelledby="indicator-chart-{indicator.pk}-title' in html
    assert "区民会議の&lt;認知度&gt;" in html and "区民会議の<認知度>" not in html
    assert '<td class="number">29.3</td>' in html  # no trailing zeros
    assert '<td class="number">—</td>' in html  # 2013 has no actual yet
    assert "基準値：23.5%" in html
    draft = Indicator.objects.create(node=node, name="下書きの指標")
    assert "下書きの指標" not in Client().get(node.get_absolute_url()).content.decode()
    assert draft.pk


def test_project_page_sets_targets_beside_actuals_year_by_year():
    project = Project.objects.get(plan__slug="kawasaki-2011", name="地域情報化推進事業")
    record(project, 2011, achievement="3", review="C", actual="地域ポータルの運営")
    html = Client().get(project.get_absolute_url()).content.decode()
    table = html[html.index('id="progress-caption"') :]
    assert "平成23年度 (2011)" in table and "平成25年度 (2013)" in table
    assert "地域ポータルの運営" in table
    assert '<span class="level-code">3</span>目標をほぼ達成' in table
    assert "目標どおりに進める：事業の規模（予算・人員）を維持" in table
    assert "未登録" in table  # 2012 and 2013 have targets but no result yet


def test_project_page_without_results_shows_no_progress_table():
    project = Project.objects.get(plan__slug="kawasaki-2011", name="地域情報化推進事業")
    record(project, 2011, achievement="3", status=PublicationStatus.DRAFT)
    assert "目標と実績" not in Client().get(project.get_absolute_url()).content.decode()


def test_yearly_progress_resolves_arrows_and_merged_cells():
    """The target a year reads: "→" means the year before, a merged cell spans its years."""
    project = next(
        p
        for p in Project.objects.filter(plan__slug="kawasaki-2011").prefetch_related("targets")
        if any(t.text.strip() == "→" for t in p.targets.all())
    )
    rows = {row.fiscal_year: row.targets for row in yearly_progress(project, [])}
    assert set(rows) == {2011, 2012, 2013}
    assert all("→" != text.strip() for texts in rows.values() for text in texts)
