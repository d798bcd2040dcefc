"""Evaluation values by file: the documented layout both ways (CSV with BOM, Excel), the
round trip, idempotent re-import, all-or-nothing with file/row/column messages, scopes."""

import csv
import io
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from planportal.permissions import BUREAU_EDITORS
from planportal.publication import PublicationStatus
from policies.models import Bureau
from projects import evaluation_exchange as exchange
from projects.models import EvaluationValue, Project
from projects.plan_import import PlanImportError
from tests.evaluations import levels, record

PUBLISHED = PublicationStatus.PUBLISHED
pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    from policies.models import Plan

    return Plan.objects.get(slug="kawasaki-2011")


@pytest.fixture
def evaluated(plan):
    """Three projects with yearly levels, one with a period-end review and one by sheet label."""
    projects = list(Project.objects.filter(plan=plan).order_by("pk"))[:3]
    record(projects[0], 2011, achievement="3", review="C", actual="実施")
    record(projects[1], 2012, achievement="1")
    review = plan.scheme.criteria.get(name="3ヵ年の事業目標に対する達成度")
    EvaluationValue.objects.create(
        project=projects[0],
        criterion=review,
        level=review.levels.get(code="Ⅳ"),
        period=plan.periods.get(),
        explanation="=おおむね達成",  # a formula to a spreadsheet: guarded in the CSV
        status=PUBLISHED,
    )
    validity = plan.scheme.criteria.get(name="事業の妥当性")
    EvaluationValue.objects.create(
        project=projects[2],
        criterion=validity,
        level=validity.levels.get(code="5"),
        sheet_label="平成25年度評価シート",
    )
    return projects


def rows_of(content: bytes) -> list[list[str]]:
    assert content.startswith(b"\xef\xbb\xbf")  # a BOM, for Excel
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_csv_has_the_documented_columns_and_one_row_per_value(plan, evaluated):
    rows = rows_of(exchange.to_csv(plan))
    assert rows[0] == [
        "階層パス",
        "事業名",
        "評価項目",
        "年度",
        "計画期間",
        "シートの表記",
        "評価",
        "区分の内容",
        "説明",
        "公開",
    ]
    assert len(rows) == 1 + 5
    first = evaluated[0]
    by_criterion = {row[2]: row for row in rows[1:] if row[1] == first.display_name}
    assert by_criterion["達成度"][3:8] == ["2011", "", "", "3", "目標をほぼ達成"]
    assert by_criterion["3ヵ年の事業目標に対する達成度"][4:10] == [
        "実行計画",
        "",
        "Ⅳ",
        "",
        "'=おおむね達成",
        "公開",
    ]
    assert by_criterion["達成度"][0].startswith("Ⅶ > ")  # the home measure's path
    sheet_row = next(row for row in rows if row[5] == "平成25年度評価シート")
    assert sheet_row[6:] == ["5", "優る", "", "下書き"]


@pytest.mark.parametrize("writer", [exchange.to_csv, exchange.to_xlsx])
def test_export_import_export_is_identical_and_reimport_writes_nothing(plan, evaluated, writer):
    first = writer(plan)
    before = list(EvaluationValue.objects.values().order_by("pk"))
    name = "evaluations.xlsx" if writer is exchange.to_xlsx else "evaluations.csv"
    report = exchange.import_evaluations(plan, name, first)
    assert report.rows == 5 and report.unchanged == 5 and not report.changes_anything
    assert list(EvaluationValue.objects.values().order_by("pk")) == before
    if writer is exchange.to_csv:
        assert writer(plan) == first
    else:
        sheets = [load_workbook(io.BytesIO(content)).active for content in (first, writer(plan))]
        assert [list(s.values) for s in sheets[0:1]] == [list(s.values) for s in sheets[1:2]]


def edited(content: bytes, edit) -> bytes:
    rows = rows_of(content)
    edit(rows)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def test_a_changed_added_and_emptied_row_are_written_then_nothing_more(plan, evaluated):
    project = evaluated[1]

    def edit(rows):
        row = next(r for r in rows if r[1] == project.display_name)
        row[6] = "2 目標を上回って達成"  # the label as the export writes it is read too
        row[8] = "前倒しで実施"
        rows.append([row[0], row[1], "評価結果", "2012", "", "", "ｂ", "", "", "公開"])
        emptied = next(r for r in rows if r[5] == "平成25年度評価シート")
        emptied[6] = ""

    content = edited(exchange.to_csv(plan), edit)
    preview = exchange.import_evaluations(plan, "e.csv", content, dry_run=True)
    assert (len(preview.created), len(preview.changed), len(preview.deleted)) == (1, 1, 1)
    assert levels(project, 2012) == {"達成度": "1"}  # a preview writes nothing
    exchange.import_evaluations(plan, "e.csv", content)
    assert levels(project, 2012) == {"達成度": "2", "評価結果": "B"}
    assert EvaluationValue.objects.get(project=project, criterion__name="達成度").explanation == (
        "前倒しで実施"
    )
    assert not EvaluationValue.objects.filter(sheet_label="平成25年度評価シート").exists()
    again = exchange.import_evaluations(plan, "e.csv", content)
    assert not again.changes_anything


def test_bad_rows_reject_the_whole_file_naming_file_row_and_column(plan, evaluated):
    def edit(rows):
        path, name = rows[1][0], rows[1][1]
        rows[1][6] = "9"  # no such 達成度
        rows.append([path, name, "達成度", "2016", "", "", "3", "", "", ""])  # after the plan
        rows.append(
            [path, name, "市民満足度", "2012", "", "", "3", "", "", ""]
        )  # no such criterion
        rows.append(
            [path, name, "3ヵ年の事業目標に対する達成度", "", "中期計画", "", "Ⅰ", "", "", ""]
        )
        rows.append([path, "ない事業", "達成度", "2012", "", "", "3", "", "", ""])

    before = list(EvaluationValue.objects.values().order_by("pk"))
    with pytest.raises(PlanImportError) as error:
        exchange.import_evaluations(plan, "bad.csv", edited(exchange.to_csv(plan), edit))
    messages = [str(problem) for problem in error.value.problems]
    assert len(messages) == 5, messages
    assert messages[0].startswith("ファイル「bad.csv」 2行目 「評価」列")
    assert "「9」は「達成度」の区分にありません（1・2・3・4・5）" in messages[0]
    assert "「年度」列" in messages[1] and "2011～2013年度" in messages[1]
    assert "「評価項目」列" in messages[2] and "市民満足度" in messages[2]
    assert "「計画期間」列" in messages[3] and "中期計画" in messages[3]
    assert "「事業名」列" in messages[4] and "ない事業" in messages[4]
    assert list(EvaluationValue.objects.values().order_by("pk")) == before


def test_a_row_repeating_an_evaluation_names_the_row_it_repeats(plan, evaluated):
    before = list(EvaluationValue.objects.values().order_by("pk"))
    with pytest.raises(PlanImportError) as error:
        exchange.import_evaluations(
            plan, "twice.csv", edited(exchange.to_csv(plan), lambda rows: rows.append(rows[1]))
        )
    (message,) = [str(problem) for problem in error.value.problems]
    last = len(list(csv.reader(StringIO(exchange.to_csv(plan).decode("utf-8-sig"))))) + 1
    assert message.startswith(f"ファイル「twice.csv」 {last}行目")
    assert "2行目と同じ評価です" in message
    assert list(EvaluationValue.objects.values().order_by("pk")) == before


def test_a_file_without_the_layouts_columns_is_refused(plan):
    with pytest.raises(PlanImportError) as error:
        exchange.import_evaluations(plan, "x.csv", "事業名,評価\r\nA,3\r\n".encode())
    assert "見出しの行に次の列がありません" in str(error.value.problems[0])


def test_an_editor_exports_and_imports_only_their_bureaus_projects(plan, evaluated, make_staff):
    bureau = Bureau.objects.create(municipality=plan.municipality, name="総務局")
    Project.objects.filter(pk=evaluated[0].pk).update(bureau=bureau)
    editor = make_staff("somu-editor", BUREAU_EDITORS, bureau=bureau)
    own = rows_of(exchange.to_csv(plan, editor))
    assert {row[1] for row in own[1:]} == {evaluated[0].display_name}
    everything = exchange.to_csv(plan)

    def raise_level(rows):
        row = next(r for r in rows if r[1] == evaluated[1].display_name)
        row[6] = "5"

    with pytest.raises(PlanImportError) as error:
        exchange.import_evaluations(plan, "all.csv", edited(everything, raise_level), user=editor)
    assert any("担当範囲外" in str(problem) for problem in error.value.problems)
    assert levels(evaluated[1], 2012) == {"達成度": "1"}

    def own_change(rows):
        rows[1][8] = "局で見直した"

    report = exchange.import_evaluations(
        plan, "own.csv", edited(own_rows(own), own_change), user=editor
    )
    assert len(report.changed) == 1
    # An editor may not publish: the changed value keeps its state.
    changed = report.changed[0].value
    changed.refresh_from_db()
    assert changed.explanation == "局で見直した"


def own_rows(rows) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def test_the_admin_page_previews_then_imports(admin_client, plan, evaluated):
    url = reverse("admin:projects_evaluationvalue_files", args=[plan.pk])
    page = admin_client.get(url).content.decode()
    assert "CSVで書き出す" in page and "3ヵ年の事業目標に対する達成度" in page
    export = admin_client.get(
        reverse("admin:projects_evaluationvalue_export", args=[plan.pk, "csv"])
    )
    assert export["Content-Disposition"].endswith('kawasaki-2011-evaluations.csv"')

    def edit(rows):
        rows[1][8] = "管理画面から"

    upload = io.BytesIO(edited(export.content, edit))
    upload.name = "edited.csv"
    preview = admin_client.post(url, {"file": upload})
    assert preview.status_code == 200
    assert preview.context["report"].changed and "管理画面から" in preview.content.decode()
    assert not EvaluationValue.objects.filter(explanation="管理画面から").exists()
    confirm = admin_client.post(url, {"token": preview.context["token"]})
    assert confirm.status_code == 302
    assert EvaluationValue.objects.filter(explanation="管理画面から").exists()
    assert admin_client.post(url, {"token": preview.context["token"]}).status_code == 302  # spent
    bad = io.BytesIO(b"\xef\xbb\xbfx,y\r\n")
    bad.name = "bad.csv"
    response = admin_client.post(url, {"file": bad})
    assert "見出しの行に次の列がありません" in response.content.decode()


def test_the_command_exports_and_imports(plan, evaluated, tmp_path):
    path = tmp_path / "evaluations.csv"
    call_command("import_evaluations", str(path), plan=plan.slug, export=True, stdout=StringIO())
    out = StringIO()
    call_command("import_evaluations", str(path), plan=plan.slug, stdout=out)
    assert "0 created, 0 changed, 0 deleted, 5 unchanged" in out.getvalue()
    path.write_bytes(path.read_bytes().replace("Ⅳ".encode(), b"X"))
    with pytest.raises(CommandError):
        call_command("import_evaluations", str(path), plan=plan.slug, stderr=StringIO())


def test_a_value_a_round_holds_back_is_not_published_by_file(city_round, planner):
    from tests.rounds_data import YEAR

    plan = city_round.plan
    green = Project.objects.get(plan=plan, name="緑化推進事業")
    row = ["1 > 1-1", green.display_name, "達成度", str(YEAR), "", "", "2", "", "", "公開"]
    content = own_rows([exchange.HEADERS, row])
    with pytest.raises(PlanImportError) as error:
        exchange.import_evaluations(plan, "round.csv", content, user=planner)
    assert "評価作業で承認されるまで" in str(error.value.problems[0])
    assert not EvaluationValue.objects.filter(project=green).exists()
    row[-1] = "下書き"  # as a draft it waits for the round's approval
    exchange.import_evaluations(plan, "round.csv", own_rows([exchange.HEADERS, row]), user=planner)
    assert levels(green, YEAR) == {"達成度": "2"}
