"""History: every change is recorded with who and when, shown as a diff, and can be reverted."""

from django.urls import reverse

from policies import tree
from policies.models import PolicyNode
from projects.models import Project
from tests.admin_forms import form_data


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def history_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_history", args=[obj.pk])


def revert_url(obj, record):
    name = f"admin:{obj._meta.app_label}_{obj._meta.model_name}_simple_history"
    return reverse(name, args=[obj.pk, record.history_id])


def test_an_admin_edit_is_recorded_with_who_and_what_and_shown_as_a_diff(admin_client, superuser):
    project = Project.objects.get(name="幸区役所庁舎整備事業")
    data = form_data(admin_client.get(change_url(project)))
    data["summary"] = "新しい事業概要"
    assert admin_client.post(change_url(project), data).status_code == 302

    record = project.history.first()
    assert record.history_user == superuser
    assert record.summary == "新しい事業概要"
    delta = record.diff_against(record.prev_record)
    assert [change.field for change in delta.changes] == ["summary"]
    page = admin_client.get(history_url(project)).content.decode()
    assert "新しい事業概要" in page and "chief" in page


def test_inline_and_child_changes_are_recorded_too(admin_client):
    project = Project.objects.get(name="幸区役所庁舎整備事業")
    data = form_data(admin_client.get(change_url(project)))
    key = next(k for k in data if k.startswith("targets") and k.endswith("-0-text"))
    data[key] = "基本設計（修正）"
    admin_client.post(change_url(project), data)
    target = project.targets.get(text="基本設計（修正）")
    assert [r.text for r in target.history.all()[:2]] == ["基本設計（修正）", "基本設計"]


def test_reverting_restores_an_earlier_version(admin_client):
    project = Project.objects.get(name="幸区役所庁舎整備事業")
    original = project.summary
    for summary in ("一回目", "二回目"):
        data = form_data(admin_client.get(change_url(project)))
        data["summary"] = summary
        admin_client.post(change_url(project), data)
    first = project.history.filter(summary=original).earliest()
    form = form_data(admin_client.get(revert_url(project, first)))
    assert form["summary"] == original
    response = admin_client.post(revert_url(project, first), form)
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.summary == original
    assert project.history.first().summary == original  # the revert is history too


def test_reverting_a_node_to_its_old_parent_moves_it_and_keeps_the_tree_valid(admin_client):
    basic = PolicyNode.objects.get(plan__slug="kawasaki-2011", code="Ⅶ-1-(1)")
    other = PolicyNode.objects.get(plan__slug="kawasaki-2011", code="Ⅶ-1-(2)")
    node = basic.get_children().first()
    before_move = node.history.first()
    tree.move_node(node, other, "last-child")
    assert PolicyNode.objects.get(pk=node.pk).parent == other

    form = form_data(admin_client.get(revert_url(node, before_move)))
    assert form["parent"] == str(basic.pk)
    assert admin_client.post(revert_url(node, before_move), form).status_code == 302

    assert PolicyNode.objects.get(pk=node.pk).parent == basic
    assert tree.check_trees() == []


def browser_post(data: dict) -> dict:
    """What a browser sends: textareas with CRLF line endings."""
    return {
        key: value.replace("\n", "\r\n") if isinstance(value, str) else value
        for key, value in data.items()
    }


def test_saving_an_unchanged_form_records_nothing(admin_client):
    project = Project.objects.get(name="幸区役所庁舎整備事業")
    Project.objects.filter(pk=project.pk).update(summary="一行目\n二行目", baseline="現状\n課題")
    project.refresh_from_db()
    records, version = project.history.count(), project.version
    data = browser_post(form_data(admin_client.get(change_url(project))))
    assert "\r\n" in data["summary"]
    assert admin_client.post(change_url(project), data).status_code == 302
    project.refresh_from_db()
    assert (project.history.count(), project.version) == (records, version)
    assert project.summary == "一行目\n二行目"


def test_multiline_text_is_stored_with_lf_and_the_diff_shows_only_real_changes(admin_client):
    project = Project.objects.get(name="幸区役所庁舎整備事業")
    data = browser_post(form_data(admin_client.get(change_url(project))))
    data["summary"] = "新しい一行目  \r\n二行目\r\n"
    data["baseline"] = data.get("baseline", "") + "\r\n"  # the browser's trailing line end
    admin_client.post(change_url(project), data)
    project.refresh_from_db()
    assert project.summary == "新しい一行目\n二行目"
    record = project.history.first()
    assert [c.field for c in record.diff_against(record.prev_record).changes] == ["summary"]


def test_reverting_restores_the_tags_of_that_version(admin_client):
    from policies.models import SDGGoal, Ward

    project = Project.objects.get(name="幸区役所庁舎整備事業")
    wards, goals = set(project.wards.all()), set(project.sdg_goals.all())
    data = form_data(admin_client.get(change_url(project)))
    data["summary"] = "タグを変える前"
    admin_client.post(change_url(project), data)
    before = project.history.first()
    data = form_data(admin_client.get(change_url(project)))
    data["wards"] = [str(Ward.objects.get(slug="kawasaki-ku").pk)]
    data["sdg_goals"] = [str(SDGGoal.objects.get(number=11).pk)]
    admin_client.post(change_url(project), data)
    assert set(project.wards.all()) != wards

    form = form_data(admin_client.get(revert_url(project, before)))
    assert admin_client.post(revert_url(project, before), form).status_code == 302
    assert set(project.wards.all()) == wards and set(project.sdg_goals.all()) == goals


def test_history_screens_are_in_japanese(admin_client):
    project = Project.objects.get(name="幸区役所庁舎整備事業")
    history = admin_client.get(history_url(project)).content.decode()
    assert "変更した人" in history and "Changed by" not in history
    record = project.history.first()
    revert = admin_client.get(revert_url(project, record)).content.decode()
    assert "元に戻す" in revert and "Revert" not in revert


def test_a_projects_history_shows_its_parts_and_restores_a_deleted_target(admin_client):
    project = Project.objects.get(name="幸区役所庁舎整備事業")
    data = form_data(admin_client.get(change_url(project)))
    text_key = next(k for k in data if k.startswith("targets") and k.endswith("-0-text"))
    deleted_text = data[text_key]
    data[text_key.replace("-text", "-DELETE")] = "on"
    listing_key = next(k for k in data if k.startswith("listings") and k.endswith("-position"))
    data[listing_key] = "7"
    assert admin_client.post(change_url(project), data).status_code == 302
    assert not project.targets.filter(text=deleted_text).exists()

    page = admin_client.get(history_url(project))
    entries = page.context["part_history"]
    deleted = next(e for e in entries if e.record.history_type == "-")
    assert deleted.record.text == deleted_text and deleted.restorable
    moved = next(e for e in entries if e.model_name == "projectlisting" and e.changes)
    assert [(c.field, c.new) for c in moved.changes] == [("掲載順", 7)]
    assert "この行を復元する" in page.content.decode()

    restore = reverse(
        "admin:projects_project_restore_part",
        args=[project.pk, "yearlytarget", deleted.record.history_id],
    )
    assert admin_client.post(restore).status_code == 302
    assert project.targets.filter(text=deleted_text).exists()
    assert admin_client.post(restore).status_code == 302  # twice: refused, nothing doubled
    assert project.targets.filter(text=deleted_text).count() == 1


def test_reverting_to_a_publish_version_keeps_the_tags(admin_client):
    project = Project.objects.get(name="幸区役所庁舎整備事業")
    wards = set(project.wards.all())
    assert wards
    Project.objects.filter(pk=project.pk).unpublish()
    Project.objects.filter(pk=project.pk).publish()
    published = project.history.first()
    form = form_data(admin_client.get(revert_url(project, published)))
    assert admin_client.post(revert_url(project, published), form).status_code == 302
    assert set(project.wards.all()) == wards
