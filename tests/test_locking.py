"""No lost edits: a save based on an outdated version is refused, and kept."""

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client
from django.urls import reverse

from planportal.permissions import PLAN_ADMINS
from policies import tree
from policies.models import EditConflict, PolicyNode
from projects.models import Project, ProjectResult, YearlyTarget
from tests.admin_forms import form_data


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


@pytest.fixture
def project(db):
    return Project.objects.get(name="幸区役所庁舎整備事業")


@pytest.fixture
def second_admin(make_staff, client_for):
    return client_for(make_staff("second", PLAN_ADMINS))


def test_the_second_of_two_saves_is_refused_with_what_changed_and_kept(
    admin_client, second_admin, project
):
    first_form = form_data(admin_client.get(change_url(project)))
    second_form = form_data(second_admin.get(change_url(project)))

    first_form["summary"] = "最初の人の変更"
    assert admin_client.post(change_url(project), first_form).status_code == 302

    second_form["baseline"] = "二人目の変更"
    response = second_admin.post(change_url(project), second_form)

    assert response.status_code == 200
    page = response.content.decode()
    assert "あなたの変更は保存していません" in page
    assert "chief" in page and "事業概要" in page  # who saved first, and what changed
    project.refresh_from_db()
    assert project.summary == "最初の人の変更"
    assert project.baseline != "二人目の変更"
    conflict = EditConflict.objects.get(object_id=str(project.pk))
    assert conflict.submitted["baseline"] == "二人目の変更"
    assert conflict.user.username == "second"
    assert "事業概要" in conflict.changed_fields
    # The refused input stays readable in the admin.
    kept = second_admin.get(reverse("admin:policies_editconflict_change", args=[conflict.pk]))
    assert "二人目の変更" in kept.content.decode()


def test_after_reopening_the_latest_version_the_save_goes_through(
    admin_client, second_admin, project
):
    stale = form_data(second_admin.get(change_url(project)))
    first = form_data(admin_client.get(change_url(project)))
    first["summary"] = "最初の人の変更"
    admin_client.post(change_url(project), first)
    stale["baseline"] = "二人目の変更"
    assert second_admin.post(change_url(project), stale).status_code == 200
    fresh = form_data(second_admin.get(change_url(project)))
    fresh["baseline"] = "二人目の変更"
    assert second_admin.post(change_url(project), fresh).status_code == 302
    project.refresh_from_db()
    assert (project.summary, project.baseline) == ("最初の人の変更", "二人目の変更")


def test_a_form_without_its_version_is_refused(admin_client, project):
    data = form_data(admin_client.get(change_url(project)))
    del data["base_version"]
    data["summary"] = "版なし"
    assert admin_client.post(change_url(project), data).status_code == 200
    assert Project.objects.get(pk=project.pk).summary != "版なし"


def test_a_change_to_a_yearly_target_elsewhere_outdates_the_project_form(
    admin_client, second_admin, project
):
    stale = form_data(admin_client.get(change_url(project)))
    target = project.targets.first()
    target_form = form_data(second_admin.get(change_url(target)))
    target_form["text"] = "別画面での変更"
    assert second_admin.post(change_url(target), target_form).status_code == 302
    assert admin_client.post(change_url(project), stale).status_code == 200
    assert YearlyTarget.objects.get(pk=target.pk).text == "別画面での変更"


def test_a_result_recorded_elsewhere_outdates_the_project_form(admin_client, second_admin, project):
    """Results are an inline of the project form: a stale form must not overwrite them."""
    stale = form_data(admin_client.get(change_url(project)))
    ProjectResult.objects.create(project=project, fiscal_year=2011, actual="別画面で入力した実績")
    assert admin_client.post(change_url(project), stale).status_code == 200
    assert project.results.get().actual == "別画面で入力した実績"


def test_publishing_outdates_open_forms(admin_client, project):
    stale = form_data(admin_client.get(change_url(project)))
    Project.objects.filter(pk=project.pk).unpublish()
    assert admin_client.post(change_url(project), stale).status_code == 200
    assert Project.objects.get(pk=project.pk).status == "draft"


def test_a_drag_and_drop_move_outdates_the_nodes_open_form(admin_client, second_admin):
    basic = PolicyNode.objects.get(plan__slug="kawasaki-2011", code="Ⅶ-1-(1)")
    first, second = list(basic.get_children())[:2]
    stale = form_data(admin_client.get(change_url(second)))
    second_admin.post(
        reverse("admin:policies_policynode_changelist"),
        {"cmd": "move_node", "cut_item": second.pk, "pasted_on": first.pk, "position": "left"},
    )
    stale["title"] = second.title + "（古い画面から）"
    assert admin_client.post(change_url(second), stale).status_code == 200
    assert PolicyNode.objects.get(pk=second.pk).title == second.title
    assert [n.pk for n in basic.get_children()][:2] == [second.pk, first.pk]


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite has one writer at a time (IMMEDIATE transactions): nothing runs concurrently",
)


def run_together(functions):
    """Run the functions in threads, each with its own database connection, all at once."""
    barrier = threading.Barrier(len(functions))
    results, errors = [None] * len(functions), []

    def run(index, function):
        from django.db import connections

        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:  # reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    return results


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_of_one_version_let_exactly_one_through(make_plan):
    plan = make_plan("race-plan")
    project = Project.objects.create(plan=plan, name="競合する事業")
    users = [
        get_user_model().objects.create_superuser(name, f"{name}@example.org", None)
        for name in ("left", "right")
    ]
    clients, forms = [], []
    for user in users:
        staff_client = Client()
        staff_client.force_login(user)
        forms.append(form_data(staff_client.get(change_url(project))))
        clients.append(staff_client)
    for name, form in zip(("左", "右"), forms, strict=True):
        form["summary"] = name

    statuses = run_together(
        [
            lambda c=c, f=f: c.post(change_url(project), f).status_code
            for c, f in zip(clients, forms, strict=True)
        ]
    )

    assert sorted(statuses) == [200, 302]
    assert EditConflict.objects.count() == 1
    assert Project.objects.get(pk=project.pk).summary in {"左", "右"}


@postgresql_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_tree_moves_leave_the_tree_valid(make_plan):
    plan = make_plan("move-race")
    roots = [tree.create_node(plan=plan, title=f"根{i}") for i in range(3)]
    leaves = [tree.create_node(plan=plan, parent=roots[i % 3], title=f"葉{i}") for i in range(12)]

    def mover(offset):
        def moves():
            for step in range(8):
                node = leaves[(offset + step * 5) % len(leaves)]
                target = roots[(offset + step) % 3] if step % 2 else leaves[(offset + step) % 12]
                if target.pk != node.pk:
                    try:
                        tree.move_node(PolicyNode.objects.get(pk=node.pk), target, "last-child")
                    except Exception as error:  # a move under its own descendant is refused
                        if "InvalidMove" not in type(error).__name__:
                            raise
            return True

        return moves

    assert run_together([mover(offset) for offset in range(4)]) == [True] * 4
    assert tree.check_trees() == []
    assert PolicyNode.objects.filter(plan=plan).count() == 15


def test_a_refused_edit_is_shown_field_by_field_and_can_be_reapplied(
    admin_client, second_admin, project
):
    stale = form_data(second_admin.get(change_url(project)))
    first = form_data(admin_client.get(change_url(project)))
    first["summary"] = "最初の人の変更"
    admin_client.post(change_url(project), first)
    stale["baseline"] = "二人目の変更"
    assert second_admin.post(change_url(project), stale).status_code == 200
    conflict = EditConflict.objects.get(object_id=str(project.pk))

    page = second_admin.get(reverse("admin:policies_editconflict_change", args=[conflict.pk]))
    rows = {row.label: row for row in page.context["refused_fields"]}
    assert set(rows) == {"現状", "事業概要"}  # labels, only where they differ
    assert rows["現状"].edited and rows["現状"].refused == "二人目の変更"
    assert not rows["事業概要"].edited and rows["事業概要"].stored == "最初の人の変更"
    assert "targets-TOTAL_FORMS" not in page.content.decode()  # no raw form keys

    reapply = reverse("admin:policies_editconflict_reapply", args=[conflict.pk])
    outdated = second_admin.post(reapply, {"version": page.context["current_version"] - 1})
    assert outdated.status_code == 302
    project.refresh_from_db()
    assert project.baseline != "二人目の変更"
    assert (
        second_admin.post(reapply, {"version": page.context["current_version"]}).status_code == 302
    )
    project.refresh_from_db()
    assert (project.summary, project.baseline) == ("最初の人の変更", "二人目の変更")
