"""Open-data exports of a section: CSV (BOM), Excel, JSON rows and the JSON tree."""

import csv
import io
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from bench.generate_plan import generate_plan
from planportal.publication import PublicationStatus
from policies import tree
from policies.models import Bureau, Division, Plan, PolicyNode
from projects import layout
from projects.models import Project
from projects.plan_import import PlanImportError, import_plan
from tests.exchange import plan_snapshot


@pytest.fixture
def plan(db):
    return Plan.objects.get(slug="kawasaki-2011")


@pytest.fixture
def measure(plan):
    return PolicyNode.objects.get(plan=plan, code="Ⅶ-1-(1)")


def export_url(plan, node, fmt):
    if node is None:
        return reverse("policies:plan_export", args=[plan.slug, fmt])
    return reverse("policies:node_export", args=[plan.slug, node.pk, fmt])


def read_csv(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # the BOM Excel needs
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def test_csv_of_a_section_has_one_row_per_listing_in_the_documented_layout(client, plan, measure):
    response = client.get(export_url(plan, measure, "csv"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    header, *rows = read_csv(response.getvalue())
    assert header == layout.FIXED_HEADERS + [
        "2011年度",
        "2012年度",
        "2013年度",
        "2014年度以降",
        "結合セル",
        "目標変更",
        "版",
    ]
    projects = Project.objects.under(measure)
    assert {row[2].replace("(再掲)", "") for row in rows} >= {p.display_name for p in projects}
    first = rows[0]
    assert first[0] == "Ⅶ > Ⅶ-1 > Ⅶ-1-(1) > 自治基本条例に基づく自治の推進"
    assert first[1] == "自治基本条例に基づく自治の推進"
    column = {name: index for index, name in enumerate(header)}
    assert first[2] == "自治拡充推進事業" and first[column["表の行"]] == "1"
    assert first[column["2014年度以降"]] == "事業推進" and first[column["目標変更"]] == ""
    # The version the project had, for the importer to see what changed since.
    assert first[-1] == str(Project.objects.get(plan=plan, name="自治拡充推進事業").version)
    # A merged cell is repeated in every year it covers, and named as one merge.
    voting = next(row for row in rows if row[2] == "住民投票制度運営事業")
    assert voting[column["2011年度"]] and voting[column["2014年度以降"]] == "事業推進"
    assert voting[column["2011年度"]] == voting[column["2012年度"]] == voting[column["2013年度"]]
    assert voting[column["結合セル"]] == "2011年度～2013年度"
    assert first[column["結合セル"]] == ""


def test_a_merged_target_is_in_every_year_it_covers_and_reimports_as_one_merged_cell(client, plan):
    project = Project.objects.get(plan=plan, name="地域情報化推進事業")
    stored = {(t.line, t.fiscal_year, t.after_period): t.text for t in project.targets.all()}
    header, *rows = read_csv(client.get(export_url(plan, project.home_node, "csv")).getvalue())
    column = {name: index for index, name in enumerate(header)}
    own = [row for row in rows if row[2] == "地域情報化推進事業"]
    merged = [row for row in own if row[column["結合セル"]] == "2011年度～2013年度"]
    assert merged, own
    for row in merged:  # filtering on 2013 finds the target printed once for 2011–2013
        assert row[column["2013年度"]] == row[column["2011年度"]] != ""
    # In Excel: real merged cells over the same years, the text kept in each.
    book = load_workbook(
        io.BytesIO(client.get(export_url(plan, project.home_node, "xlsx")).content)
    )
    sheet = book.worksheets[0]
    number = rows.index(merged[0]) + 2
    first_year = column["2011年度"] + 1
    assert f"{_letter(first_year)}{number}:{_letter(first_year + 2)}{number}" in {
        str(merge) for merge in sheet.merged_cells.ranges
    }
    # Re-imported, the repeated text is again one merged cell: nothing changes.
    before = plan_snapshot(plan)
    for name, fmt in (("a.csv", "csv"), ("a.xlsx", "xlsx"), ("a.json", "json")):
        content = client.get(export_url(plan, project.home_node, fmt)).getvalue()
        report = import_plan(plan=plan, file_name=name, content=content)
        assert report.updated == [] and plan_snapshot(plan) == before
    assert {(t.line, t.fiscal_year, t.after_period): t.text for t in project.targets.all()} == (
        stored
    )


def test_a_covered_year_edited_to_another_text_breaks_the_merge_there(client, plan):
    project = Project.objects.get(plan=plan, name="住民投票制度運営事業")
    header, *rows = read_csv(client.get(export_url(plan, project.home_node, "csv")).getvalue())
    column = {name: index for index, name in enumerate(header)}
    row = next(row for row in rows if row[2] == project.name)
    row[column["2013年度"]] = "制度の見直し"
    bad = next(r for r in rows if r is not row and r[column["結合セル"]] == "")
    bad[column["結合セル"]] = "2013年度～2011年度"
    with pytest.raises(PlanImportError) as raised:
        import_plan(plan=plan, file_name="a.csv", content=_csv_bytes([header, *rows]))
    assert [str(problem) for problem in raised.value.problems] == [
        f"ファイル「a.csv」 {rows.index(bad) + 2}行目 「結合セル」列: 「2013年度～2011年度」は結合セルとして"
        "読めません。「2011年度～2013年度」のように、表の年度の列で書いてください。"
    ]
    bad[column["結合セル"]] = ""
    import_plan(plan=plan, file_name="a.csv", content=_csv_bytes([header, *rows]))
    texts = {t.fiscal_year: t.text for t in project.targets.filter(line=0, after_period=False)}
    assert texts[2013] == "制度の見直し" and 2012 not in texts  # 2012 still merged with 2011


def _csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index)


def test_a_project_printed_on_several_lines_continues_on_the_next_rows(client, plan):
    project = Project.objects.get(plan=plan, name="地域情報化推進事業")
    rows = read_csv(client.get(export_url(plan, project.home_node, "csv")).getvalue())[1:]
    own = [row for row in rows if row[2] == "地域情報化推進事業"]
    line = layout.FIXED_HEADERS.index(layout.TABLE_LINE)
    assert [row[line] for row in own] == [str(n) for n in range(1, len(own) + 1)]
    assert len(own) == project.targets.values("line").distinct().count() > 1
    assert all(not any(row[3:line]) for row in own[1:])  # 事業概要 … 区 on the first row only


def test_bureau_section_and_wards_are_exported_on_every_listing_of_the_project(client, plan):
    project = Project.objects.get(plan=plan, name="区役所等庁舎整備事業")
    project.division = Division.objects.create(
        bureau=Bureau.objects.get(municipality=plan.municipality, name="まちづくり局"),
        name="庁舎整備課",
    )
    project.save()  # a section without its bureau: the export names the section's bureau
    header, *rows = read_csv(client.get(export_url(plan, None, "csv")).getvalue())
    start = header.index("所管局")
    assert header[start : start + 4] == ["所管局", "所管課", "区", "表の行"]
    assert header.index("計画期間の取組") == start - 1
    cells = {tuple(row[start : start + 3]) for row in rows if row[2].startswith(project.name)}
    assert cells == {("まちづくり局", "庁舎整備課", "川崎区、宮前区")}
    unset = next(row for row in rows if row[2] == "自治拡充推進事業")
    assert unset[start : start + 3] == ["", "", ""]
    tree_data = json.loads(client.get(export_url(plan, project.home_node, "tree")).content)
    items = [
        item
        for node in _walk(tree_data["nodes"])
        for item in node["projects"]
        if item["name"] == project.name
    ]
    assert [(i["bureau"], i["division"], i["wards"]) for i in items] == [
        ("まちづくり局", "庁舎整備課", ["川崎区", "宮前区"])
    ]


def _walk(nodes):
    for node in nodes:
        yield node
        yield from _walk(node["children"])


def test_excel_and_json_carry_the_same_rows(client, plan, measure):
    csv_rows = read_csv(client.get(export_url(plan, measure, "csv")).getvalue())
    response = client.get(export_url(plan, measure, "xlsx"))
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    # Read as the importer does: the years a merged cell covers keep its text.
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    excel_rows = [
        ["" if value is None else str(value) for value in row]
        for row in sheet.iter_rows(values_only=True)
    ]
    assert excel_rows == csv_rows
    data = json.loads(client.get(export_url(plan, measure, "json")).content)
    assert data["format"] == "plan-portal/project-listings"
    assert [column["header"] for column in data["columns"]] == csv_rows[0]
    keys = [column["key"] for column in data["columns"]]
    assert keys[-4:] == ["fy2014_onward", "merged_years", "target_revisions", "project_version"]
    assert [
        ["" if row[key] is None else str(row[key]) for key in keys] for row in data["rows"]
    ] == csv_rows[1:]


def test_the_json_tree_nests_nodes_texts_projects_and_target_cells(client, plan):
    data = json.loads(client.get(export_url(plan, None, "tree")).content)
    assert data["format"] == "plan-portal/plan-tree"
    (root, *others) = data["nodes"]
    assert root["code"] == "Ⅶ" and root["level"] == "基本政策"
    direction = root["children"][0]
    assert direction["code"] == "Ⅶ-1" and direction["children"][0]["code"] == "Ⅶ-1-(1)"
    measure = direction["children"][0]["children"][0]
    assert any(text["kind"] == "situation" for text in measure["texts"])
    project = measure["projects"][0]
    assert project["name"] == "自治拡充推進事業" and project["relisted"] is False
    cells = project["target_lines"][0]
    assert [cell["fiscal_year"] for cell in cells] == [2011, 2012, 2013, 2014]
    assert cells[-1]["after_period"] and cells[-1]["text"] == "事業推進"


def test_formula_like_text_is_defused_in_csv_and_excel_and_still_round_trips(make_plan):
    plan = make_plan("formula", start=2022, end=2023)
    measure = tree.create_node(plan=plan, title="施策", status=PublicationStatus.PUBLISHED)
    project = Project.objects.create(
        plan=plan, name="事業", home_node=measure, summary="=HYPERLINK(1)", status="published"
    )
    project.listings.create(node=measure)
    client = Client()
    rows = read_csv(client.get(export_url(plan, measure, "csv")).getvalue())
    assert rows[1][3] == "'=HYPERLINK(1)"
    content = client.get(export_url(plan, measure, "xlsx")).content
    cell = load_workbook(io.BytesIO(content)).worksheets[0]["D2"]
    assert (cell.value, cell.data_type) == ("=HYPERLINK(1)", "s")
    before = plan_snapshot(plan)
    for name, exported in (
        ("a.csv", client.get(export_url(plan, measure, "csv")).getvalue()),
        ("a.xlsx", content),
    ):
        report = import_plan(plan=plan, file_name=name, content=exported)
        assert report.updated == [] and plan_snapshot(plan) == before


def test_drafts_are_exported_to_staff_only(admin_client, plan, measure):
    project = Project.objects.under(measure).first()
    Project.objects.filter(pk=project.pk).unpublish()
    public = Client().get(export_url(plan, measure, "csv")).getvalue().decode("utf-8-sig")
    staff = admin_client.get(export_url(plan, measure, "csv")).getvalue().decode("utf-8-sig")
    assert project.name not in public and project.name in staff
    Plan.objects.filter(pk=plan.pk).unpublish()
    assert Client().get(export_url(plan, None, "json")).status_code == 404
    assert admin_client.get(export_url(plan, None, "json")).status_code == 200


def test_unknown_formats_and_foreign_nodes_are_not_found(client, plan):
    other = PolicyNode.objects.exclude(plan=plan).first()
    assert client.get(export_url(plan, None, "pdfx")).status_code == 404
    assert client.get(export_url(plan, other, "csv")).status_code == 404


# --- a fixed number of queries, whatever the plan's size --------------------------

# plan (and node) lookup, the page-cache key's schedule instants, the node keys, then one
# streamed query each for the listings, their targets, revisions and wards.
EXPORT_QUERIES = {"csv": 7, "xlsx": 7, "json": 7, "tree": 9, "node csv": 8}
PAGE_QUERIES = {"open data": 3, "changes": 7, "changes feed": 7}


def count_queries(client, url) -> int:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, url
        response.getvalue()  # a streamed export runs its queries as it is sent
    return len(queries.captured_queries)


@pytest.mark.parametrize("slug", ["kawasaki-2011", "generated"])
def test_exports_and_open_data_pages_run_a_fixed_number_of_queries(client, db, slug):
    if slug == "generated":
        plan = generate_plan(20_000)  # ~20,000 projects, 448 nodes
        # One basic policy (2,500 projects) for the slow formats; the CSV of the whole plan.
        node = plan.nodes.filter(parent=None).order_by("tree_id").first()
        urls = {fmt: export_url(plan, node, fmt) for fmt in ("xlsx", "json", "tree")}
        urls["csv"] = export_url(plan, None, "csv")
    else:
        plan = Plan.objects.get(slug=slug)
        node = None
        urls = {fmt: export_url(plan, None, fmt) for fmt in ("csv", "xlsx", "json", "tree")}
    if node is not None:
        urls["node csv"] = export_url(plan, node, "csv")
    else:
        urls["node csv"] = export_url(plan, PolicyNode.objects.get(plan=plan, code="Ⅶ-1"), "csv")
    urls |= {"open data": "/open-data/", "changes": "/changes/", "changes feed": "/changes/feed/"}
    counts = {name: count_queries(client, url) for name, url in urls.items()}
    expected = EXPORT_QUERIES | PAGE_QUERIES
    if node is not None:  # the slow formats of a node section: one query more, for the node
        expected |= {fmt: expected[fmt] + 1 for fmt in ("xlsx", "json", "tree")}
    assert counts == expected
