"""The admin's import page: upload → preview → confirm, permission-checked."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from planportal.permissions import PLAN_ADMINS, sync_role_groups
from planportal.publication import PublicationStatus
from policies.models import Bureau, Division, Plan, PolicyNode
from projects import export
from projects.models import Project
from projects.plan_import import PlanImportError, import_plan
from tests.exchange import plan_snapshot


@pytest.fixture
def plan(db):
    return Plan.objects.get(slug="kawasaki-2011")


def import_url(plan):
    return reverse("admin:policies_plan_import", args=[plan.pk])


def exported_csv(plan, edit=None) -> bytes:
    content = export.to_csv(export.LayoutSection(plan, None, lambda queryset: queryset))
    if edit:
        content = content.replace(*edit)
    return content


def test_upload_preview_confirm(admin_client, plan):
    edit = ("第3期自治推進委員会の発足".encode(), "第5期自治推進委員会の発足".encode())
    before = plan_snapshot(plan)
    upload = SimpleUploadedFile("plan.csv", exported_csv(plan, edit), "text/csv")
    preview = admin_client.post(import_url(plan), {"file": upload})
    assert preview.status_code == 200
    html = preview.content.decode()
    assert "取り込みの確認" in html and "自治拡充推進事業" in html
    assert preview.context["report"].updated[0].name == "自治拡充推進事業"
    assert plan_snapshot(plan) == before  # the preview writes nothing
    token = preview.context["token"]
    done = admin_client.post(import_url(plan), {"token": token})
    assert done.status_code == 302
    assert Project.objects.get(plan=plan, name="自治拡充推進事業").baseline.startswith(
        "第5期自治推進委員会の発足"
    )
    # The token is spent: confirming twice imports nothing more.
    again = admin_client.post(import_url(plan), {"token": token}, follow=True)
    assert "期限が切れました" in again.content.decode()


def exported_csv_with(plan, project_name, **cells) -> bytes:
    """The plan's CSV export with some cells of a project's rows changed, by header."""
    text = exported_csv(plan).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    for row in rows:
        if row[2] == project_name:
            for name, value in cells.items():
                row[header.index(name)] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    return buffer.getvalue().encode("utf-8-sig")


def test_the_preview_lists_new_bureaus_and_sections_and_the_import_records_history(
    admin_client, superuser, plan
):
    content = exported_csv_with(
        plan, "自治拡充推進事業", 所管局="市民・こども局", 所管課="協働・連携推進課", 区="幸区"
    )
    preview = admin_client.post(import_url(plan), {"file": SimpleUploadedFile("p.csv", content)})
    html = preview.content.decode()
    assert "新しく作る所管局" in html and "新しく作る所管課" in html
    assert "市民・こども局 協働・連携推進課" in html
    report = preview.context["report"]
    assert [project.name for project in report.updated] == ["自治拡充推進事業"]
    assert [bureau.name for bureau in report.new_bureaus] == ["市民・こども局"]
    assert not Bureau.objects.filter(name="市民・こども局").exists()  # the preview writes nothing
    assert not Division.objects.filter(name="協働・連携推進課").exists()
    done = admin_client.post(import_url(plan), {"token": preview.context["token"]}, follow=True)
    assert "所管局 1 件と所管課 1 件を新しく作りました" in done.content.decode()
    project = Project.objects.get(plan=plan, name="自治拡充推進事業")
    assert project.bureau.municipality == plan.municipality
    assert (project.bureau.name, project.division.name) == ("市民・こども局", "協働・連携推進課")
    assert [ward.name for ward in project.wards.all()] == ["幸区"]
    # Who changed the project, and to what, is in its history.
    record = project.history.first()
    assert record.history_user == superuser and record.bureau_id == project.bureau_id
    assert [row.ward.name for row in record.wards.all()] == ["幸区"]


def test_problems_are_listed_and_nothing_can_be_confirmed(admin_client, plan):
    content = exported_csv(plan, ("Ⅶ > Ⅶ-1 > ".encode(), "Ⅶ > Ⅶ-9 > ".encode()))
    response = admin_client.post(
        import_url(plan), {"file": SimpleUploadedFile("plan.csv", content)}
    )
    html = response.content.decode()
    assert "取り込めません" in html and "この計画にない項目です" in html
    assert "ファイル「plan.csv」 2行目 「階層パス」列" in html
    assert "token" not in response.context


def test_the_published_format_under_a_node_chosen_in_the_form(admin_client, plan):
    measure = PolicyNode.objects.get(plan=plan, title="自治基本条例に基づく自治の推進")
    page = admin_client.get(import_url(plan), {"under": measure.pk})
    assert page.context["form"].initial["under"] == str(measure.pk)
    text = "事業名\t事業概要\t計画期間の取組\n新しい事業\t概要です。\t事業推進\n"
    preview = admin_client.post(
        import_url(plan),
        {"file": SimpleUploadedFile("t.tsv", text.encode("cp932")), "under": measure.pk},
    )
    assert [p.name for p in preview.context["report"].created] == ["新しい事業"]
    admin_client.post(import_url(plan), {"token": preview.context["token"]})
    project = Project.objects.get(plan=plan, name="新しい事業")
    assert project.home_node == measure and not project.is_published()


def test_import_is_for_plan_administrators(client, plan):
    """An import writes across every bureau's and ward's projects: administrators only."""
    user = get_user_model().objects.create_user("viewer", password="unused-pw-2", is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(codename__in=["change_plan", "add_project", "change_project"])
    )
    client.force_login(user)
    assert client.get(import_url(plan)).status_code == 403  # permissions, but no role
    upload = SimpleUploadedFile("plan.csv", exported_csv(plan))
    assert client.post(import_url(plan), {"file": upload}).status_code == 403
    sync_role_groups()
    user.groups.add(Group.objects.get(name=PLAN_ADMINS))
    client.force_login(get_user_model().objects.get(pk=user.pk))
    assert client.get(import_url(plan)).status_code == 200


def test_a_token_of_another_user_is_refused(admin_client, client, plan):
    preview = admin_client.post(
        import_url(plan), {"file": SimpleUploadedFile("plan.csv", exported_csv(plan))}
    )
    other = get_user_model().objects.create_superuser("other", "o@example.org", "unused-pw-3")
    client.force_login(other)
    response = client.post(import_url(plan), {"token": preview.context["token"]}, follow=True)
    assert "期限が切れました" in response.content.decode()


def test_plan_and_node_admin_pages_link_to_import_and_exports(admin_client, plan):
    node = PolicyNode.objects.get(plan=plan, code="Ⅶ-1")
    for url in (
        reverse("admin:policies_plan_change", args=[plan.pk]),
        reverse("admin:policies_policynode_change", args=[node.pk]),
    ):
        html = admin_client.get(url).content.decode()
        assert import_url(plan) in html
        for text in (">CSV<", ">Excel<", ">JSON<", ">PDF<", "印刷用ページ"):
            assert text in html, (url, text)


# --- what the preview shows ------------------------------------------------------------


def test_the_preview_shows_every_changed_cell_and_every_deletion(admin_client, plan):
    voting = Project.objects.get(plan=plan, name="住民投票制度運営事業")
    first = voting.targets.get(fiscal_year=2011)
    content = exported_csv_with(
        plan, "自治拡充推進事業", 現状="新しい現状", **{"2012年度": "", "2013年度": "→"}
    )
    content = content.replace(first.text.encode(), "住民投票の新しい目標".encode())
    preview = admin_client.post(import_url(plan), {"file": SimpleUploadedFile("p.csv", content)})
    changes = {change.project.name: change for change in preview.context["report"].changed}
    assert sorted(changes) == ["住民投票制度運営事業", "自治拡充推進事業"]
    differences = [(d.label, d.new) for d in changes["自治拡充推進事業"].differences]
    assert differences == [("現状", "新しい現状"), ("2012年度", ""), ("2013年度", "→")]
    html = preview.content.decode()
    assert "更新する事業の変更内容" in html
    assert "<strong>（削除）</strong>" in html  # the 2012 cell, stated as a deletion
    assert "新しい現状" in html and "住民投票の新しい目標" in html
    assert first.text.splitlines()[0] in html


def test_overwriting_newer_changes_needs_the_box_ticked(admin_client, superuser, plan):
    content = exported_csv(plan)
    project = Project.objects.get(plan=plan, name="自治拡充推進事業")
    project.summary = "企画課が書き直した概要"
    project._history_user = superuser
    project.save()
    preview = admin_client.post(import_url(plan), {"file": SimpleUploadedFile("p.csv", content)})
    html = preview.content.decode()
    assert "書き出した後に変更された事業" in html and "chief" in html
    assert 'name="overwrite_newer"' in html and "企画課が書き直した概要" in html
    refused = admin_client.post(import_url(plan), {"token": preview.context["token"]})
    assert "--overwrite-newer" in refused.content.decode()
    project.refresh_from_db()
    assert project.summary == "企画課が書き直した概要"
    preview = admin_client.post(import_url(plan), {"file": SimpleUploadedFile("p.csv", content)})
    admin_client.post(
        import_url(plan), {"token": preview.context["token"], "overwrite_newer": "on"}
    )
    project.refresh_from_db()
    assert project.summary != "企画課が書き直した概要"


def test_the_preview_marks_new_relistings_and_homes_that_move(admin_client, plan):
    text = exported_csv(plan).decode("utf-8-sig")
    header, *rows = list(csv.reader(io.StringIO(text, newline="")))
    old_home = "Ⅶ > Ⅶ-1 > Ⅶ-1-(1) > 自治基本条例に基づく自治の推進"
    new_home = "Ⅶ > Ⅶ-1 > Ⅶ-1-(1) > 分権改革の推進"
    for row in rows:
        if row[2] == "自治推進フォーラム開催事業":
            row[0] = new_home  # its home moves
    relisting = next(row for row in rows if row[2] == "住民投票制度運営事業")
    rows.append([new_home, "", "住民投票制度運営事業(再掲)", *[""] * (len(header) - 3)])
    rows[-1][header.index("表の行")] = "1"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows([header, *rows])
    upload = SimpleUploadedFile("p.csv", buffer.getvalue().encode("utf-8-sig"))
    preview = admin_client.post(import_url(plan), {"file": upload})
    report = preview.context["report"]
    assert [change.project.name for change in report.home_moves] == ["自治推進フォーラム開催事業"]
    html = preview.content.decode()
    assert "本来の施策が移る事業" in html
    assert f"住民投票制度運営事業(再掲) → {report.new_listings[-1].node}" in html
    assert relisting[0] == old_home
    assert "本来の施策が「自治基本条例に基づく自治の推進」から「分権改革の推進」に移ります" in html


# --- publishing needs the publish permission --------------------------------------------


@pytest.fixture
def administrator_without_publishing(make_staff):
    """A plan administrator whose role was set up without the publish permission."""
    group = Group.objects.get(name=PLAN_ADMINS)
    group.permissions.remove(Permission.objects.get(codename="publish_content"))
    return make_staff("planner", PLAN_ADMINS)


def test_the_import_cannot_publish_without_the_permission(
    client_for, administrator_without_publishing, plan
):
    client = client_for(administrator_without_publishing)
    page = client.get(import_url(plan))
    assert page.status_code == 200 and "新しい事業を公開する" not in page.content.decode()
    text = "事業名\t事業概要\t計画期間の取組\n新しい事業\t概要です。\t事業推進\n"
    measure = PolicyNode.objects.get(plan=plan, title="自治基本条例に基づく自治の推進")
    upload = SimpleUploadedFile("t.tsv", text.encode())
    preview = client.post(import_url(plan), {"file": upload, "under": measure.pk, "publish": "on"})
    client.post(import_url(plan), {"token": preview.context["token"]})
    assert not Project.objects.get(plan=plan, name="新しい事業").is_published()
    with pytest.raises(PlanImportError) as error:
        import_plan(
            plan=plan,
            file_name="t.tsv",
            content=text.encode(),
            under=measure,
            publish=True,
            user=administrator_without_publishing,
        )
    assert "公開する権限がありません" in str(error.value)


def test_moving_a_home_that_would_publish_a_project_needs_the_permission(
    client_for, administrator_without_publishing, superuser, plan
):
    draft = PolicyNode.objects.get(plan=plan, title="分権改革の推進")
    draft.status = PublicationStatus.DRAFT
    draft.save()
    hidden = Project.objects.get(plan=plan, name="都市政策研究事業")
    assert hidden.home_node == draft and not Project.objects.published().filter(pk=hidden.pk)
    content = exported_csv_with(
        plan, "都市政策研究事業", 階層パス="Ⅶ > Ⅶ-1 > Ⅶ-1-(1) > 自治基本条例に基づく自治の推進"
    )
    client = client_for(administrator_without_publishing)
    preview = client.post(import_url(plan), {"file": SimpleUploadedFile("p.csv", content)})
    assert "市民向けページに公開されます" in preview.content.decode()
    assert "token" not in preview.context
    assert not Project.objects.published().filter(pk=hidden.pk).exists()
    import_plan(plan=plan, file_name="p.csv", content=content, user=superuser)
    assert Project.objects.published().filter(pk=hidden.pk).exists()


def test_an_importer_who_may_not_publish_imports_drafts(client, plan, make_staff):
    """The publishing rule holds for the import too: no 公開 option, a posted one ignored."""
    importer = make_staff("importer", PLAN_ADMINS)
    Group.objects.get(name=PLAN_ADMINS).permissions.remove(
        Permission.objects.get(codename="publish_content")
    )
    client.force_login(importer)
    assert "publish" not in client.get(import_url(plan)).context["form"].fields
    rows = list(csv.reader(io.StringIO(exported_csv(plan).decode("utf-8-sig"))))
    header, first = rows[0], rows[1]
    new_row = ["" for _ in header]
    for column in ("階層パス", "項目名"):
        if column in header:
            new_row[header.index(column)] = first[header.index(column)]
    new_row[header.index("事業名")] = "取り込みで作る新事業"
    buffer = io.StringIO()
    csv.writer(buffer).writerows([header, *rows[1:], new_row])
    upload = SimpleUploadedFile("plan.csv", buffer.getvalue().encode("utf-8-sig"))
    preview = client.post(import_url(plan), {"file": upload, "publish": "on"})
    assert "token" in preview.context, preview.context.get("problems")
    client.post(import_url(plan), {"token": preview.context["token"]})
    assert Project.objects.get(name="取り込みで作る新事業").status == "draft"
