"""The print page and the PDF of a section: A4, numbered pages, Japanese text, cached."""

import io
import re

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from pypdf import PdfReader

from planportal import task_queue
from planportal.publication import PublicationStatus
from policies.models import Plan, PolicyNode
from projects import printing, tasks
from projects.models import Project

A4_POINTS = (595, 842)


@pytest.fixture
def plan(db):
    return Plan.objects.get(slug="kawasaki-2011")


@pytest.fixture
def measure(plan):
    return PolicyNode.objects.get(plan=plan, code="Ⅶ-1-(1)")


def pdf_text(content: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(content))
    return reader, "\n".join(page.extract_text() for page in reader.pages)


def compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def test_the_print_page_has_headings_texts_and_every_project_below(client, plan, measure):
    response = client.get(reverse("policies:node_print", args=[plan.slug, measure.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "Ⅶ-1-(1)" in html
    for project in Project.objects.under(measure):
        assert project.name in html
    assert "現状と課題" in html
    assert "2014年度以降" in html
    assert 'class="print-toolbar"' in html


def test_a_section_pdf_is_a4_numbered_with_japanese_text_and_fonts_embedded(client, plan, measure):
    response = client.get(reverse("policies:node_pdf", args=[plan.slug, measure.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    reader, text = pdf_text(response.content)
    flat = compact(text)
    for project in Project.objects.under(measure):
        assert compact(project.name) in flat, project.name
    assert compact(measure.title) in flat
    pages = len(reader.pages)
    assert pages >= 2
    assert f"1/{pages}" in flat and f"{pages}/{pages}" in flat  # page numbers
    for page in reader.pages:
        box = page.mediabox
        assert (round(float(box.width)), round(float(box.height))) == A4_POINTS
    fonts = {
        font.get_object()["/BaseFont"]
        for page in reader.pages
        for font in page["/Resources"]["/Font"].values()
    }
    assert any("IPAexGothic" in name for name in fonts), fonts
    descriptor = next(
        font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"]
        for font in reader.pages[0]["/Resources"]["/Font"].values()
        if "IPAexGothic" in font.get_object()["/BaseFont"]
    )
    assert "/FontFile2" in descriptor or "/FontFile3" in descriptor  # embedded


def test_a_long_target_table_repeats_its_header_on_the_next_page(make_plan):
    from policies import tree
    from projects.services import PlacedRow, apply_table_rows
    from projects.table_format import parse_tables

    plan = make_plan("long-table", start=2022, end=2024)
    node = tree.create_node(plan=plan, title="長い表の施策", status=PublicationStatus.PUBLISHED)
    header = "事業名\t現状\t事業内容・目標\t\t\t\n\t\t2022年度\t2023年度\t2024年度\t2025年度以降\n"
    lines = "".join(f"\t\t取組{n:03d}\t\t\t\n" for n in range(1, 120))
    (table,) = parse_tables(
        header + "長い表の事業 概要です。\t現状\t取組000\t\t\t事業推進\n" + lines
    )
    apply_table_rows(plan, [PlacedRow(node, table.rows[0])], status=PublicationStatus.PUBLISHED)
    pdf = printing.build_pdf(printing.PdfJob(plan.pk, node.pk, False, "ja", "http://testserver/"))
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) >= 2
    for page in reader.pages:
        assert "2023年度" in compact(page.extract_text())


def test_drafts_stay_out_of_public_prints_and_pdfs(admin_client, plan, measure):
    client = Client()
    project = Project.objects.under(measure).first()
    project.status = PublicationStatus.DRAFT
    project.save()
    url = reverse("policies:node_pdf", args=[plan.slug, measure.pk])
    _, public = pdf_text(client.get(url).content)
    _, staff = pdf_text(admin_client.get(url).content)
    assert compact(project.name) not in compact(public)
    assert compact(project.name) in compact(staff)
    print_url = reverse("policies:node_print", args=[plan.slug, measure.pk])
    assert project.name not in client.get(print_url).content.decode()
    measure.status = PublicationStatus.DRAFT
    measure.save()
    assert client.get(url).status_code == 404
    assert client.get(print_url).status_code == 404


def test_the_pdf_is_cached_until_the_content_changes(client, plan, measure):
    url = reverse("policies:node_pdf", args=[plan.slug, measure.pk])
    job = printing.PdfJob(plan.pk, measure.pk, False, "ja", "http://testserver/")
    assert printing.cached_pdf(job) is None
    first = client.get(url).content
    assert printing.cached_pdf(job) == first
    # Served from the cache: a marker put there is what the next request gets.
    cache.set(job.cache_key(printing.content_version()), b"%PDF-cached", printing.PDF_TIMEOUT)
    assert client.get(url).content == b"%PDF-cached"
    project = Project.objects.under(measure).first()
    project.name = "名前を変えた事業"
    project.save()
    assert printing.cached_pdf(job) is None
    _, text = pdf_text(client.get(url).content)
    assert "名前を変えた事業" in compact(text)


def test_pages_link_to_print_pdf_and_data(client, plan, measure):
    for url in (
        reverse("policies:node", args=[plan.slug, measure.pk]),
        reverse("policies:plan", args=[plan.slug]),
    ):
        html = client.get(url).content.decode()
        for text in (
            ">印刷用ページ<",
            ">PDFファイル<",
            ">事業の一覧（CSV）<",
            ">事業の一覧（Excel）<",
            ">事業の一覧（プログラム用・JSON）<",
        ):
            assert text in html, (url, text)


def test_without_the_japanese_font_no_pdf_is_made_and_the_page_says_so(
    client, plan, measure, settings
):
    settings.PDF_FONT_FILE = "/nonexistent/ipaexg.ttf"
    response = client.get(reverse("policies:node_pdf", args=[plan.slug, measure.pk]))
    assert response.status_code == 503
    page = response.content.decode()
    assert "日本語フォントがない" in page
    assert reverse("policies:node_print", args=[plan.slug, measure.pk]) in page
    response = client.get("/en" + reverse("policies:plan_pdf", args=[plan.slug]))
    assert response.status_code == 503
    assert "lacks the Japanese font" in response.content.decode()
    assert not task_queue.results_of(tasks.build_section_pdf).exists()  # nothing queued
    sheet = client.get(reverse("policies:node_sheet_pdf", args=[plan.slug, measure.pk]))
    assert sheet.status_code == 503
    assert reverse("policies:node_sheet", args=[plan.slug, measure.pk]) in sheet.content.decode()
    with pytest.raises(printing.JapaneseFontMissing):
        printing.build_pdf(printing.PdfJob(plan.pk, None, False, "ja", "http://testserver/"))
