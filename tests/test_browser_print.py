"""The print page and the download links in a real browser."""

import io

import pytest
from pypdf import PdfReader

from policies.models import PolicyNode
from tests.browser import PHONE, axe_violations, describe

pytestmark = pytest.mark.browser


def test_print_pages_pass_axe_and_fit_a_phone(demo_server, page):
    node = PolicyNode.objects.get(plan__slug="kawasaki-2011", code="Ⅶ-1")
    for path in ("/plans/kawasaki-2011/print/", f"/plans/kawasaki-2011/nodes/{node.pk}/print/"):
        for viewport in ({"width": 1280, "height": 900}, PHONE):
            page.set_viewport_size(viewport)
            page.goto(demo_server.url + path)
            violations = axe_violations(page)
            assert not violations, f"{path} @{viewport['width']}:\n{describe(violations)}"
            if viewport is PHONE:
                assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_from_a_node_page_to_its_print_page_and_its_pdf(demo_server, page):
    node = PolicyNode.objects.get(plan__slug="kawasaki-2011", code="Ⅶ-1-(1)")
    page.goto(demo_server.url + node.get_absolute_url())
    downloads = page.get_by_role("region", name="この項目以下を印刷する・データを使う")
    for text in (
        "印刷用ページ",
        "PDFファイル",
        "事業の一覧（Excel）",
        "事業の一覧（CSV）",
        "事業の一覧（プログラム用・JSON）",
        "計画の体系（プログラム用・JSON）",
    ):
        assert downloads.get_by_role("link", name=text, exact=True).count() == 1
    pdf_href = downloads.get_by_role("link", name="PDFファイル", exact=True).get_attribute("href")
    response = page.request.get(demo_server.url + pdf_href)
    assert response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert "自治拡充推進事業" in text.replace("\n", "")
    downloads.get_by_role("link", name="印刷用ページ").click()
    page.wait_for_url("**/print/")
    assert "分権時代の新たな自治のしくみづくり" in page.get_by_role("heading", level=1).inner_text()
    assert page.locator(".print-toolbar").is_visible()
    assert page.get_by_role("button", name="印刷する").is_visible()  # our script ran (CSP)
    page.emulate_media(media="print")
    assert not page.locator(".print-toolbar").is_visible()
    assert page.locator("table.targets").first.is_visible()
