"""Indicators (成果指標) and revised targets (目標変更) by file: the same layout both ways
(export → import → export identical, CSV and Excel), all-or-nothing with the file, row and
column of every problem, idempotent, and scoped by role."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from openpyxl import load_workbook

from planportal.permissions import BUREAU_EDITORS, PLAN_ADMINS, WARD_EDITORS
from planportal.publication import PublicationStatus
from policies.models import Bureau, Indicator, IndicatorValue, Plan, PolicyNode, Ward
from projects.indicator_import import (
    import_exchange,
    indicator_file,
    revision_file,
    scoped_indicators,
    scoped_revisions,
    to_csv,
    to_xlsx,
)
from projects.layout import NodePaths
from projects.models import Project, TargetRevision, YearlyTarget
from projects.plan_import import PlanImportError

PUBLISHED = PublicationStatus.PUBLISHED
pytestmark = pytest.mark.django_db


@pytest.fixture
def plan():
    return Plan.objects.get(slug="kawasaki-2011")


@pytest.fixture
def measure(plan):
    return PolicyNode.objects.get(plan=plan, title="自治基本条例に基づく自治の推進")


@pytest.fixture
def admin(db):
    return get_user_model().objects.create_superuser("root", password=None)


@pytest.fixture
def indicators(measure):
    """What the cities' sheets write: text targets, a dated label, a 2030 goal, parts."""
    participation = Indicator.objects.create(
        node=measure,
        name="地域活動への参加率",
        unit="%",
        source="市民アンケート",
        baseline_text="20.5%",
        baseline_label="計画策定時",
        status=PUBLISHED,
    )
    for year, target, actual in [
        (2011, "21%以上", "20.8%"),
        (2012, "継続実施", ""),
        (2030, "30%", ""),
    ]:
        IndicatorValue.objects.create(
            indicator=participation, fiscal_year=year, target_text=target, actual_text=actual
        )
    feeling = Indicator.objects.create(
        node=measure.parent,
        kind=Indicator.Kind.PERCEPTION,
        name="地域のつながりを感じる市民の割合",
        direction=Indicator.Direction.HIGHER,
        baseline_value=45,
        baseline_year=2010,
        status=PUBLISHED,
    )
    IndicatorValue.objects.create(
        indicator=feeling, fiscal_year=2013, target=50, target_condition="at_least"
    )
    part = Indicator.objects.create(
        node=measure, name="町内会加入率", part_of=participation, unit="%", status=PUBLISHED
    )
    IndicatorValue.objects.create(indicator=part, fiscal_year=2013, actual_text="60.1%")
    project = Project.objects.filter(home_node=measure).order_by("pk").first()
    kpi = Indicator.objects.create(
        project=project,
        kind=Indicator.Kind.KPI,
        name="説明会の開催回数",
        unit="回",
        status=PUBLISHED,
    )
    IndicatorValue.objects.create(indicator=kpi, fiscal_year=2012, target_text="=12回", actual="11")
    return [participation, feeling, part, kpi]


def exported(plan, user, kind="csv"):
    header, rows = indicator_file(plan, scoped_indicators(plan, user))
    return to_csv(header, rows) if kind == "csv" else to_xlsx(header, rows, "成果指標")


def xlsx_values(content):
    return list(
        load_workbook(io.BytesIO(content), read_only=True).active.iter_rows(values_only=True)
    )


def stored(plan):
    return sorted(
        (
            indicator.name,
            indicator.kind,
            indicator.baseline_text,
            str(indicator.baseline_value),
            indicator.part_of_id is not None,
            tuple(
                (
                    value.fiscal_year,
                    value.target_written,
                    value.actual_written,
                    str(value.target),
                    str(value.actual),
                )
                for value in indicator.values.all()
            ),
        )
        for indicator in Indicator.objects.prefetch_related("values")
    )


# --- the round trip -------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["csv", "xlsx"])
def test_an_export_read_back_changes_nothing_and_rebuilds_what_was_deleted(
    plan, admin, indicators, kind
):
    first = exported(plan, admin, kind)
    name = f"indicators.{kind}"
    before = stored(plan)
    report = import_exchange(plan=plan, file_name=name, content=first, user=admin)
    assert report.changes == [] and report.unchanged == 4  # idempotent: nothing written
    assert stored(plan) == before
    Indicator.objects.all().delete()
    report = import_exchange(plan=plan, file_name=name, content=first, user=admin, publish=True)
    assert len(report.created) == 4
    again = exported(plan, admin, kind)
    if kind == "csv":
        assert again == first
    else:
        assert xlsx_values(again) == xlsx_values(first)
    text = first.decode("utf-8-sig") if kind == "csv" else ""
    if kind == "csv":
        assert first.startswith(b"\xef\xbb\xbf")
        assert "2030年度目標" in text and "計画策定時" in text and "市民の実感指標" in text
        assert "'=12回" in text  # a formula guarded
    part = Indicator.objects.get(name="町内会加入率")
    assert part.part_of.name == "地域活動への参加率"
    assert (
        IndicatorValue.objects.get(indicator__name="地域活動への参加率", fiscal_year=2011).target
        == 21
    )


def test_an_edited_file_changes_the_values_it_says_and_removes_an_emptied_year(
    plan, admin, indicators
):
    text = exported(plan, admin).decode("utf-8-sig")
    text = text.replace("21%以上", "22%以上").replace("継続実施", "")
    report = import_exchange(plan=plan, file_name="a.csv", content=text.encode(), user=admin)
    assert [(change.label.split()[-1], change.fields) for change in report.changes] == [
        ("地域活動への参加率", ["2011年度目標", "2012年度目標"])
    ]
    values = IndicatorValue.objects.filter(indicator=indicators[0]).order_by("fiscal_year")
    assert [(value.fiscal_year, value.target_written, value.target) for value in values][:1] == [
        (2011, "22%以上", 22)
    ]
    assert not values.filter(fiscal_year=2012).exists()


# --- bad input: every problem named, nothing written ----------------------------------


def test_bad_rows_are_each_named_by_row_and_column_and_nothing_is_written(plan, admin, indicators):
    lines = exported(plan, admin).decode("utf-8-sig").splitlines()
    participation = next(line for line in lines if line.split(",")[2] == "地域活動への参加率")
    rows = [
        lines[0],
        participation.replace("地域活動への参加率", "新しい指標"),  # fine, but not written
        participation.replace("成果指標", "満足度"),  # an unknown kind
        "Ⅶ-9,,指標X",  # an unknown node
    ]
    content = "\n".join(rows).encode()
    before = stored(plan)
    with pytest.raises(PlanImportError) as error:
        import_exchange(plan=plan, file_name="bad.csv", content=content, user=admin)
    messages = [str(problem) for problem in error.value.problems]
    assert any("3行目 「種類」列" in message and "満足度" in message for message in messages)
    assert any("4行目 「階層パス」列" in message and "Ⅶ-9" in message for message in messages)
    assert all(message.startswith("ファイル「bad.csv」") for message in messages)
    assert stored(plan) == before and not Indicator.objects.filter(name="新しい指標").exists()


def test_a_row_repeating_an_indicator_names_the_row_it_repeats(plan, admin, indicators):
    lines = exported(plan, admin).decode("utf-8-sig").splitlines()
    participation = next(line for line in lines if line.split(",")[2] == "地域活動への参加率")
    first = lines.index(participation) + 1
    content = "\n".join([*lines, participation]).encode()
    before = stored(plan)
    with pytest.raises(PlanImportError) as error:
        import_exchange(plan=plan, file_name="twice.csv", content=content, user=admin)
    (message,) = [str(problem) for problem in error.value.problems]
    assert f"{len(lines) + 1}行目 「指標名」列" in message
    assert f"{first}行目と同じ指標です" in message
    assert stored(plan) == before


def test_years_outside_the_plan_are_refused_with_their_column(plan, admin, indicators):
    header, rows = indicator_file(plan, scoped_indicators(plan, admin))
    unordered = to_csv([*header, "2009年度目標", "2009年度実績"], [[*row, "", ""] for row in rows])
    with pytest.raises(PlanImportError) as error:
        import_exchange(plan=plan, file_name="x.csv", content=unordered, user=admin)
    assert [(problem.line, problem.column) for problem in error.value.problems] == [
        (1, "2009年度目標")
    ]
    header, rows = indicator_file(plan, scoped_indicators(plan, admin))
    year_2030 = header.index("2030年度実績")
    rows[0][year_2030] = "31%"  # an actual after the plan's last year
    rows[0][header.index("2011年度目標")] = ""
    before = stored(plan)
    with pytest.raises(PlanImportError) as error:
        import_exchange(plan=plan, file_name="x.csv", content=to_csv(header, rows), user=admin)
    (problem,) = error.value.problems
    assert (problem.line, problem.column) == (2, "2030年度実績")
    assert "目標だけを入れられます" in problem.message
    assert stored(plan) == before


def test_a_whole_with_parts_cannot_become_a_part(plan, admin, indicators, measure):
    Indicator.objects.create(node=measure, name="協働の指標", status=PUBLISHED)
    header, rows = indicator_file(plan, scoped_indicators(plan, admin))
    whole = next(row for row in rows if row[2] == "地域活動への参加率")
    whole[header.index("複合指標")] = "協働の指標"
    with pytest.raises(PlanImportError) as error:
        import_exchange(plan=plan, file_name="p.csv", content=to_csv(header, rows), user=admin)
    problems = {(problem.line, problem.column, problem.message) for problem in error.value.problems}
    whole_line = rows.index(whole) + 2
    part_line = next(index for index, row in enumerate(rows, start=2) if row[2] == "町内会加入率")
    assert problems == {
        (whole_line, "複合指標", "一部を持つ指標は、ほかの指標の一部にできません。"),
        (part_line, "複合指標", "複合指標の一部にできるのは、一部ではない指標だけです。"),
    }
    assert Indicator.objects.get(name="地域活動への参加率").part_of is None


def test_an_unreadable_header_says_what_it_should_be(plan, admin):
    with pytest.raises(PlanImportError) as error:
        import_exchange(plan=plan, file_name="x.csv", content="名前,値\nA,1\n".encode(), user=admin)
    assert "指標名" in str(error.value) and "変更を決めた年度" in str(error.value)


# --- roles -----------------------------------------------------------------------------


def test_a_ward_editor_imports_the_indicators_of_their_wards_nodes_only(
    plan, make_staff, indicators, measure
):
    saiwai = Ward.objects.get(slug="saiwai-ku")
    editor = make_staff("saiwai", WARD_EDITORS, ward=saiwai)
    assert not scoped_indicators(plan, editor).exists()
    admin_csv = exported(plan, get_user_model().objects.create_superuser("root2", password=None))
    with pytest.raises(PlanImportError) as error:
        import_exchange(plan=plan, file_name="a.csv", content=admin_csv, user=editor)
    assert "権限がありません" in str(error.value)
    measure.wards.add(saiwai)
    mine = exported(plan, editor).decode("utf-8-sig")
    assert (
        "地域活動への参加率" in mine and "地域のつながり" not in mine
    )  # the parent node is not theirs
    edited = mine.replace("21%以上", "25%以上").encode()
    report = import_exchange(plan=plan, file_name="a.csv", content=edited, user=editor)
    assert [change.fields for change in report.changes] == [["2011年度目標"]]


def test_a_bureau_editor_adds_indicators_to_their_projects_only_as_drafts(
    plan, make_staff, measure
):
    bureau = Bureau.objects.create(municipality=plan.municipality, name="市民・こども局")
    project, other = Project.objects.filter(home_node=measure).order_by("pk")[:2]
    project.bureau = bureau
    project.save()
    editor = make_staff("bureau", BUREAU_EDITORS, bureau=bureau)
    header, _rows = indicator_file(plan, Indicator.objects.none())
    path = NodePaths(plan.nodes.all()).path(measure.pk)
    row = [path, project.display_name, "参加者数", "", "成果指標", "人"] + [""] * (len(header) - 6)
    report = import_exchange(
        plan=plan, file_name="b.csv", content=to_csv(header, [row]), user=editor, publish=True
    )
    assert len(report.created) == 1
    assert (
        Indicator.objects.get(name="参加者数").status == PublicationStatus.DRAFT
    )  # may not publish
    row[1] = other.display_name
    with pytest.raises(PlanImportError):
        import_exchange(plan=plan, file_name="b.csv", content=to_csv(header, [row]), user=editor)


# --- revised targets (目標変更) ---------------------------------------------------------


def test_revisions_round_trip_and_never_touch_the_printed_target(plan, admin):
    target = YearlyTarget.objects.filter(project__plan=plan).order_by("pk").first()
    project = target.project
    printed = list(YearlyTarget.objects.values_list("pk", "text"))
    header, _rows = revision_file(plan, TargetRevision.objects.none())
    node_path = NodePaths(plan.nodes.all()).path(project.home_node_id)
    year = f"{target.fiscal_year}年度" + ("以降" if target.after_period else "")
    row = [
        node_path,
        project.display_name,
        target.line + 1,
        year,
        "",
        "拡充して実施",
        2012,
        "利用者の増加",
    ]
    content = to_csv(header, [row])
    report = import_exchange(plan=plan, file_name="r.csv", content=content, user=admin)
    assert len(report.created) == 1
    revision = TargetRevision.objects.get()
    assert (revision.text, revision.decided_in, revision.reason) == (
        "拡充して実施",
        2012,
        "利用者の増加",
    )
    assert list(YearlyTarget.objects.values_list("pk", "text")) == printed
    first = to_csv(*revision_file(plan, scoped_revisions(plan, admin)))
    assert target.text in first.decode("utf-8-sig")  # 当初の目標, for readers
    assert import_exchange(plan=plan, file_name="r.csv", content=first, user=admin).changes == []
    assert to_csv(*revision_file(plan, scoped_revisions(plan, admin))) == first
    bad = to_csv(header, [row[:6] + ["令和", ""]])
    with pytest.raises(PlanImportError) as error:
        import_exchange(plan=plan, file_name="r.csv", content=bad, user=admin)
    columns = {problem.column for problem in error.value.problems}
    assert columns == {"変更を決めた年度", "変更の理由"}
    assert TargetRevision.objects.count() == 1


# --- the admin: upload → preview → confirm ------------------------------------------------


def test_the_admin_previews_then_imports_and_downloads_in_scope(
    client_for, make_staff, plan, indicators
):
    planner = make_staff("planner", PLAN_ADMINS)
    client = client_for(planner)
    url = reverse("admin:policies_plan_indicators", args=[plan.pk])
    download = client.get(url + "?download=indicators.csv")
    assert download.status_code == 200 and "地域活動への参加率" in download.content.decode(
        "utf-8-sig"
    )
    edited = download.content.decode("utf-8-sig").replace("21%以上", "23%以上").encode()
    upload = io.BytesIO(edited)
    upload.name = "indicators.csv"
    preview = client.post(url, {"file": upload})
    html = preview.content.decode()
    assert "2011年度目標" in html and "token" in html
    assert (
        IndicatorValue.objects.get(indicator=indicators[0], fiscal_year=2011).target_text
        == "21%以上"
    )
    token = preview.context["token"]
    done = client.post(url, {"token": token})
    assert done.status_code == 302
    assert (
        IndicatorValue.objects.get(indicator=indicators[0], fiscal_year=2011).target_text
        == "23%以上"
    )
