"""The round pages: the bureau's grid, planning's dashboard, exports and the admin home."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.models import ProjectResult
from rounds.models import Task
from rounds.workflow import Status
from tests.evaluations import levels
from tests.rounds_data import YEAR, level

pytestmark = pytest.mark.django_db


def grid_url(round, **params):
    url = reverse("admin:rounds_round_tasks", args=[round.pk])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def row_data(response):
    """The POST data of the grid as rendered: every row's fields, hidden initials included."""
    data = {"row": []}
    for row in response.context["rows"]:
        form = row.form
        if form is None:
            continue
        data["row"].append(str(row.task.pk))
        for name, field in form.fields.items():
            bound = form[name]
            value = bound.value()
            data[bound.html_name] = "" if value is None else str(value)
            if field.show_hidden_initial:
                data[bound.html_initial_name] = data[bound.html_name]
    return data


def task_named(round, name):
    return Task.objects.get(round=round, project__name=name)


def test_the_grid_shows_the_editor_only_their_bureau_s_tasks_with_that_year_s_target(
    city_round, environment_editor, client_for
):
    response = client_for(environment_editor).get(grid_url(city_round))
    assert response.status_code == 200
    names = [str(row.task.project) for row in response.context["rows"]]
    assert names == ["緑化推進事業", "公園整備事業", "温暖化対策事業"]
    # 2023's target cell is "→": the grid shows what it means, as the project page does.
    assert response.context["rows"][0].targets == ["緑化推進事業を実施"]
    page = response.content.decode()
    assert "道路維持事業" not in page
    assert "保存して、選択した行を提出" in page
    assert "選択した行を承認" not in page  # no button that ends in a refusal


def test_saving_the_grid_saves_changed_rows_and_submits_the_selected(
    city_round, environment_editor, client_for
):
    client = client_for(environment_editor)
    data = row_data(client.get(grid_url(city_round)))
    green, park = task_named(city_round, "緑化推進事業"), task_named(city_round, "公園整備事業")
    data[f"t{green.pk}-actual"] = "植樹 1,200本"
    data[f"t{green.pk}-c{level('2').criterion_id}"] = str(level("2").pk)
    data[f"t{park.pk}-actual"] = "公園 3か所"
    data["selected"] = [str(green.pk)]
    data["action"] = "submit"
    response = client.post(grid_url(city_round), data)
    assert response.status_code == 302
    assert task_named(city_round, "緑化推進事業").status == Status.SUBMITTED
    assert task_named(city_round, "公園整備事業").status == Status.IN_PROGRESS
    assert task_named(city_round, "温暖化対策事業").status == Status.NOT_STARTED
    assert levels(green.project, YEAR) == {"達成度": "2"}


def test_a_row_saved_by_a_colleague_is_refused_in_the_grid_the_rest_saved(
    city_round, environment_editor, make_staff, client_for
):
    from planportal.permissions import BUREAU_EDITORS
    from policies.models import Bureau

    colleague = make_staff(
        "env-colleague", BUREAU_EDITORS, bureau=Bureau.objects.get(name="環境局")
    )
    mine, theirs = client_for(environment_editor), client_for(colleague)
    green, park = task_named(city_round, "緑化推進事業"), task_named(city_round, "公園整備事業")
    my_data = row_data(mine.get(grid_url(city_round)))
    their_data = row_data(theirs.get(grid_url(city_round)))
    their_data[f"t{green.pk}-actual"] = "同僚の実績"
    their_data["action"] = "save"
    assert theirs.post(grid_url(city_round), their_data).status_code == 302

    my_data[f"t{green.pk}-actual"] = "わたしの実績"
    my_data[f"t{park.pk}-actual"] = "公園 3か所"
    my_data["action"] = "save"
    response = mine.post(grid_url(city_round), my_data)
    assert response.status_code == 200
    refused = {row.task.pk: row.error for row in response.context["rows"] if row.error}
    assert list(refused) == [green.pk]
    assert "env-colleague" in refused[green.pk]
    assert ProjectResult.objects.get(project=green.project).actual == "同僚の実績"
    assert ProjectResult.objects.get(project=park.project).actual == "公園 3か所"


def test_a_row_the_editor_did_not_change_is_not_saved_whatever_happened_since(
    city_round, environment_editor, make_staff, client_for
):
    client = client_for(environment_editor)
    data = row_data(client.get(grid_url(city_round)))
    green = task_named(city_round, "緑化推進事業")
    ProjectResult.objects.create(project=green.project, fiscal_year=YEAR, actual="管理画面で")
    data["action"] = "save"
    assert client.post(grid_url(city_round), data).status_code == 302
    assert ProjectResult.objects.get(project=green.project).actual == "管理画面で"


def test_invalid_rows_get_row_errors_and_nothing_saved_for_them(
    city_round, environment_editor, client_for
):
    client = client_for(environment_editor)
    data = row_data(client.get(grid_url(city_round)))
    green, park = task_named(city_round, "緑化推進事業"), task_named(city_round, "公園整備事業")
    data[f"t{green.pk}-actual"] = "x" * 2001
    data[f"t{park.pk}-c{level('2').criterion_id}"] = "999999"
    data["action"] = "save"
    response = client.post(grid_url(city_round), data)
    assert response.status_code == 200
    errors = {row.task.pk for row in response.context["rows"] if row.form and row.form.errors}
    assert errors == {green.pk, park.pk}
    assert not ProjectResult.objects.filter(fiscal_year=YEAR).exists()


def test_posting_another_bureau_s_row_directly_changes_nothing(
    city_round, environment_editor, construction_editor, client_for
):
    road = task_named(city_round, "道路維持事業")
    data = row_data(client_for(construction_editor).get(grid_url(city_round)))
    data[f"t{road.pk}-actual"] = "よその局の入力"
    data["action"] = "submit"
    data["selected"] = [str(road.pk)]
    response = client_for(environment_editor).post(grid_url(city_round), data)
    assert response.status_code == 200
    assert not ProjectResult.objects.filter(project=road.project).exists()
    assert task_named(city_round, "道路維持事業").status == Status.NOT_STARTED
    for action in ("approve", "return", "reopen"):
        client_for(environment_editor).post(
            grid_url(city_round), {"action": action, "selected": [str(road.pk)], "comment": "x"}
        )
    assert task_named(city_round, "道路維持事業").status == Status.NOT_STARTED


def test_the_grid_runs_a_fixed_number_of_queries(city_round, planner, client_for):
    from projects.models import Project

    client = client_for(planner)
    client.get(grid_url(city_round))  # the session and the permission caches

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(grid_url(city_round)).status_code == 200
        return len(queries.captured_queries)

    before = count()
    plan = city_round.plan
    for number in range(10):
        Project.objects.create(plan=plan, name=f"追加事業{number}", status="published")
    extra = Project.objects.filter(plan=plan, name__startswith="追加事業")
    Task.objects.bulk_create(Task(round=city_round, project=project) for project in extra)
    assert count() == before


def test_planning_approves_and_returns_many_with_one_comment(
    city_round, environment_editor, planner, client_for
):
    from rounds import services
    from rounds.services import RowValues
    from rounds.workflow import Action

    tasks = list(city_round.tasks.filter(project__bureau__name="環境局"))
    for task in tasks:
        services.record_row(
            task.pk,
            RowValues("済", {}, ""),
            user=environment_editor,
            base_version=Task.objects.get(pk=task.pk).version,
        )
    services.act_on([t.pk for t in tasks], Action.SUBMIT, user=environment_editor)
    client = client_for(planner)
    response = client.post(
        grid_url(city_round),
        {"action": "return", "selected": [str(t.pk) for t in tasks[:2]], "comment": "根拠を追記"},
    )
    assert response.status_code == 302
    client.post(grid_url(city_round), {"action": "approve", "selected": [str(tasks[2].pk)]})
    statuses = dict(Task.objects.filter(pk__in=[t.pk for t in tasks]).values_list("pk", "status"))
    assert statuses == {
        tasks[0].pk: Status.RETURNED,
        tasks[1].pk: Status.RETURNED,
        tasks[2].pk: Status.APPROVED,
    }
    assert set(
        Task.objects.filter(status=Status.RETURNED).values_list("return_comment", flat=True)
    ) == {"根拠を追記"}


def test_the_dashboard_counts_bureaus_by_status_and_flags_the_overdue(
    city_round, environment_editor, planner, client_for
):
    import datetime

    from rounds import services
    from rounds.services import RowValues
    from rounds.workflow import Action

    green = task_named(city_round, "緑化推進事業")
    services.record_row(
        green.pk,
        RowValues("済", {}, ""),
        user=environment_editor,
        base_version=green.version,
    )
    services.act_on([green.pk], Action.SUBMIT, user=environment_editor)
    city_round.deadline = datetime.date.today() - datetime.timedelta(days=1)
    city_round.save()
    response = client_for(planner).get(
        reverse("admin:rounds_round_dashboard", args=[city_round.pk])
    )
    assert response.status_code == 200
    rows = {str(row.bureau) if row.bureau else None: row for row in response.context["rows"]}
    assert rows["環境局"].counts == [2, 0, 1, 0, 0]
    assert rows["建設局"].counts == [2, 0, 0, 0, 0]
    assert rows[None].counts == [1, 0, 0, 0, 0]
    page = response.content.decode()
    assert "期限超過・提出なし" in page  # 建設局 has submitted nothing
    assert "所管未定事業" in page  # listed for assigning a bureau


def test_the_dashboard_and_exports_are_planning_s(city_round, environment_editor, client_for):
    client = client_for(environment_editor)
    for name, args in (
        ("rounds_round_dashboard", [city_round.pk]),
        ("rounds_round_export", [city_round.pk, "csv"]),
    ):
        assert client.get(reverse(f"admin:{name}", args=args)).status_code == 403
    response = client.post(reverse("admin:rounds_round_publish", args=[city_round.pk]))
    assert response.status_code == 403


def test_planning_assigns_a_bureau_to_projects_without_one(city_round, planner, client_for):
    from policies.models import Bureau

    task = task_named(city_round, "所管未定事業")
    bureau = Bureau.objects.get(name="建設局")
    response = client_for(planner).post(
        reverse("admin:rounds_round_assign", args=[city_round.pk]),
        {"project": [str(task.project_id)], "bureau": str(bureau.pk)},
    )
    assert response.status_code == 302
    task.project.refresh_from_db()
    assert task.project.bureau == bureau
    assert task.project.history.first().history_user.username == "planner"


def test_the_round_exports_as_csv_and_xlsx(city_round, planner, client_for):
    import io

    from openpyxl import load_workbook

    client = client_for(planner)
    csv = client.get(reverse("admin:rounds_round_export", args=[city_round.pk, "csv"]))
    text = csv.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("所管局,所管課,施策,事業,目標")
    assert "緑化推進事業" in text and "未着手" in text
    xlsx = client.get(reverse("admin:rounds_round_export", args=[city_round.pk, "xlsx"]))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 7


def test_the_admin_home_shows_an_editor_their_tasks_and_planning_the_rounds(
    city_round, environment_editor, planner, client_for
):
    editor_home = client_for(environment_editor).get(reverse("admin:index")).content.decode()
    assert "あなたの評価の作業" in editor_home
    assert reverse("admin:rounds_round_tasks", args=[city_round.pk]) in editor_home
    assert reverse("admin:rounds_round_dashboard", args=[city_round.pk]) not in editor_home
    planner_home = client_for(planner).get(reverse("admin:index")).content.decode()
    assert reverse("admin:rounds_round_dashboard", args=[city_round.pk]) in planner_home
    assert "新しい評価作業を始める" in planner_home


def test_a_submitted_result_cannot_be_changed_on_the_project_page_by_its_bureau(
    city_round, environment_editor, client_for
):
    from rounds import services
    from rounds.services import RowValues
    from rounds.workflow import Action
    from tests.admin_forms import form_data

    task = task_named(city_round, "緑化推進事業")
    services.record_row(
        task.pk,
        RowValues("提出した実績", {}, ""),
        user=environment_editor,
        base_version=task.version,
    )
    services.act_on([task.pk], Action.SUBMIT, user=environment_editor)
    client = client_for(environment_editor)
    url = reverse("admin:projects_project_change", args=[task.project_id])
    data = form_data(client.get(url))
    prefix = next(key for key in data if key.endswith("-actual")).rsplit("-", 1)[0]
    data[f"{prefix}-actual"] = "提出後に書き換え"
    response = client.post(url, data)
    assert response.status_code == 200
    assert "提出・承認済み" in response.content.decode()
    assert ProjectResult.objects.get(project=task.project).actual == "提出した実績"


def test_a_reviewer_sees_the_grid_read_only_and_is_refused_every_write(
    city_round, make_staff, client_for
):
    from planportal.permissions import REVIEWERS

    client = client_for(make_staff("reviewer", REVIEWERS))
    response = client.get(grid_url(city_round))
    assert response.status_code == 200
    assert all(row.form is None for row in response.context["rows"])
    page = response.content.decode()
    assert 'name="action"' not in page and "Excelに書き出す" not in page
    green = task_named(city_round, "緑化推進事業")
    client.post(grid_url(city_round), {"action": "approve", "selected": [str(green.pk)]})
    assert task_named(city_round, "緑化推進事業").status == Status.NOT_STARTED
    for name in ("rounds_round_workbook", "rounds_round_upload", "rounds_round_dashboard"):
        assert client.get(reverse(f"admin:{name}", args=[city_round.pk])).status_code == 403
