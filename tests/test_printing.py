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
    pdf = printing.build_pdf(
        printing.PdfJob(plan.pk, node.pk, False, "ja", "http://testserver/", plan.slug)
    )
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
    job = printing.PdfJob(plan.pk, measure.pk, False, "ja", "http://testserver/", plan.slug)
    assert printing.cached_pdf(job) is None
    first = client.get(url).content
    assert printing.cached_pdf(job) == first
    # Served from the cache: a marker put there is what the next request gets.
    cache.set(job.cache_key(), b"%PDF-cached", printing.PDF_TIMEOUT)
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
        printing.build_pdf(
            printing.PdfJob(plan.pk, None, False, "ja", "http://testserver/", plan.slug)
        )


# --- tagged, one Gothic family, stepped headings --------------------------------------


def structure_types(reader: PdfReader) -> set[str]:
    """The structure element types of the PDF's tag tree (H1, P, Table, TH …)."""
    types, stack = set(), [reader.trailer["/Root"]["/StructTreeRoot"]["/K"]]
    while stack:
        item = stack.pop().get_object()
        if isinstance(item, list):
            stack.extend(item)
        elif hasattr(item, "get") and "/S" in item:
            types.add(item["/S"][1:])
            if "/K" in item:
                stack.append(item["/K"])
    return types


def assert_tagged(reader: PdfReader, lang: str, title: str) -> None:
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert bool(root["/MarkInfo"]["/Marked"])
    assert root["/Lang"] == lang
    assert reader.metadata.title.startswith(title)
    pages = {page.indirect_reference.idnum: number for number, page in enumerate(reader.pages)}
    # Every marked element points at a page of this document, and each page's entry in the
    # parent tree lists elements of that page (what a merge of parts could break).
    tree = root["/StructTreeRoot"]["/ParentTree"]["/Nums"]
    entries = dict(zip(tree[::2], tree[1::2], strict=True))
    assert len(entries) == len(tree) // 2  # keys unique
    for number, page in enumerate(reader.pages):
        if "/StructParents" not in page:
            continue
        for element in entries[page["/StructParents"]]:
            element = element.get_object()
            if "/Pg" in element:
                assert pages[element.raw_get("/Pg").idnum] == number


def text_runs(reader: PdfReader) -> list[tuple[int, str, str, float]]:
    """(page number, text, font name, size in points) of every piece of text drawn."""
    runs = []
    for number, page in enumerate(reader.pages, start=1):

        def visit(text, cm, tm, font, size, number=number):
            if text.strip():
                scale = abs(tm[3] * cm[3]) or abs(tm[0] * cm[0])
                runs.append((number, text, font["/BaseFont"], round(size * scale, 2)))

        page.extract_text(visitor_text=visit)
    return runs


def size_of(runs, text: str) -> float:
    return next(size for _, run, _, size in runs if text in run)


@pytest.fixture
def section_pdf(client, plan):
    node = PolicyNode.objects.get(plan=plan, code="Ⅶ-1")
    response = client.get(reverse("policies:node_pdf", args=[plan.slug, node.pk]))
    return PdfReader(io.BytesIO(response.content))


def test_pdfs_are_tagged_with_language_title_headings_and_table_headers(client, plan, section_pdf):
    assert_tagged(section_pdf, "ja", "政策の基本方向 Ⅶ-1 自治と協働のしくみをつくる")
    types = structure_types(section_pdf)
    assert {"H1", "H2", "H3", "H4", "H5", "P", "Table", "TH", "TD"} <= types, types
    node = PolicyNode.objects.get(plan=plan, code="Ⅶ-1-(1)")
    english = client.get("/en" + reverse("policies:node_pdf", args=[plan.slug, node.pk]))
    assert_tagged(PdfReader(io.BytesIO(english.content)), "en", "基本施策 Ⅶ-1-(1)")


def test_every_text_run_is_set_in_the_gothic_font_running_header_included(plan, section_pdf):
    runs = text_runs(section_pdf)
    assert {font.split("+")[-1] for _, _, font, _ in runs} <= {
        "IPAexGothic",
        "IPAexGothic-Bold",
    }, {font for _, _, font, _ in runs}
    header = [run for run in runs if run[0] == 2 and plan.title in run[1]]
    assert header and header[0][3] < size_of(runs, "自治推進委員会からの提言")  # small, Gothic


def test_headings_step_down_and_notes_are_never_larger_than_the_text(section_pdf):
    runs = text_runs(section_pdf)
    body = size_of(runs, "自治推進委員会からの提言を踏まえながら")  # a project's summary
    headings = [
        size_of(runs, "自治と協働のしくみをつくる"),  # h1: the section
        size_of(runs, "分権時代の新たな自治のしくみづくり"),  # h2
        size_of(runs, "自治基本条例に基づく自治の推進"),  # h3
        size_of(runs, "具体的な事業と事業内容・目標"),  # h4
        size_of(runs, "自治拡充推進事業"),  # h5: a project
    ]
    assert headings == sorted(headings, reverse=True) and len(set(headings)) == 5, headings
    assert headings[-1] > body
    assert size_of(runs, "本来の施策") <= body  # a grey note


# --- a whole plan: cover, vision, goals, strategies, contents ---------------------------


@pytest.fixture
def plan_with_vision(plan):
    from policies.models import BasicGoal, Strategy

    plan.vision = "誰もが住み続けたいと思う元気なまち"
    plan.save()
    BasicGoal.objects.create(plan=plan, title="安心のふるさとづくり", description="基本目標の説明")
    Strategy.objects.create(plan=plan, label="戦略1", title="子育て環境の整備", direction="方向性")
    return plan


def contents_lines(reader: PdfReader) -> dict[str, int]:
    """The table of contents' entries: heading → the page number printed beside it."""
    page = next(page for page in reader.pages if "目次" in page.extract_text())
    lines = page.extract_text().splitlines()
    return {
        compact(match[1]): int(match[2])
        for line in lines
        if (match := re.fullmatch(r"(.+?)\s+(\d+)", line.strip()))
    }


def assert_contents_point_at_their_headings(reader: PdfReader, plan) -> None:
    entries = contents_lines(reader)
    tops = PolicyNode.objects.filter(plan=plan, level__lte=1)
    assert tops.count() >= 4
    for node in tops:
        page = entries[compact(node.heading)]
        assert compact(node.title) in compact(reader.pages[page - 1].extract_text()), node


def test_a_whole_plan_opens_with_cover_vision_goals_strategies_and_contents(
    client, plan_with_vision, monkeypatch
):
    plan = plan_with_vision
    monkeypatch.setattr(printing, "PART_LISTINGS", 10_000)  # one piece: CSS target-counter
    html = client.get(reverse("policies:plan_print", args=[plan.slug])).content.decode()
    tree = html.index('class="print-node"')
    for text in ("川崎市", "平成23年度", plan.vision, "安心のふるさとづくり", "子育て環境の整備"):
        assert html.index(text) < tree, text
    assert html.index('<nav class="print-toc"') < tree
    first = PolicyNode.objects.filter(plan=plan).order_by("tree_id", "lft").first()
    assert f'href="#node-{first.pk}"' in html

    reader = PdfReader(
        io.BytesIO(client.get(reverse("policies:plan_pdf", args=[plan.slug])).content)
    )
    assert_tagged(reader, "ja", plan.title)
    cover = compact(reader.pages[0].extract_text())
    assert compact(plan.title) in cover and "川崎市" in cover and "平成23年度～平成25年度" in cover
    front = compact(reader.pages[1].extract_text() + reader.pages[2].extract_text())
    for text in (plan.vision, "安心のふるさとづくり", "子育て環境の整備", "目次"):
        assert text in front, text
    assert_contents_point_at_their_headings(reader, plan)


def test_the_print_page_has_a_print_button_wired_by_our_own_script(client, plan, measure):
    html = client.get(reverse("policies:node_print", args=[plan.slug, measure.pk])).content.decode()
    assert re.search(r'<button type="button" data-print-button hidden>印刷する</button>', html)
    assert '<script src="/static/js/print_button.js" defer></script>' in html
    assert "<script>" not in html  # the CSP allows no inline script
    pdf_html = printing.render_print_html(
        printing.PdfJob(
            plan.pk, measure.pk, False, "ja", "http://testserver/", plan.slug
        ).section(),
        for_pdf=True,
        is_preview=False,
    )
    assert "<button" not in pdf_html and "<script" not in pdf_html


def test_the_pdf_prints_the_target_tables_but_not_the_phone_lists_of_their_cells(
    client, plan, measure
):
    """The list of a table's cells is for phones: a PDF never shows it, and styling its
    elements took a third of a PDF's cascade."""
    page = client.get(reverse("policies:node_print", args=[plan.slug, measure.pk])).content
    assert b'class="target-list"' in page
    section = printing.PdfJob(
        plan.pk, measure.pk, False, "ja", "http://testserver/", plan.slug
    ).section()
    pdf_html = printing.render_print_html(section, for_pdf=True, is_preview=False)
    assert 'class="targets"' in pdf_html and "target-list" not in pdf_html


def test_a_target_table_in_a_pdf_gives_a_fifth_to_the_baseline_and_the_rest_to_each_year(
    plan, measure
):
    """Fixed table layout: the widths come from the header, not from every cell measured."""
    section = printing.PdfJob(
        plan.pk, measure.pk, False, "ja", "http://testserver/", plan.slug
    ).section()
    html = printing.render_print_html(section, for_pdf=True, is_preview=False)
    document = printing.html_to_document(html, "http://testserver/")
    tables = [
        box
        for page in document.pages
        for box in page._page_box.descendants()
        if type(box).__name__ == "TableBox" and "targets" in box.element.get("class", "")
    ]
    assert tables
    for table in tables:
        baseline, *years = table.column_widths
        assert table.style["table_layout"] == "fixed"
        assert baseline == pytest.approx(0.2 * table.width, abs=1)
        assert max(years) - min(years) < 1


# --- long sections: rendered in parts, joined into one tagged PDF ------------------------


def test_a_long_section_in_parts_is_one_tagged_pdf_with_continuous_page_numbers(
    plan_with_vision, monkeypatch, caplog
):
    plan = plan_with_vision
    job = printing.PdfJob(plan.pk, None, False, "ja", "http://testserver/", plan.slug)
    section = job.section()
    monkeypatch.setattr(printing, "PART_LISTINGS", 40)
    assert len(printing.section_parts(section.entries, 40)) >= 3
    reader = PdfReader(io.BytesIO(printing.build_pdf(job)))
    # WeasyPrint complained of nothing in the worker (the warm-up before the children).
    assert not [record for record in caplog.records if record.name.startswith("weasyprint")]
    assert_tagged(reader, "ja", plan.title)
    assert {"H1", "H2", "H3", "Table", "TH"} <= structure_types(reader)
    pages = len(reader.pages)
    texts = [compact(page.extract_text()) for page in reader.pages]
    for number, text in enumerate(texts, start=1):
        assert text.endswith(f"{number}/{pages}"), (number, text[-40:])  # every page, in order
        if number > 1:
            assert compact(plan.title) in text  # the running header
    flat = "".join(texts)
    for listing in section.listings():
        assert compact(listing.project.display_name) in flat
    assert_contents_point_at_their_headings(reader, plan)
    # Bookmarks: the plan, then its tree nested by depth, each on its heading's page.
    (top, children) = reader.outline
    assert top.title == plan.title and reader.get_destination_page_number(top) == 0
    first = children[0]
    assert first.title == section.entries[0].node.heading
    assert (
        compact(section.entries[0].node.title) in texts[reader.get_destination_page_number(first)]
    )
    assert {font.split("+")[-1] for _, _, font, _ in text_runs(reader)} <= {
        "IPAexGothic",
        "IPAexGothic-Bold",
    }


def test_parts_laid_out_two_at_once_are_half_as_long(plan, monkeypatch, settings):
    """Two children at once lay out no more listings together than one would alone."""
    settings.PDF_PART_PROCESSES = 2
    monkeypatch.setattr(printing, "PART_LISTINGS", 40)
    built = []
    monkeypatch.setattr(
        printing, "pdf_in_parts", lambda section, parts, job: built.append(parts) or b"%PDF"
    )
    printing.build_pdf(printing.PdfJob(plan.pk, None, False, "ja", "http://testserver/", plan.slug))
    (parts,) = built
    for part in parts:
        assert len(part) == 1 or sum(len(entry.listings) for entry in part) <= 20
