"""Roles and scopes: every admin route refuses what a staff user's scope does not cover.

The scoped users post directly to change, delete, action, history-revert,
move and add URLs, as a hand-made request would, and nothing changes.
"""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from planportal.permissions import (
    BUREAU_EDITORS,
    PLAN_ADMINS,
    REVIEWERS,
    WARD_EDITORS,
    sync_role_groups,
)
from planportal.publication import PublicationStatus
from policies.models import Bureau, Division, Plan, PolicyNode, Ward
from projects.models import Project, ProjectListing, YearlyTarget
from tests.admin_forms import form_data


def url(model, action, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.fixture
def saiwai(db):
    return Ward.objects.get(slug="saiwai-ku")


@pytest.fixture
def saiwai_project(db):
    return Project.objects.get(name="幸区役所庁舎整備事業")  # tagged 幸区


@pytest.fixture
def other_wards_project(db):
    return Project.objects.get(name="区役所等庁舎整備事業")  # tagged 川崎区 and 宮前区


@pytest.fixture
def ward_editor(make_staff, saiwai):
    return make_staff("saiwai-editor", WARD_EDITORS, ward=saiwai)


def edit_post(admin_client, client, project, **changes):
    """POST the project's change form, as rendered for an administrator, with ``changes``."""
    data = form_data(admin_client.get(url(Project, "change", project.pk)))
    data.update(changes)
    return client.post(url(Project, "change", project.pk), data)


def test_the_four_groups_and_their_permissions(db):
    sync_role_groups()
    sync_role_groups()  # idempotent
    groups = {group.name: group for group in Group.objects.all()}
    assert {PLAN_ADMINS, BUREAU_EDITORS, WARD_EDITORS, REVIEWERS} <= set(groups)
    reviewer = {p.codename for p in groups[REVIEWERS].permissions.all()}
    assert reviewer and all(codename.startswith("view_") for codename in reviewer)
    assert "view_project" in reviewer
    admin = {p.codename for p in groups[PLAN_ADMINS].permissions.all()}
    assert {"change_policynode", "delete_project", "publish_content"} <= admin
    ward = {p.codename for p in groups[WARD_EDITORS].permissions.all()}
    assert "change_policynode" in ward and "publish_content" not in ward
    bureau = {p.codename for p in groups[BUREAU_EDITORS].permissions.all()}
    assert "change_project" in bureau and "change_policynode" not in bureau


def test_a_ward_editor_changes_a_project_of_their_ward(
    admin_client, client_for, ward_editor, saiwai_project
):
    client = client_for(ward_editor)
    page = client.get(url(Project, "change", saiwai_project.pk))
    assert page.context["has_change_permission"]
    response = edit_post(admin_client, client, saiwai_project, summary="幸区の更新")
    assert response.status_code == 302
    assert Project.objects.get(pk=saiwai_project.pk).summary == "幸区の更新"


def test_a_ward_editor_changes_the_each_ward_projects_of_their_city(
    admin_client, client_for, ward_editor
):
    each_ward = Project.objects.filter(each_ward=True, plan__slug="kawasaki-2011").first()
    response = edit_post(admin_client, client_for(ward_editor), each_ward, summary="各区の更新")
    assert response.status_code == 302
    assert Project.objects.get(pk=each_ward.pk).summary == "各区の更新"


def test_a_scoped_editor_can_list_just_what_they_may_change(
    client_for, ward_editor, saiwai, saiwai_project, other_wards_project
):
    response = client_for(ward_editor).get(url(Project, "changelist"), {"in_scope": "yes"})
    listed = list(response.context["cl"].result_list)
    assert saiwai_project in listed and other_wards_project not in listed
    assert all(project.each_ward or saiwai in project.wards.all() for project in listed)


def test_a_ward_editor_cannot_change_another_wards_project_by_any_route(
    admin_client, client_for, ward_editor, other_wards_project
):
    project = other_wards_project
    before = Project.objects.get(pk=project.pk)
    target = project.targets.first()
    client = client_for(ward_editor)

    # The change form is read-only, and a direct POST is refused.
    assert not client.get(url(Project, "change", project.pk)).context["has_change_permission"]
    assert edit_post(admin_client, client, project, summary="乗っ取り").status_code == 403
    # Delete, history revert, and the standalone target and listing forms.
    assert client.post(url(Project, "delete", project.pk), {"post": "yes"}).status_code == 403
    record = project.history.earliest()
    revert = client.post(
        reverse("admin:projects_project_simple_history", args=[project.pk, record.history_id]),
        form_data(admin_client.get(url(Project, "change", project.pk))),
    )
    assert revert.status_code == 403
    target_form = form_data(admin_client.get(url(YearlyTarget, "change", target.pk)))
    target_form["text"] = "乗っ取り"
    assert client.post(url(YearlyTarget, "change", target.pk), target_form).status_code == 403
    added = client.post(
        url(YearlyTarget, "add"),
        {"project": project.pk, "line": 5, "fiscal_year": 2012, "text": "乗っ取り"},
    )
    assert "担当範囲（幸区）の外" in added.content.decode()  # shown again, with why
    relisted = client.post(
        url(ProjectListing, "add"),
        {
            "project": project.pk,
            "node": project.plan.nodes.exclude(listings__project=project).first().pk,
            "position": 9,
        },
    )
    assert "担当範囲（幸区）の外" in relisted.content.decode()
    # Bulk actions on the targets' changelist refuse the whole selection.
    client.post(
        url(YearlyTarget, "changelist"),
        {"action": "delete_selected", "_selected_action": [target.pk], "post": "yes"},
    )

    after = Project.objects.get(pk=project.pk)
    assert (after.summary, after.version) == (before.summary, before.version)
    assert YearlyTarget.objects.get(pk=target.pk).text == target.text
    assert not project.targets.filter(text="乗っ取り").exists()
    assert not project.listings.filter(position=9).exists()


def test_a_ward_editor_cannot_hand_their_project_to_another_ward(
    admin_client, client_for, ward_editor, saiwai_project, saiwai
):
    kawasaki_ku = Ward.objects.get(slug="kawasaki-ku")
    response = edit_post(
        admin_client, client_for(ward_editor), saiwai_project, wards=[str(kawasaki_ku.pk)]
    )
    assert response.status_code == 302  # the scope fields are read-only: ignored
    assert list(saiwai_project.wards.all()) == [saiwai]


def test_a_ward_editor_adding_a_project_outside_their_ward_gets_the_form_back_with_why(
    client_for, ward_editor
):
    plan = Plan.objects.get(slug="kawasaki-2011")
    kawasaki_ku = Ward.objects.get(slug="kawasaki-ku")
    response = client_for(ward_editor).post(
        url(Project, "add"),
        {
            "plan": plan.pk,
            "name": "よその区の新事業",
            "summary": "入力した事業概要",
            "wards": [kawasaki_ku.pk],
            "targets-TOTAL_FORMS": 1,
            "targets-INITIAL_FORMS": 0,
            "target_revisions-TOTAL_FORMS": 0,
            "target_revisions-INITIAL_FORMS": 0,
            "targets-0-line": 0,
            "targets-0-fiscal_year": 2012,
            "targets-0-text": "入力した目標",
            "listings-TOTAL_FORMS": 0,
            "listings-INITIAL_FORMS": 0,
            "results-TOTAL_FORMS": 0,
            "results-INITIAL_FORMS": 0,
            "evaluation_values-TOTAL_FORMS": 0,
            "evaluation_values-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "担当範囲（幸区）の外になるため保存していません" in page
    assert "入力した事業概要" in page and "入力した目標" in page  # nothing typed is lost
    assert not Project.objects.filter(name="よその区の新事業").exists()


def test_autocomplete_offers_a_scoped_editor_only_their_projects_as_owners(
    client_for, ward_editor, saiwai_project, other_wards_project
):
    response = client_for(ward_editor).get(
        reverse("admin:autocomplete"),
        {
            "term": "庁舎",
            "app_label": "projects",
            "model_name": "yearlytarget",
            "field_name": "project",
        },
    )
    ids = {int(result["id"]) for result in response.json()["results"]}
    assert saiwai_project.pk in ids
    assert other_wards_project.pk not in ids


def test_only_administrators_move_nodes(client_for, ward_editor, make_staff):
    basic = PolicyNode.objects.get(plan__slug="kawasaki-2011", code="Ⅶ-1-(1)")
    first, second = list(basic.get_children())[:2]
    move = {"cmd": "move_node", "cut_item": second.pk, "pasted_on": first.pk, "position": "left"}
    refused = client_for(ward_editor).post(url(PolicyNode, "changelist"), move)
    assert refused.status_code == 403
    assert [n.pk for n in basic.get_children()][:2] == [first.pk, second.pk]
    administrator = make_staff("planner", PLAN_ADMINS)
    moved = client_for(administrator).post(url(PolicyNode, "changelist"), move)
    assert moved.content == b"OK, moved."


def test_a_ward_editor_edits_only_nodes_tagged_with_their_ward(
    admin_client, client_for, ward_editor, saiwai
):
    mine, other = PolicyNode.objects.filter(plan__slug="kawasaki-2011", level=2)[:2]
    mine.wards.add(saiwai)
    client = client_for(ward_editor)
    for node, expected in ((mine, 302), (other, 403)):
        data = form_data(admin_client.get(url(PolicyNode, "change", node.pk)))
        data["title"] = node.title + "（改）"
        assert client.post(url(PolicyNode, "change", node.pk), data).status_code == expected
    assert PolicyNode.objects.get(pk=mine.pk).title.endswith("（改）")
    assert not PolicyNode.objects.get(pk=other.pk).title.endswith("（改）")


@pytest.fixture
def bureau_projects(make_plan):
    """Two sections of one bureau, and a project each, plus one of another bureau."""
    plan = make_plan("bureau-plan")
    municipality = plan.municipality
    roads = Bureau.objects.create(municipality=municipality, name="建設局")
    planning = Division.objects.create(bureau=roads, name="企画課")
    maintenance = Division.objects.create(bureau=roads, name="維持課")
    parks = Bureau.objects.create(municipality=municipality, name="環境局")
    projects = {
        "planning": Project.objects.create(
            plan=plan, name="道路計画", bureau=roads, division=planning
        ),
        "maintenance": Project.objects.create(
            plan=plan, name="道路維持", bureau=roads, division=maintenance
        ),
        "parks": Project.objects.create(plan=plan, name="公園整備", bureau=parks),
    }
    return roads, planning, projects


def test_bureau_and_section_editors_change_only_their_projects(
    admin_client, client_for, make_staff, bureau_projects
):
    roads, planning, projects = bureau_projects
    bureau_editor = make_staff("roads", BUREAU_EDITORS, bureau=roads)
    section_editor = make_staff("roads-planning", BUREAU_EDITORS, bureau=roads, division=planning)
    expectations = {
        bureau_editor: {"planning": 302, "maintenance": 302, "parks": 403},
        section_editor: {"planning": 302, "maintenance": 403, "parks": 403},
    }
    for user, expected in expectations.items():
        client = client_for(user)
        for key, status in expected.items():
            response = edit_post(admin_client, client, projects[key], summary=f"{user} edit")
            assert response.status_code == status, (user, key)
    assert Project.objects.get(pk=projects["parks"].pk).summary == ""
    assert Project.objects.get(pk=projects["maintenance"].pk).summary == "roads edit"


def test_reviewers_only_look(admin_client, client_for, make_staff, saiwai_project):
    reviewer = make_staff("reviewer", REVIEWERS)
    client = client_for(reviewer)
    page = client.get(url(Project, "change", saiwai_project.pk))
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert edit_post(admin_client, client, saiwai_project, summary="x").status_code == 403
    assert client.get(url(Project, "history", saiwai_project.pk)).status_code == 200
    assert Project.objects.get(pk=saiwai_project.pk).summary != "x"


def test_editors_cannot_publish(admin_client, client_for, ward_editor, saiwai_project):
    Project.objects.filter(pk=saiwai_project.pk).update(status=PublicationStatus.DRAFT)
    client = client_for(ward_editor)
    # The status field is read-only for them: a posted status is ignored.
    edit_post(admin_client, client, saiwai_project, status=PublicationStatus.PUBLISHED)
    # And the publish action is not theirs.
    client.post(
        url(Project, "changelist"),
        {"action": "publish_selected", "_selected_action": [saiwai_project.pk]},
    )
    assert Project.objects.get(pk=saiwai_project.pk).status == PublicationStatus.DRAFT


def test_what_will_be_refused_is_not_offered(
    client_for, make_staff, ward_editor, saiwai, saiwai_project
):
    """No import link for editors (the import is planning's), no drag handles for those
    who may not move nodes."""
    plan = saiwai_project.plan
    node = PolicyNode.objects.filter(plan=plan, level=2).first()
    node.wards.add(saiwai)
    bureau_editor = make_staff("bureau", BUREAU_EDITORS, bureau=Bureau.objects.first())
    administrator = make_staff("planner", PLAN_ADMINS)
    import_url = reverse("admin:policies_plan_import", args=[plan.pk])
    for user, offered in ((bureau_editor, False), (ward_editor, False), (administrator, True)):
        client = client_for(user)
        for page in (url(Plan, "change", plan.pk), url(PolicyNode, "change", node.pk)):
            assert (import_url in client.get(page).content.decode()) is offered, (user, page)
        tree = client.get(url(PolicyNode, "changelist"), {"plan__id__exact": plan.pk})
        assert ('class="drag-handle"' in tree.content.decode()) is offered, user
        assert 'class="tree-node"' in tree.content.decode()  # expand/collapse stays
