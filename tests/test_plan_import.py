"""Importing project tables: formats, encodings, all-or-nothing, idempotence, 再掲."""

import io
import json
import zipfile

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from planportal.publication import PublicationStatus
from policies import tree
from policies.models import Bureau, Division, Plan, Ward
from projects import export, layout
from projects.models import Project, ProjectListing
from projects.plan_import import MAX_FILE_BYTES, PlanImportError, import_plan
from tests.exchange import plan_snapshot

PUBLISHED_HEADER = (
    "事業名\t現状\t事業内容・目標\t\t\t\n\t\t2022年度\t2023年度\t2024年度\t2025年度以降\n"
)
SHORT_HEADER = "事業名\t事業概要\t計画期間の取組\n"
LAYOUT_HEADER = layout.FIXED_HEADERS + ["2022年度", "2023年度", "2024年度", "2025年度以降"]


@pytest.fixture
def plan(make_plan):
    """基本政策 Ⅰ → 政策 Ⅰ-1 → two measures without printed codes."""
    plan = make_plan("import-plan", start=2022, end=2024)
    published = PublicationStatus.PUBLISHED
    basic = tree.create_node(plan=plan, code="Ⅰ", title="まちづくり", status=published)
    policy = tree.create_node(plan=plan, parent=basic, code="Ⅰ-1", title="協働", status=published)
    tree.create_node(plan=plan, parent=policy, title="地域の推進", status=published)
    tree.create_node(plan=plan, parent=policy, title="区の推進", status=published)
    return plan


def node(plan, title):
    return plan.nodes.get(title=title)


def csv_bytes(rows, *, header=LAYOUT_HEADER, encoding="utf-8-sig"):
    import csv

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def layout_row(
    path,
    name,
    *,
    summary="",
    baseline="",
    actions="",
    bureau="",
    division="",
    wards="",
    line="1",
    targets=("", "", "", ""),
):
    return [path, "", name, summary, baseline, actions, bureau, division, wards, line, *targets]


LOCAL = "Ⅰ > Ⅰ-1 > 地域の推進"
WARD = "Ⅰ > Ⅰ-1 > 区の推進"


def problems_of(plan, name, content, **options):
    with pytest.raises(PlanImportError) as error:
        import_plan(plan=plan, file_name=name, content=content, **options)
    return [str(problem) for problem in error.value.problems]


# --- the published table format ------------------------------------------------


def test_the_published_table_format_goes_under_the_named_measure(plan):
    text = (
        PUBLISHED_HEADER
        + (
            "<p>広報事業</p> <p>市政情報を提供します。</p>\t<b>発行</b>\t拡充\t→\t\t事業推進\n"
            "\t\t第二の行\t\t\t\n"
            "区民会議運営事業(各区) 区民会議を運営します。\t運営\t運営\t\t\t事業推進\n"
        )
        + "\n"
        + SHORT_HEADER
        + "道路維持補修事業(再掲)\t道路を補修します。\t事業推進\n"
    )
    measure = node(plan, "地域の推進")
    report = import_plan(
        plan=plan, file_name="tables.tsv", content=text.encode("utf-8"), under=measure
    )
    assert report.file_format == "published-table"
    assert len(report.created) == 3 and len(report.new_listings) == 3
    project = Project.objects.get(plan=plan, name="広報事業")
    assert (project.summary, project.baseline) == ("市政情報を提供します。", "発行")
    assert project.status == PublicationStatus.DRAFT
    assert sorted((t.line, t.fiscal_year, t.text) for t in project.targets.all()) == [
        (0, 2022, "拡充"),
        (0, 2023, "→"),
        (0, 2025, "事業推進"),
        (1, 2022, "第二の行"),
    ]
    assert Project.objects.get(plan=plan, name="区民会議運営事業").each_ward
    relisted = Project.objects.get(plan=plan, name="道路維持補修事業")
    assert relisted.home_node is None and relisted.home_note
    assert relisted.listings.get().node == measure


def test_the_published_format_needs_a_measure(plan):
    text = PUBLISHED_HEADER + "事業A 概要\t現状\t目標\t\t\t\n"
    (problem,) = problems_of(plan, "a.tsv", text.encode())
    assert "a.tsv" in problem and "--under" in problem


def test_lines_outside_the_tables_are_rejected(plan):
    text = "前置きの文\n" + PUBLISHED_HEADER + "事業A 概要\t現状\t目標\t\t\t\n"
    (problem,) = problems_of(plan, "a.tsv", text.encode(), under=node(plan, "地域の推進"))
    assert "1行目" in problem and "表の外" in problem


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "cp932", "shift_jis", "utf-16"], ids=str
)
def test_text_files_in_every_encoding_japanese_excel_writes(plan, encoding):
    text = PUBLISHED_HEADER + "地域振興事業 活動を支援します。\t支援\t支援\t→\t\t事業推進\n"
    import_plan(
        plan=plan,
        file_name="a.txt",
        content=text.encode(encoding),
        under=node(plan, "地域の推進"),
    )
    assert Project.objects.get(plan=plan, name="地域振興事業").summary == "活動を支援します。"


@pytest.mark.parametrize(
    "content",
    [b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "事業名,現状\n".encode() + b"\xff\xfd\xfe"],
    ids=["binary", "neither-utf8-nor-sjis"],
)
def test_undecodable_files_are_rejected_with_a_clear_message(plan, content):
    (problem,) = problems_of(plan, "bad.csv", content)
    assert "文字コードを読み取れません" in problem and "bad.csv" in problem


# --- the portal's own layout ---------------------------------------------------


def test_layout_rows_name_their_node_by_path_code_or_title(plan):
    rows = [
        layout_row(
            LOCAL, "事業A", summary="概要A", baseline="現状A", targets=("目標", "→", "", "事業推進")
        ),
        layout_row("", "事業A", line="2", targets=("二行目", "", "", "")),
        layout_row("区の推進", "事業A(再掲)", summary="違う説明"),
        layout_row(WARD, "事業B(各区)", actions="事業推進"),
    ]
    rows[1][0] = LOCAL
    report = import_plan(plan=plan, file_name="a.csv", content=csv_bytes(rows))
    assert report.file_format == "csv"
    a = Project.objects.get(plan=plan, name="事業A")
    assert a.home_node == node(plan, "地域の推進")
    assert a.summary == "概要A"  # the 再掲 row does not overwrite the home row
    assert [listing.node.title for listing in a.listings.all()] == ["地域の推進", "区の推進"]
    assert sorted((t.line, t.fiscal_year, t.after_period, t.text) for t in a.targets.all()) == [
        (0, 2022, False, "目標"),
        (0, 2023, False, "→"),
        (0, 2025, True, "事業推進"),
        (1, 2022, False, "二行目"),
    ]
    b = Project.objects.get(plan=plan, name="事業B")
    assert b.each_ward and b.actions_in_period == "事業推進"


def test_reimporting_changes_nothing_and_a_changed_row_updates_its_project(plan):
    rows = [
        layout_row(LOCAL, "事業A", summary="概要", targets=("目標", "", "", "")),
        layout_row(WARD, "事業A(再掲)"),
    ]
    import_plan(plan=plan, file_name="a.csv", content=csv_bytes(rows))
    before = plan_snapshot(plan)
    again = import_plan(plan=plan, file_name="a.csv", content=csv_bytes(rows))
    assert (again.created, again.updated, again.new_listings) == ([], [], [])
    assert plan_snapshot(plan) == before
    rows[0] = layout_row(LOCAL, "事業A", summary="新しい概要", targets=("目標", "→", "", ""))
    changed = import_plan(plan=plan, file_name="a.csv", content=csv_bytes(rows))
    assert [project.name for project in changed.updated] == ["事業A"]
    project = Project.objects.get(plan=plan, name="事業A")
    assert project.summary == "新しい概要"
    assert [t.text for t in project.targets.order_by("fiscal_year")] == ["目標", "→"]
    assert Project.objects.filter(plan=plan).count() == 1


def test_layout_cells_are_text_as_typed_and_tag_like_text_is_kept(plan):
    """Only the published tables carry markup; in the layout, <SDGs> is part of a name."""
    rows = [
        layout_row(
            LOCAL,
            "<SDGs>事業A",
            summary="<p>一行目</p>",
            targets=("<i>目標</i> &amp; 予定", "", "", ""),
        )
    ]
    import_plan(plan=plan, file_name="a.csv", content=csv_bytes(rows))
    project = Project.objects.get(plan=plan, name="<SDGs>事業A")
    assert project.summary == "<p>一行目</p>"  # shown escaped, as typed
    assert project.targets.get().text == "<i>目標</i> &amp; 予定"
    again = import_plan(plan=plan, file_name="a.csv", content=csv_bytes(rows))
    assert not again.changes_anything


def test_a_typed_name_with_tag_like_text_survives_an_export_round_trip(db):
    plan = Plan.objects.get(slug="kawasaki-2011")
    project = Project.objects.get(plan=plan, name="自治拡充推進事業")
    project.name = "<SDGs>自治拡充推進事業"
    project.save()
    count = Project.objects.filter(plan=plan).count()
    content = export.to_csv(export.LayoutSection(plan, None, lambda queryset: queryset))
    report = import_plan(plan=plan, file_name="plan.csv", content=content)
    assert report.created == [] and not report.changes_anything
    assert Project.objects.filter(plan=plan).count() == count


def test_a_dry_run_reports_and_writes_nothing(plan, django_capture_on_commit_callbacks):
    from planportal.caching import page_version_keys, versions

    keys = page_version_keys(plan.slug)
    before, version = plan_snapshot(plan), versions(keys)
    report = import_plan(
        plan=plan,
        file_name="a.csv",
        content=csv_bytes([layout_row(LOCAL, "事業A")]),
        dry_run=True,
    )
    assert [project.name for project in report.created] == ["事業A"]
    assert plan_snapshot(plan) == before == {}
    assert versions(keys) == version  # cached pages and PDFs stay valid
    with django_capture_on_commit_callbacks(execute=True):  # the plan's pages: once, at commit
        import_plan(plan=plan, file_name="a.csv", content=csv_bytes([layout_row(LOCAL, "事業A")]))
    assert versions(keys) != version


def test_under_limits_a_layout_file_to_that_section(plan):
    rows = [layout_row(LOCAL, "事業A"), layout_row(WARD, "事業B")]
    (problem,) = problems_of(plan, "a.csv", csv_bytes(rows), under=node(plan, "地域の推進"))
    assert "3行目" in problem and "階層パス" in problem


def test_an_excel_file_in_the_layout(plan):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(LAYOUT_HEADER)
    sheet.append(
        [LOCAL, "", "事業X", "概要", "現状", "", "市民局", None, "", 1, 2022, "→", None, "事業推進"]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = import_plan(plan=plan, file_name="book.xlsx", content=buffer.getvalue())
    assert report.file_format == "xlsx"
    project = Project.objects.get(plan=plan, name="事業X")
    assert [t.text for t in project.targets.order_by("fiscal_year")] == ["2022", "→", "事業推進"]
    assert project.bureau.name == "市民局" and project.division is None


# --- bureau, section and wards ---------------------------------------------------


@pytest.fixture
def wards(plan):
    """Two wards of the test city."""
    return [
        Ward.objects.create(municipality=plan.municipality, name=name, slug=slug, position=i)
        for i, (name, slug) in enumerate([("幸区", "saiwai"), ("中原区", "nakahara")])
    ]


def responsibility_of(project):
    project.refresh_from_db()
    return (
        project.bureau and project.bureau.name,
        project.division and project.division.name,
        [ward.name for ward in project.wards.all()],
    )


def test_the_layout_sets_bureau_section_and_wards_creating_missing_ones(plan, wards):
    existing = Bureau.objects.create(municipality=plan.municipality, name="市民文化局")
    rows = [
        layout_row(
            LOCAL, "事業A", bureau="市民文化局", division="協働推進課", wards="中原区、幸区"
        ),
        layout_row(WARD, "事業B", bureau="総務企画局"),
        layout_row(WARD, "事業C", wards="幸区"),
    ]
    report = import_plan(plan=plan, file_name="a.csv", content=csv_bytes(rows))
    assert [bureau.name for bureau in report.new_bureaus] == ["総務企画局"]
    assert [(d.bureau, d.name) for d in report.new_divisions] == [(existing, "協働推進課")]
    a = Project.objects.get(plan=plan, name="事業A")
    assert responsibility_of(a) == ("市民文化局", "協働推進課", ["幸区", "中原区"])
    assert a.bureau == existing and a.division.bureau == existing
    b = Project.objects.get(plan=plan, name="事業B")
    assert responsibility_of(b) == ("総務企画局", None, [])
    assert b.bureau.municipality == plan.municipality
    assert responsibility_of(Project.objects.get(plan=plan, name="事業C")) == (None, None, ["幸区"])

    # The same file again changes nothing and creates nothing.
    before = plan_snapshot(plan)
    again = import_plan(plan=plan, file_name="a.csv", content=csv_bytes(rows))
    assert (again.updated, again.new_bureaus, again.new_divisions) == ([], [], [])
    assert plan_snapshot(plan) == before
    assert Bureau.objects.filter(municipality=plan.municipality).count() == 2

    # The file is the truth for the projects it lists: an empty cell clears.
    version = a.version
    rows[0] = layout_row(LOCAL, "事業A", wards="幸区")
    changed = import_plan(plan=plan, file_name="a.csv", content=csv_bytes(rows))
    assert [project.name for project in changed.updated] == ["事業A"]
    assert responsibility_of(a) == (None, None, ["幸区"])
    assert a.version > version  # a form opened before this import cannot overwrite it
    # A change of wards alone is an update too, and raises the version.
    version = a.version
    rows[0] = layout_row(LOCAL, "事業A", wards="幸区、中原区")
    changed = import_plan(plan=plan, file_name="a.csv", content=csv_bytes(rows))
    assert [project.name for project in changed.updated] == ["事業A"]
    assert responsibility_of(a) == (None, None, ["幸区", "中原区"]) and a.version > version
    assert a.history.first().wards.count() == 2  # the history holds the new wards


def test_an_unknown_ward_is_rejected_with_file_row_and_column(plan, wards):
    rows = [
        layout_row(LOCAL, "事業A", wards="幸区"),
        layout_row(WARD, "事業B", bureau="新しい局", wards="幸区、港北区"),
    ]
    (problem,) = problems_of(plan, "wards.csv", csv_bytes(rows))
    assert problem.startswith("ファイル「wards.csv」 3行目 「区」列: ")
    assert "港北区" in problem and "幸区、中原区" in problem
    assert not Project.objects.filter(plan=plan).exists()
    assert not Bureau.objects.filter(name="新しい局").exists()


def test_a_section_without_its_bureau_is_rejected(plan):
    rows = [layout_row(LOCAL, "事業A", division="協働推進課")]
    (problem,) = problems_of(plan, "a.csv", csv_bytes(rows))
    assert problem.startswith(
        "ファイル「a.csv」 2行目 「所管課」列: 所管課を書くときは、所管局も書いてください"
    )
    assert not Project.objects.filter(plan=plan).exists()
    assert not Division.objects.filter(name="協働推進課").exists()


def test_a_name_longer_than_its_field_is_rejected(plan):
    rows = [layout_row(LOCAL, "事業A", bureau="局" * 51, division="課" * 51)]
    problems = problems_of(plan, "a.csv", csv_bytes(rows))
    assert [problem.split(": ")[0] for problem in problems] == [
        "ファイル「a.csv」 2行目 「所管局」列",
        "ファイル「a.csv」 2行目 「所管課」列",
    ]
    assert "50文字まで" in problems[0]
    assert not Bureau.objects.filter(municipality=plan.municipality).exists()


def test_a_continuation_row_leaves_bureau_section_and_wards_empty(plan, wards):
    rows = [
        layout_row(LOCAL, "事業A", bureau="市民文化局", targets=("目標", "", "", "")),
        layout_row(LOCAL, "事業A", line="2", wards="幸区", targets=("二行目", "", "", "")),
    ]
    (problem,) = problems_of(plan, "a.csv", csv_bytes(rows))
    assert problem.startswith("ファイル「a.csv」 3行目 「区」列: 表の2行目以降には年度の列だけ")
    assert not Project.objects.filter(plan=plan).exists()


def test_a_relisting_row_leaves_bureau_section_and_wards_alone(plan, wards):
    home = [layout_row(LOCAL, "事業A", bureau="市民文化局", division="協働推進課", wards="幸区")]
    import_plan(plan=plan, file_name="a.csv", content=csv_bytes(home))
    project = Project.objects.get(plan=plan, name="事業A")
    relisted = layout_row(WARD, "事業A(再掲)", bureau="総務企画局", wards="中原区")
    for rows in (home + [relisted], [relisted]):  # with its home row, and on its own
        report = import_plan(plan=plan, file_name="b.csv", content=csv_bytes(rows))
        assert report.updated == [] and report.new_bureaus == []
        assert responsibility_of(project) == ("市民文化局", "協働推進課", ["幸区"])
    assert not Bureau.objects.filter(name="総務企画局").exists()


def test_files_without_those_columns_leave_them_alone(plan, wards):
    home = [layout_row(LOCAL, "事業A", bureau="市民文化局", division="協働推進課", wards="幸区")]
    import_plan(plan=plan, file_name="a.csv", content=csv_bytes(home))
    project = Project.objects.get(plan=plan, name="事業A")
    # The published tables (a tab-separated text as in seed 001).
    text = SHORT_HEADER + "事業A\t新しい概要です。\t事業推進\n"
    import_plan(plan=plan, file_name="t.tsv", content=text.encode(), under=node(plan, "地域の推進"))
    project.refresh_from_db()
    assert project.summary == "新しい概要です。"
    assert responsibility_of(project) == ("市民文化局", "協働推進課", ["幸区"])
    # The layout as it was before it had 所管局, 所管課 and 区.
    header = (
        layout.FIXED_HEADERS_WITHOUT_RESPONSIBILITY + LAYOUT_HEADER[len(layout.FIXED_HEADERS) :]
    )
    row = layout_row(LOCAL, "事業A", summary="もっと新しい概要です。")
    del row[6:9]
    import_plan(plan=plan, file_name="old.csv", content=csv_bytes([row], header=header))
    project.refresh_from_db()
    assert project.summary == "もっと新しい概要です。"
    assert responsibility_of(project) == ("市民文化局", "協働推進課", ["幸区"])


# --- all or nothing ----------------------------------------------------------------


def test_every_bad_row_is_named_and_nothing_is_written(plan):
    rows = [
        layout_row(LOCAL, "正しい事業"),
        layout_row("Ⅰ > Ⅰ-1 > ない施策", "事業B"),
        layout_row(LOCAL, "事業C")[:-1],
        layout_row(LOCAL, ""),
        layout_row(LOCAL, "事業D", line="x"),
        layout_row(LOCAL, "正しい事業"),
    ]
    problems = problems_of(plan, "plan.csv", csv_bytes(rows))
    assert len(problems) == 5
    assert all(problem.startswith("ファイル「plan.csv」") for problem in problems)
    joined = "\n".join(problems)
    assert "3行目 「階層パス」列: この計画にない項目です" in joined
    assert "4行目: 列の数が13です" in joined
    assert "5行目 「事業名」列: 事業名が空です" in joined
    assert "6行目 「表の行」列" in joined
    assert "7行目 「事業名」列" in joined and "2行目にも" in joined
    assert not Project.objects.filter(plan=plan).exists()


def test_a_fiscal_year_outside_the_plan_is_rejected(plan):
    header = layout.FIXED_HEADERS + ["2023年度", "2024年度", "2025年度", "2026年度以降"]
    problems = problems_of(plan, "a.csv", csv_bytes([layout_row(LOCAL, "事業A")], header=header))
    assert any("1行目 「2025年度」列: 計画期間（2022～2024年度）" in p for p in problems)
    assert any("1行目 「2026年度以降」列" in problem for problem in problems)
    assert any("「2022年度」の列がありません" in problem for problem in problems)
    text = PUBLISHED_HEADER.replace("2022年度", "2021年度").replace(
        "2023年度\t2024年度\t2025年度以降", "2022年度\t2023年度\t2024年度"
    )
    problems = problems_of(
        plan,
        "b.tsv",
        (text + "事業A 概要\t現状\t\t\t\t\n").encode(),
        under=node(plan, "地域の推進"),
    )
    assert any("「2021年度」列" in problem for problem in problems)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "ファイルが空です"),
        ("header-only.csv", csv_bytes([]), "事業の行がありません"),
        ("broken.xlsx", b"PK\x03\x04not really a zip", "Excelファイル（.xlsx）として読めません"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "古いExcel形式"),
        (
            "wrong.csv",
            "名前,現状\n事業A,現状\n".encode(),
            "見出しは「階層パス」のはずですが「名前」です",
        ),
        ("big.csv", b"x" * (MAX_FILE_BYTES + 1), "ファイルが大きすぎます"),
    ],
)
def test_broken_empty_or_oversized_files_are_rejected(plan, name, content, message):
    problems = problems_of(plan, name, content)
    assert any(message in problem and name in problem for problem in problems), problems


# --- the command --------------------------------------------------------------------


def test_the_command_imports_and_its_dry_run_writes_nothing(plan, tmp_path):
    path = tmp_path / "plan.csv"
    path.write_bytes(csv_bytes([layout_row(LOCAL, "事業A")]))
    out = io.StringIO()
    call_command("import_plan", str(path), plan=plan.slug, dry_run=True, stdout=out)
    assert "1 created" in out.getvalue() and "dry run" in out.getvalue()
    assert not Project.objects.filter(plan=plan).exists()
    call_command("import_plan", str(path), plan=plan.slug, publish=True, stdout=io.StringIO())
    assert Project.objects.get(plan=plan, name="事業A").is_published()


def test_the_command_fails_on_any_problem(plan, tmp_path):
    """CommandError: manage.py exits with status 1."""
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([layout_row("どこにもない", "事業A")]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_plan", str(path), plan=plan.slug, stderr=err)
    assert "bad.csv" in err.getvalue() and "2行目" in err.getvalue()
    big = tmp_path / "big.csv"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)  # a 50 MB file, never read
    with pytest.raises(CommandError):
        call_command("import_plan", str(big), plan=plan.slug, stderr=io.StringIO())


def test_under_names_a_node_by_code_title_or_path(plan, tmp_path):
    path = tmp_path / "t.tsv"
    path.write_text(PUBLISHED_HEADER + "事業A 概要\t現状\t目標\t\t\t\n", encoding="utf-8")
    for reference in ("地域の推進", "Ⅰ > Ⅰ-1 > 地域の推進"):
        call_command(
            "import_plan", str(path), plan=plan.slug, under=reference, stdout=io.StringIO()
        )
    assert Project.objects.get(plan=plan, name="事業A").home_node == node(plan, "地域の推進")
    with pytest.raises(CommandError):
        call_command(
            "import_plan", str(path), plan=plan.slug, under="ない施策", stderr=io.StringIO()
        )


# --- listing order ------------------------------------------------------------------


def test_new_listings_go_after_the_existing_ones_in_the_files_order(plan):
    import_plan(
        plan=plan,
        file_name="a.csv",
        content=csv_bytes([layout_row(LOCAL, "既存A"), layout_row(LOCAL, "既存B")]),
    )
    measure = node(plan, "地域の推進")
    ProjectListing.objects.filter(node=measure, project__name="既存B").update(position=7)
    text = SHORT_HEADER + "新しい事業Y\t\t事業推進\n新しい事業X\t\t事業推進\n"
    import_plan(plan=plan, file_name="t.tsv", content=text.encode(), under=measure)
    listed = ProjectListing.objects.filter(node=measure).order_by("position", "pk")
    assert [(listing.project.name, listing.position) for listing in listed] == [
        ("既存A", 0),
        ("既存B", 7),
        ("新しい事業Y", 8),
        ("新しい事業X", 9),
    ]


# --- the portal's JSON rows -------------------------------------------------------------


def test_the_portals_json_export_is_an_import_format(db):
    plan = Plan.objects.get(slug="kawasaki-2011")
    measure = plan.nodes.get(code="Ⅶ-1-(1)")
    data = json.loads(
        export.to_json(export.LayoutSection(plan, measure, lambda queryset: queryset))
    )
    row = next(row for row in data["rows"] if row["project_name"] == "自治拡充推進事業")
    row["summary"] = "JSONで直した概要"
    report = import_plan(
        plan=plan, file_name="rows.json", content=json.dumps(data, ensure_ascii=False).encode()
    )
    assert report.file_format == "json"
    assert [project.name for project in report.updated] == ["自治拡充推進事業"]
    assert Project.objects.get(plan=plan, name="自治拡充推進事業").summary == "JSONで直した概要"
    del data["rows"][0]["node_path"]  # a row without a column: named like a CSV's
    data["rows"][0]["table_line"] = "x"
    problems = problems_of(plan, "rows.json", json.dumps(data).encode())
    assert problems == ["ファイル「rows.json」 1行目 「表の行」列: 1以上の整数にしてください: 'x'"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            json.dumps({"format": "plan-portal/plan-tree", "nodes": []}),
            "JSON（体系）は取り込めません",
        ),
        ('{"rows": []}', "このポータルが書き出した事業の表の JSON"),
        ("[1, 2", "JSONとして読めません"),
    ],
    ids=["tree", "other-json", "broken"],
)
def test_json_that_is_not_the_portals_rows_gets_one_plain_message(plan, content, message):
    (problem,) = problems_of(plan, "data.json", content.encode())
    assert message in problem and "data.json" in problem


# --- Excel files that unpack to too much ---------------------------------------------------


def xlsx_bytes(fill) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(LAYOUT_HEADER)
    sheet.append(layout_row(LOCAL, "事業X"))
    fill(sheet)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def test_an_excel_file_that_unpacks_too_big_is_refused_before_parsing(plan):
    """A few hundred KB that unpack to tens of MB: the zip's member sizes decide."""
    original = io.BytesIO(xlsx_bytes(lambda sheet: None))
    bomb = io.BytesIO()
    with zipfile.ZipFile(original) as source, zipfile.ZipFile(bomb, "w") as target:
        for info in source.infolist():
            target.writestr(info, source.read(info.filename), zipfile.ZIP_DEFLATED)
        target.writestr("xl/media/padding.bin", b"\0" * (41 * 1024 * 1024), zipfile.ZIP_DEFLATED)
    assert len(bomb.getvalue()) < 200 * 1024
    (problem,) = problems_of(plan, "bomb.xlsx", bomb.getvalue())
    assert "Excelファイルの中身が大きすぎます（展開すると 41.0 MB、40 MB まで）" in problem
    assert not Project.objects.filter(plan=plan).exists()


@pytest.mark.parametrize(
    ("cell", "size"),
    [("XFD2", "2行・16,384列"), ("A60000", "60,000行・14列")],
    ids=["columns", "rows"],
)
def test_an_excel_sheet_with_too_many_rows_or_columns_is_refused(plan, cell, size):
    content = xlsx_bytes(lambda sheet: sheet.__setitem__(cell, "x"))
    (problem,) = problems_of(plan, "wide.xlsx", content)
    assert f"シートが大きすぎます（{size}）" in problem and "100列までに" in problem


# --- bulk writes and their history ------------------------------------------------------------


def test_an_import_records_history_once_per_change_and_raises_versions_once(plan, wards):
    rows = [
        layout_row(LOCAL, "事業A", summary="概要", wards="幸区", targets=("目標", "→", "", "")),
        layout_row(WARD, "事業A(再掲)"),
        layout_row(WARD, "事業B", targets=("目標", "", "", "")),
    ]
    import_plan(plan=plan, file_name="a.csv", content=csv_bytes(rows))
    a = Project.objects.get(plan=plan, name="事業A")
    b = Project.objects.get(plan=plan, name="事業B")
    assert [(r.history_type, r.version) for r in a.history.all()] == [("+", 1)]
    assert [ward.ward.name for ward in a.history.get().wards.all()] == ["幸区"]
    assert a.targets.get(fiscal_year=2023).history.count() == 1
    assert (a.version, b.version) == (1, 1)
    rows[0] = layout_row(
        LOCAL, "事業A", summary="概要", wards="中原区", targets=("", "→", "", "新")
    )
    rows[2] = layout_row(WARD, "事業B", targets=("目標", "追加", "", ""))
    import_plan(plan=plan, file_name="a.csv", content=csv_bytes(rows))
    a.refresh_from_db()
    b.refresh_from_db()
    assert (a.version, b.version) == (2, 2)
    latest = a.history.first()
    assert (latest.history_type, latest.version) == ("~", 2)
    assert [ward.ward.name for ward in latest.wards.all()] == ["中原区"]
    assert sorted(
        (r.fiscal_year, r.history_type) for r in a.targets.model.history.filter(project_id=a.pk)
    ) == [(2022, "+"), (2022, "-"), (2023, "+"), (2025, "+")]
    assert b.history.count() == 1  # only its targets changed: recorded with them


def test_row_problems_read_in_english_on_the_english_admin(plan):
    from django.utils import translation

    rows = [layout_row(LOCAL, ""), layout_row(LOCAL, "事業A", division="協働推進課")]
    with translation.override("en"):
        problems = problems_of(plan, "a.csv", csv_bytes(rows))
    assert "The project name is empty." in problems[0]
    assert "A responsible section needs its responsible bureau." in problems[1]
    text = "事業名\t現状\t事業内容・目標\n\t\t2022年度\t年度不明\t2024年度\t2025年度以降\n"
    with translation.override("en"):
        (problem,) = problems_of(plan, "t.tsv", text.encode(), under=node(plan, "地域の推進"))
    assert "column 4" in problem and "Not a fiscal year" in problem
