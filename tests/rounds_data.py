"""A small plan with two bureaus and a measure with projects, and an open round on it."""

import datetime

import pytest

from planportal.permissions import BUREAU_EDITORS, PLAN_ADMINS
from planportal.publication import PublicationStatus
from policies.models import Bureau, CriterionLevel, Division
from policies.tree import create_node
from projects.models import Project, ProjectListing, YearlyTarget
from rounds.models import Round
from rounds.services import open_round

PUBLISHED = PublicationStatus.PUBLISHED
YEAR = 2023


def level(code):
    """A level of the default scheme: 達成度 1–5 or 評価結果 A–H."""
    return CriterionLevel.objects.get(criterion__scheme__is_default=True, code=code)


@pytest.fixture
def city_plan(make_plan):
    """テスト市's plan: one policy with two measures; 環境局 has 3 projects, 建設局 2, one has none."""
    plan = make_plan("round-plan")
    municipality = plan.municipality
    environment = Bureau.objects.create(municipality=municipality, name="環境局")
    construction = Bureau.objects.create(municipality=municipality, name="建設局")
    Division.objects.create(bureau=environment, name="環境政策課")
    policy = create_node(plan=plan, code="1", title="環境", status=PUBLISHED)
    green = create_node(plan=plan, parent=policy, code="1-1", title="緑", status=PUBLISHED)
    roads = create_node(plan=plan, parent=policy, code="1-2", title="道路", status=PUBLISHED)
    specs = [
        ("緑化推進事業", green, environment),
        ("公園整備事業", green, environment),
        ("温暖化対策事業", green, environment),
        ("道路維持事業", roads, construction),
        ("橋りょう補修事業", roads, construction),
        ("所管未定事業", roads, None),
    ]
    for name, node, bureau in specs:
        project = Project.objects.create(
            plan=plan, name=name, home_node=node, bureau=bureau, status=PUBLISHED
        )
        ProjectListing.objects.create(project=project, node=node)
        YearlyTarget.objects.create(project=project, fiscal_year=2022, text=f"{name}を実施")
        YearlyTarget.objects.create(project=project, fiscal_year=YEAR, text="→")
    return plan


@pytest.fixture
def planner(make_staff):
    return make_staff("planner", PLAN_ADMINS)


@pytest.fixture
def environment_editor(make_staff):
    return make_staff("env-editor", BUREAU_EDITORS, bureau=Bureau.objects.get(name="環境局"))


@pytest.fixture
def construction_editor(make_staff):
    return make_staff("road-editor", BUREAU_EDITORS, bureau=Bureau.objects.get(name="建設局"))


@pytest.fixture
def city_round(city_plan, planner):
    round = Round(
        plan=city_plan,
        fiscal_year=YEAR,
        deadline=datetime.date.today() + datetime.timedelta(days=14),
        instructions="令和5年度の実績を入力してください。",
    )
    open_round(round, user=planner)
    return round
