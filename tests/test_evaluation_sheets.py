"""Measure evaluations (施策評価シート content) and the evaluation sheets of a measure and a
project: print pages laid out like the cities' sheets, PDFs read back, fixed query counts."""

import io
import re

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from planportal.permissions import WARD_EDITORS, can_edit
from planportal.publication import PublicationStatus
from policies.models import (
    Bureau,
    Division,
    Indicator,
    IndicatorValue,
    MeasureEvaluation,
    Municipality,
    PolicyNode,
    Ward,
)
from projects.models import EvaluationValue, Project, TargetRevision
from tests.evaluations import level_of, record

PUBLISHED = PublicationStatus.PUBLISHED
pytestmark = pytest.mark.django_db


@pytest.fixture
def measure():
    return PolicyNode.objects.get(plan__slug="kawasaki-2011", code="Ⅶ-1-(1)")


@pytest.fixture
def divisions(measure):
    bureau = Bureau.objects.create(municipality=measure.plan.municipality, name="総務企画局")
    return (
        Division.objects.create(bureau=bureau, name="企画調整課"),
        Division.objects.create(bureau=bureau, name="自治政策課"),
    )


def evaluate(node, **fields):
    fields.setdefault("status", PUBLISHED)
    related = fields.pop("related", ())
    evaluation = MeasureEvaluation(node=node, **fields)
    evaluation.full_clean()
    evaluation.save()
    evaluation.related_divisions.set(related)
    return evaluation


# --- the measure's evaluation -----------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({}, "sheet_label", "評価する年度か、シートの表記"),
        ({"sheet_label": "   "}, "sheet_label", "評価する年度か、シートの表記"),
        ({"fiscal_year": 2016}, "fiscal_year", "年度は計画期間（2011～2013年度）の中に"),
    ],
)
def test_an_evaluation_needs_a_year_of_the_plan_or_the_sheets_label(
    measure, fields, field, message
):
    with pytest.raises(ValidationError) as error:
        evaluate(measure, **fields)
    assert any(message in text for text in error.value.message_dict[field])
    assert not measure.evaluations.exists()


def test_one_evaluation_per_year_or_label_and_a_division_of_the_citys_own(measure, divisions):
    evaluate(measure, fiscal_year=2012)
    evaluate(measure, sheet_label="令和4年度評価シート")
    for fields in ({"fiscal_year": 2012}, {"sheet_label": "令和4年度評価シート"}):
        with pytest.raises(ValidationError):
            evaluate(measure, **fields)
    elsewhere = Municipality.objects.exclude(pk=measure.plan.municipality_id).first()
    foreign = Division.objects.create(
        bureau=Bureau.objects.create(municipality=elsewhere, name="他市の局"), name="他市の課"
    )
    with pytest.raises(ValidationError) as error:
        evaluate(measure, fiscal_year=2013, author_division=foreign)
    assert "この計画の自治体の課" in str(error.value)
    assert measure.evaluations.count() == 2


def test_a_ward_editor_writes_the_evaluations_of_their_wards_nodes_only(make_staff, measure):
    saiwai = Ward.objects.get(slug="saiwai-ku")
    editor = make_staff("saiwai-editor", WARD_EDITORS, ward=saiwai)
    other = evaluate(measure, fiscal_year=2012)
    assert not can_edit(editor, other)
    measure.wards.add(saiwai)
    assert can_edit(editor, other)
    assert editor.has_perm("policies.change_measureevaluation")


def test_the_admin_refuses_an_evaluation_without_year_or_label(admin_client, measure):
    response = admin_client.post(
        reverse("admin:policies_measureevaluation_add"),
        {"node": measure.pk, "status": "draft", "related_divisions": []},
    )
    assert response.status_code == 200
    assert "評価する年度か、シートの表記" in response.content.decode()
    assert not MeasureEvaluation.objects.exists()


# --- the sheets -------------------------------------------------------------------


@pytest.fixture
def filled_sheet(measure, divisions):
    """A measure with an evaluation, a sheet-label-only evaluation, an indicator, and a
    project with a revised target and a result."""
    planning, policy = divisions
    evaluate(
        measure,
        fiscal_year=2012,
        is_priority=True,
        author_division=planning,
        related=[policy],
        issues="自治基本条例の理念の浸透が課題",
        overview="区民会議と住民投票制度の運営",
        goal="市民自治の推進",
        outcome="区民会議の提案が施策に反映された",
        explanation="概ね順調に進んでいる",
    )
    evaluate(measure, sheet_label="令和4年度評価シート", overview="年度の書かれていないシート")
    evaluate(measure, fiscal_year=2013, status="draft", overview="まだ下書きの評価")
    indicator = Indicator.objects.create(
        node=measure,
        name="自治基本条例の認知度",
        unit="%",
        status=PUBLISHED,
        baseline_text="25%",
        baseline_label="計画策定時",
    )
    IndicatorValue(indicator=indicator, fiscal_year=2012, target_text="30%以上").save()
    voting = Project.objects.get(plan=measure.plan, name="住民投票制度運営事業")
    TargetRevision.objects.create(
        project=voting,
        fiscal_year=2012,
        text="制度見直しの検討",
        decided_in=2012,
        reason="条例改正の議論を受けて",
    )
    record(voting, 2012, actual="制度を運営した", achievement="3", review="C")
    review = level_of(voting.plan, "Ⅳ", "3ヵ年の事業目標に対する達成度")
    EvaluationValue.objects.create(
        project=voting,
        criterion=review.criterion,
        level=review,
        period=voting.plan.periods.get(),
        explanation="3年間でおおむね実施",
        status=PUBLISHED,
    )
    return voting


def test_the_measure_sheet_reads_like_the_citys_sheet(client, measure, filled_sheet):
    url = reverse("policies:node_sheet", args=[measure.plan.slug, measure.pk])
    assert url in client.get(measure.get_absolute_url()).content.decode()
    page = client.get(url).content.decode()
    text = re.sub(r"<[^>]+>", "", page)
    for expected in (
        "施策評価シート",
        "Ⅶ 参加と協働による市民自治のまちづくり ＞ 政策の基本方向 Ⅶ-1 自治と協働のしくみをつくる",
        "Ⅶ-1-(1)",
        "分権時代の新たな自治のしくみづくり",
        "総務企画局 企画調整課",
        "総務企画局 自治政策課",
        "平成24年度 (2012)の評価",
        "重点",
        "自治基本条例の理念の浸透が課題",
        "区民会議の提案が施策に反映された",
        "令和4年度評価シート",
        "年度の書かれていないシート",
        "自治基本条例の認知度",
        "30%以上",
        "基準値：25%（計画策定時）",
        "住民投票制度運営事業",
        "制度見直しの検討",
        "条例改正の議論を受けて",
        "制度を運営した",
        "3目標をほぼ達成",
        "C目標どおりに進める：事業の規模（予算・人員）を維持",
        "3ヵ年の事業目標に対する達成度",
        "実行計画 期末評価",
        "Ⅳ",
        "3年間でおおむね実施",
    ):
        assert expected in text, expected
    assert "まだ下書きの評価" not in text  # a draft evaluation stays out
    english = client.get("/en" + url).content.decode()
    assert "Measure evaluation sheet" in english and "Revised target" in english
    assert "Evaluation of FY2012" in english


def test_the_project_sheet_has_its_path_targets_results_and_indicators(client, filled_sheet):
    project = filled_sheet
    Indicator.objects.create(project=project, name="投票制度の周知率", status=PUBLISHED)
    url = reverse("projects:project_sheet", args=[project.plan.slug, project.pk])
    assert url in client.get(project.get_absolute_url()).content.decode()
    text = re.sub(r"<[^>]+>", "", client.get(url).content.decode())
    for expected in (
        "事務事業評価シート",
        "分権時代の新たな自治のしくみづくり",
        "住民投票制度運営事業",
        "制度見直しの検討",
        "3目標をほぼ達成",
        "実行計画 期末評価",
        "投票制度の周知率",
    ):
        assert expected in text, expected


def test_a_hidden_project_or_node_has_no_sheet(client, measure, filled_sheet):
    Project.objects.filter(pk=filled_sheet.pk).unpublish()
    url = reverse("projects:project_sheet", args=[measure.plan.slug, filled_sheet.pk])
    assert client.get(url).status_code == 404
    PolicyNode.objects.filter(pk=measure.pk).unpublish()
    url = reverse("policies:node_sheet", args=[measure.plan.slug, measure.pk])
    assert client.get(url).status_code == 404


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in reader.pages))


def test_the_sheet_pdfs_read_back(client, measure, filled_sheet):
    response = client.get(reverse("policies:node_sheet_pdf", args=[measure.plan.slug, measure.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in (
        "施策評価シート",
        "分権時代の新たな自治のしくみづくり",
        "企画調整課",
        "自治基本条例の理念の浸透が課題",
        "目標変更",
        "制度見直しの検討",
        "目標をほぼ達成",
        "30%以上",
    ):
        assert expected in text, expected
    project = filled_sheet
    response = client.get(
        reverse("projects:project_sheet_pdf", args=[project.plan.slug, project.pk])
    )
    text = pdf_text(response.content)
    assert "事務事業評価シート" in text and "住民投票制度運営事業" in text


def count_queries(client, url):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200, url
    return len(queries.captured_queries)


def test_sheets_run_a_fixed_number_of_queries(client, measure, divisions, filled_sheet):
    node_url = reverse("policies:node_sheet", args=[measure.plan.slug, measure.pk])
    project_url = reverse("projects:project_sheet", args=[measure.plan.slug, filled_sheet.pk])

    def add_indicators(number):
        part_of = Indicator.objects.create(node=measure, name=f"指標{number}", status=PUBLISHED)
        part = Indicator.objects.create(
            node=measure, name=f"内訳{number}", part_of=part_of, status=PUBLISHED
        )
        IndicatorValue.objects.create(indicator=part, fiscal_year=2013, actual_text="10%")
        IndicatorValue.objects.create(indicator=part_of, fiscal_year=2012, target_text="増加")
        own = Indicator.objects.create(
            project=filled_sheet, name=f"事業指標{number}", status=PUBLISHED
        )
        part = Indicator.objects.create(
            project=filled_sheet, name=f"事業内訳{number}", part_of=own, status=PUBLISHED
        )
        IndicatorValue.objects.create(indicator=part, fiscal_year=2013, actual_text="1件")

    add_indicators(0)  # one of each kind
    before = (count_queries(client, node_url), count_queries(client, project_url))
    # More of everything: evaluations, indicators, results and revisions on every project.
    evaluate(measure, fiscal_year=2011, author_division=divisions[1], related=divisions)
    evaluate(measure, sheet_label="平成25年度評価シート", related=divisions)
    for number in range(1, 4):
        add_indicators(number)
    for project in Project.objects.under(measure):
        TargetRevision.objects.create(
            project=project, fiscal_year=2013, text="変更", decided_in=2013, reason="理由"
        )
        if project != filled_sheet:
            record(project, 2012, actual="実施", achievement="2")
        record(project, 2013, actual="実施", review="A")
    after = (count_queries(client, node_url), count_queries(client, project_url))
    assert before == after == (19, 14)
