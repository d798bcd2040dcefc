"""An exported file never silently overwrites work done after it was exported (版)."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from policies.models import Plan, SDGGoal
from projects import export
from projects.models import Project, YearlyTarget
from projects.plan_import import PlanImportError, import_plan
from tests.exchange import plan_snapshot


@pytest.fixture
def plan(db):
    return Plan.objects.get(slug="kawasaki-2011")


@pytest.fixture
def planner(db):
    return get_user_model().objects.create_user(
        "kikaku", first_name="企画", last_name="花子", password=None, is_staff=True
    )


def exported(plan) -> bytes:
    return export.to_csv(export.LayoutSection(plan, None, lambda queryset: queryset))


def add_target(project, planner, text="新しい目標"):
    """Planning fills the empty 2012 cell of the table's first line."""
    target = YearlyTarget(project=project, line=0, fiscal_year=2012, text=text)
    target._history_user = planner
    target.save()
    return target


def test_a_file_exported_before_a_change_is_refused_naming_who_changed_what_when(plan, planner):
    project = Project.objects.get(plan=plan, name="住民投票制度運営事業")
    content = exported(plan)  # the bureau's copy
    target = add_target(project, planner)  # planning's later work
    before = plan_snapshot(plan)

    with pytest.raises(PlanImportError) as error:
        import_plan(plan=plan, file_name="bureau.csv", content=content)
    (problem,) = error.value.problems
    assert problem.column == "版" and problem.line > 1
    text = str(problem)
    assert "「住民投票制度運営事業」" in text and "企画 花子" in text
    assert f"現在の版 {Project.objects.get(pk=project.pk).version}" in text
    assert "--overwrite-newer" in text
    assert plan_snapshot(plan) == before  # planning's target is still there

    # The preview shows the deletion the import would make, cell by cell.
    report = import_plan(plan=plan, file_name="bureau.csv", content=content, dry_run=True)
    (stale,) = report.stale
    assert stale.project == project and stale.changed_by == "企画 花子"
    (change,) = report.changed
    assert [(d.label, d.old, d.new, d.is_deletion) for d in change.differences] == [
        ("2012年度", "新しい目標", "", True)
    ]
    assert plan_snapshot(plan) == before

    # Chosen knowingly, the file wins.
    import_plan(plan=plan, file_name="bureau.csv", content=content, overwrite_newer=True)
    assert not YearlyTarget.objects.filter(pk=target.pk).exists()
    # The same file again now changes nothing, so nothing is refused either.
    again = import_plan(plan=plan, file_name="bureau.csv", content=content)
    assert not again.changes_anything and again.stale == []


def test_an_overwrite_is_for_the_version_the_preview_showed(plan, planner):
    project = Project.objects.get(plan=plan, name="住民投票制度運営事業")
    content = exported(plan)
    project.baseline += "（追記）"
    project._history_user = planner
    project.save()
    preview = import_plan(plan=plan, file_name="b.csv", content=content, dry_run=True)
    assert preview.seen_versions == {project.pk: project.version}
    add_target(project, planner, "プレビューの後の目標")  # after the preview
    with pytest.raises(PlanImportError) as error:
        import_plan(
            plan=plan,
            file_name="b.csv",
            content=content,
            overwrite_newer=True,
            seen_versions=preview.seen_versions,
        )
    assert "確認の画面を表示した後にも変更されました" in str(error.value)
    assert project.targets.filter(text="プレビューの後の目標").exists()


def test_only_rows_that_would_overwrite_newer_work_are_refused(plan, planner):
    """A project changed since in what the file does not carry (its tag, a result) is
    not refused; an edit in the file to a project nobody touched goes in; so does a
    new row typed in without a version."""
    content = exported(plan).decode("utf-8-sig")
    tagged = Project.objects.get(plan=plan, name="住民投票制度運営事業")
    tagged.sdg_goals.add(SDGGoal.objects.get(number=16))
    tagged.save()  # a newer version than the file's
    edited = content.replace("第3期自治推進委員会の発足", "第4期自治推進委員会の発足")
    header = edited.splitlines()[0].split(",")
    typed = ["Ⅶ > Ⅶ-1 > Ⅶ-1-(1)", "", "新しく書いた事業"] + [""] * (len(header) - 3)
    typed[header.index("表の行")] = "1"
    edited += ",".join(typed) + "\r\n"
    report = import_plan(plan=plan, file_name="b.csv", content=edited.encode("utf-8-sig"))
    assert report.stale == []
    assert [project.name for project in report.updated] == ["自治拡充推進事業"]
    assert [project.name for project in report.created] == ["新しく書いた事業"]


def test_the_command_refuses_and_overwrites_on_request(plan, planner, tmp_path):
    project = Project.objects.get(plan=plan, name="住民投票制度運営事業")
    path = tmp_path / "bureau.csv"
    path.write_bytes(exported(plan))
    add_target(project, planner)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_plan", str(path), plan=plan.slug, stderr=err, stdout=io.StringIO())
    assert "住民投票制度運営事業" in err.getvalue() and "企画 花子" in err.getvalue()
    out = io.StringIO()
    call_command("import_plan", str(path), plan=plan.slug, dry_run=True, stdout=out, stderr=err)
    assert "2012年度: 新しい目標 → (deleted)" in out.getvalue()
    call_command(
        "import_plan",
        str(path),
        plan=plan.slug,
        overwrite_newer=True,
        stdout=io.StringIO(),
        stderr=io.StringIO(),
    )
    assert not project.targets.filter(text="新しい目標").exists()
