"""The round's Excel round trip: download, fill in, upload → preview → confirm; refusals."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from projects.models import ProjectResult
from rounds import services
from rounds.exchange import WorkbookError, read_workbook
from rounds.models import Round, Task
from rounds.services import RowValues
from tests.evaluations import levels
from tests.rounds_data import YEAR, level

pytestmark = pytest.mark.django_db

ACTUAL, ACHIEVEMENT, REVIEW, COMMENT, VERSION = "F", "G", "H", "I", "K"


def download(client, round):
    response = client.get(reverse("admin:rounds_round_workbook", args=[round.pk]))
    assert response.status_code == 200
    return load_workbook(io.BytesIO(response.content))


def row_of(sheet, name):
    return next(row[0].row for row in sheet.iter_rows(min_row=2) if row[1].value == name)


def saved(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client, round, content, name="tasks.xlsx"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(
        reverse("admin:rounds_round_upload", args=[round.pk]),
        {"file": SimpleUploadedFile(name, content)},
    )


def test_the_workbook_has_read_only_targets_drop_downs_and_hidden_stamps(
    city_round, environment_editor, client_for
):
    workbook = download(client_for(environment_editor), city_round)
    sheet = workbook["評価"]
    assert [cell.value for cell in sheet[1]][:5] == [
        "作業番号",
        "事業",
        "施策",
        "所管局・課",
        "令和5年度 (2023)の目標",
    ]
    assert [sheet.cell(row, 2).value for row in range(2, sheet.max_row + 1)] == [
        "緑化推進事業",
        "公園整備事業",
        "温暖化対策事業",
    ]
    row = row_of(sheet, "緑化推進事業")
    assert sheet[f"E{row}"].value == "緑化推進事業を実施"  # "→" resolved
    assert sheet.protection.sheet
    assert sheet[f"E{row}"].protection.locked and not sheet[f"{ACTUAL}{row}"].protection.locked
    assert sheet.column_dimensions["A"].hidden and sheet.column_dimensions[VERSION].hidden
    task = Task.objects.get(round=city_round, project__name="緑化推進事業")
    assert sheet[f"A{row}"].value == str(task.pk) and sheet[f"{VERSION}{row}"].value == "1"
    lists = {str(v.sqref)[0]: v.formula1 for v in sheet.data_validations.dataValidation}
    assert lists == {ACHIEVEMENT: "'_levels'!$A$1:$A$5", REVIEW: "'_levels'!$B$1:$B$8"}
    labels = [cell.value for cell in workbook["_levels"]["A"]]
    assert labels[0] == "1 目標を大きく上回って達成"
    assert workbook["_levels"].sheet_state == "hidden"


def test_upload_previews_each_changed_cell_then_saves_on_confirm(
    city_round, environment_editor, client_for
):
    client = client_for(environment_editor)
    workbook = download(client, city_round)
    sheet = workbook["評価"]
    row = row_of(sheet, "公園整備事業")
    sheet[f"{ACTUAL}{row}"] = "公園 3か所を整備"
    sheet[f"{ACHIEVEMENT}{row}"] = "3 目標をほぼ達成"
    sheet[f"{REVIEW}{row}"] = "C"  # a code alone is understood too
    response = upload(client, city_round, saved(workbook))
    assert response.status_code == 200
    report = response.context["report"]
    assert [
        (c.task.project.name, [(x.header, x.old, x.new) for x in c.cells]) for c in report.changes
    ] == [
        (
            "公園整備事業",
            [
                ("実績", "", "公園 3か所を整備"),
                ("達成度", "", "3 目標をほぼ達成"),
                ("評価結果", "", "C 目標どおりに進める：事業の規模（予算・人員）を維持"),
            ],
        )
    ]
    assert not ProjectResult.objects.filter(fiscal_year=YEAR).exists()  # only a preview
    confirm = client.post(
        reverse("admin:rounds_round_upload", args=[city_round.pk]),
        {"token": response.context["token"]},
    )
    assert confirm.status_code == 302
    result = ProjectResult.objects.get(project__name="公園整備事業", fiscal_year=YEAR)
    assert result.actual == "公園 3か所を整備"
    assert levels(result.project, YEAR) == {"達成度": "3", "評価結果": "C"}
    assert Task.objects.get(round=city_round, project__name="公園整備事業").status == "in_progress"


def test_a_row_changed_in_the_portal_since_the_download_refuses_the_file(
    city_round, environment_editor, client_for
):
    client = client_for(environment_editor)
    workbook = download(client, city_round)
    green = Task.objects.get(round=city_round, project__name="緑化推進事業")
    services.record_row(
        green.pk,
        RowValues("画面で入力", {}, ""),
        user=environment_editor,
        base_version=green.version,
    )
    sheet = workbook["評価"]
    sheet[f"{ACTUAL}{row_of(sheet, '緑化推進事業')}"] = "ファイルで入力"
    sheet[f"{ACTUAL}{row_of(sheet, '公園整備事業')}"] = "公園 3か所"
    response = upload(client, city_round, saved(workbook))
    problems = response.context["problems"]
    assert len(problems) == 1 and "緑化推進事業" in problems[0] and "env-editor" in problems[0]
    assert ProjectResult.objects.get(project__name="緑化推進事業").actual == "画面で入力"
    assert not ProjectResult.objects.filter(project__name="公園整備事業").exists()


def test_rows_outside_the_uploader_s_scope_are_refused_not_ignored(
    city_round, environment_editor, construction_editor, client_for
):
    workbook = download(client_for(environment_editor), city_round)
    sheet = workbook["評価"]
    road = Task.objects.get(round=city_round, project__name="道路維持事業")
    row = row_of(sheet, "温暖化対策事業")
    sheet[f"A{row}"] = str(road.pk)  # a hand-edited task number
    sheet[f"{ACTUAL}{row}"] = "よその局の事業"
    with pytest.raises(WorkbookError) as refused:
        read_workbook(city_round, saved(workbook), user=environment_editor)
    assert any(
        "道路維持事業" in problem and "担当範囲外" in problem for problem in refused.value.problems
    )
    # 建設局's own file is not 環境局's to upload.
    theirs = download(client_for(construction_editor), city_round)
    with pytest.raises(WorkbookError) as refused:
        read_workbook(city_round, saved(theirs), user=environment_editor)
    assert "別の局・課・区" in refused.value.problems[0]
    assert not ProjectResult.objects.filter(fiscal_year=YEAR).exists()


def test_another_round_s_file_and_bad_levels_are_refused_with_clear_messages(
    city_round, city_plan, environment_editor, planner, client_for
):
    workbook = download(client_for(environment_editor), city_round)
    other = Round(plan=city_plan, fiscal_year=2024, deadline=datetime.date(2025, 6, 30))
    services.open_round(other, user=planner)
    with pytest.raises(WorkbookError) as refused:
        read_workbook(other, saved(workbook), user=environment_editor)
    assert "別の評価作業" in refused.value.problems[0]
    sheet = workbook["評価"]
    sheet[f"{ACHIEVEMENT}{row_of(sheet, '緑化推進事業')}"] = "9 すばらしい"
    with pytest.raises(WorkbookError) as refused:
        read_workbook(city_round, saved(workbook), user=environment_editor)
    assert (
        "列「達成度」" in refused.value.problems[0] and "9 すばらしい" in refused.value.problems[0]
    )
    with pytest.raises(WorkbookError):
        read_workbook(city_round, b"not a workbook", user=environment_editor)


def test_an_upload_of_a_submitted_row_is_refused(city_round, environment_editor, client_for):
    from rounds.workflow import Action

    client = client_for(environment_editor)
    green = Task.objects.get(round=city_round, project__name="緑化推進事業")
    services.record_row(
        green.pk,
        RowValues("済", {level("3").criterion_id: level("3")}, ""),
        user=environment_editor,
        base_version=green.version,
    )
    services.act_on([green.pk], Action.SUBMIT, user=environment_editor)
    workbook = download(client, city_round)
    sheet = workbook["評価"]
    sheet[f"{ACTUAL}{row_of(sheet, '緑化推進事業')}"] = "提出後の変更"
    with pytest.raises(WorkbookError) as refused:
        read_workbook(city_round, saved(workbook), user=environment_editor)
    assert "提出済" in refused.value.problems[0]
