"""The bound book of a policy's or a bureau's evaluation sheets: built by the task queue
(never in the web request), a cover, contents whose page numbers are the sheets' own
pages (read back with pypdf), every sheet present; and the same sheets as Excel."""

import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from planportal.publication import PublicationStatus
from policies.models import (
    Bureau,
    Division,
    Indicator,
    IndicatorValue,
    MeasureEvaluation,
    PolicyNode,
)
from projects.models import Project
from projects.sheet_book import sheet_nodes
from tests.test_printing import compact, pdf_text
from tests.test_task_queue import database_queue, run_worker  # noqa: F401 (a fixture)

PUBLISHED = PublicationStatus.PUBLISHED
pytestmark = pytest.mark.django_db


@pytest.fixture
def policy():
    return PolicyNode.objects.get(plan__slug="kawasaki-2011", code="Ⅶ-1")


def measures_of(policy):
    return list(sheet_nodes(policy.plan, lambda queryset: queryset.published(), node=policy))


def test_the_book_binds_a_cover_contents_with_page_numbers_and_every_sheet(client, policy):
    measures = measures_of(policy)
    assert len(measures) >= 2
    MeasureEvaluation.objects.create(
        node=measures[0], fiscal_year=2012, issues="担い手の高齢化", status=PUBLISHED
    )
    url = reverse("policies:node_sheets_pdf", args=[policy.plan.slug, policy.pk])
    first = client.get(url)
    assert first.status_code == 202 and first["Retry-After"]  # never built in the request
    run_worker()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader, _text = pdf_text(response.content)
    pages = [compact(page.extract_text()) for page in reader.pages]
    assert "施策評価シート" in pages[0] and compact(policy.title) in pages[0]
    assert "目次" in pages[1]
    for measure in measures:
        title = compact(measure.title)
        listed = re.search(re.escape(title) + r"\.*(\d+)", pages[1])
        assert listed, measure.title
        page = int(listed.group(1))
        assert title in pages[page - 1] and "政策体系" in pages[page - 1], measure.title
        assert all(title not in text for text in pages[2 : page - 1]), "the sheet's first page"
    assert "担い手の高齢化" in "".join(pages)


def test_the_book_of_a_bureau_binds_the_measures_of_its_projects(client, policy):
    measure = measures_of(policy)[0]
    bureau = Bureau.objects.create(municipality=policy.plan.municipality, name="市民・こども局")
    division = Division.objects.create(bureau=bureau, name="協働推進課")
    project = Project.objects.filter(home_node=measure).first()
    project.division = division
    project.save()
    visible = lambda queryset: queryset.published()  # noqa: E731
    assert list(sheet_nodes(policy.plan, visible, bureau=bureau)) == [measure]
    url = reverse("policies:bureau_sheets_pdf", args=[policy.plan.slug, bureau.pk])
    assert client.get(url).status_code == 202
    run_worker()
    reader, text = pdf_text(client.get(url).content)
    assert "市民・こども局" in compact(reader.pages[0].extract_text())
    assert compact(measure.title) in compact(text)


def test_the_excel_has_one_worksheet_per_measure(client, policy):
    measures = measures_of(policy)
    indicator = Indicator.objects.create(
        node=measures[0],
        name="地域活動への参加率",
        unit="%",
        status=PUBLISHED,
        baseline_text="20%",
        baseline_label="計画策定時",
    )
    IndicatorValue.objects.create(indicator=indicator, fiscal_year=2013, target_text="25%以上")
    url = reverse("policies:node_sheets_xlsx", args=[policy.plan.slug, policy.pk])
    response = client.get(url)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    names = [(measure.code or measure.title)[:31] for measure in measures]  # Excel's limit
    assert workbook.sheetnames == names
    rows = [
        [cell for cell in row if cell is not None]
        for row in workbook[names[0]].iter_rows(values_only=True)
    ]
    assert ["名称", measures[0].title] in rows
    assert ["地域活動への参加率", "%", "20%", "計画策定時", "25%以上"] in rows
    projects = {row[0] for row in rows[rows.index(["事業の目標と実績"]) + 2 :] if row}
    listed = Project.objects.under(measures[0]).published()
    assert projects == {project.display_name for project in listed}


def test_the_node_page_and_the_measures_sheet_link_the_bound_sheets(client, policy):
    book = reverse("policies:node_sheets_pdf", args=[policy.plan.slug, policy.pk])
    excel = reverse("policies:node_sheets_xlsx", args=[policy.plan.slug, policy.pk])
    page = client.get(policy.get_absolute_url()).content.decode()
    assert f'href="{book}"' in page and f'href="{excel}"' in page
    sheet = client.get(reverse("policies:node_sheet", args=[policy.plan.slug, policy.pk]))
    assert f'href="{book}"' in sheet.content.decode()
