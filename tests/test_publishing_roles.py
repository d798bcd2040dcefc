"""Only those with the publish permission publish, by any admin form, inline or revert.

Every change and add form of the content admins (policies, projects, schedule,
consultations) is posted, inlines included, as each of the four roles, with
every 公開状態 field set to 公開. Editors get their forms saved, as drafts;
plan administrators publish.
"""

import pytest
from django.contrib import admin
from django.urls import reverse

from planportal.permissions import (
    BUREAU_EDITORS,
    PLAN_ADMINS,
    REVIEWERS,
    WARD_EDITORS,
    editable,
)
from planportal.publication import PublicationStatus
from policies.models import Bureau, Indicator, PolicyNode, Ward
from projects.models import Project, ProjectResult
from tests.admin_forms import form_data

PUBLISHED = PublicationStatus.PUBLISHED
DRAFT = PublicationStatus.DRAFT
APPS = {"policies", "projects", "schedule", "consultations"}


def is_publishable(model) -> bool:
    return hasattr(model, "is_published")


def content_admins():
    return [
        model_admin
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in APPS
    ]


def admin_url(model, action, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


def publication_states():
    """(model, pk) → status of every row citizens could be shown."""
    return {
        (model, pk): status
        for model in {m for m in admin.site._registry if is_publishable(m)}
        for pk, status in model._default_manager.values_list("pk", "status")
    }


def ask_to_publish(data) -> dict:
    """The form data with every status field (the page's and its inlines') set to 公開."""
    return {
        key: PUBLISHED if key == "status" or key.endswith("-status") else value
        for key, value in data.items()
    }


def draft_with_inlines(obj, model_admin, request) -> None:
    """Set ``obj`` and its publishable inline rows back to drafts."""
    if is_publishable(type(obj)):
        type(obj)._default_manager.filter(pk=obj.pk).update(status=DRAFT, published_at=None)
    for inline in model_admin.get_inline_instances(request, obj):
        if is_publishable(inline.model):
            fk = next(
                f.name
                for f in inline.model._meta.fields
                if f.is_relation and f.related_model is type(obj)
            )
            inline.model._default_manager.filter(**{fk: obj}).update(
                status=DRAFT, published_at=None
            )


@pytest.fixture
def roles(make_staff, db):
    """A user of each role; the editors' scope covers a project, a node, an indicator
    and a result, so that they have forms to post."""
    saiwai = Ward.objects.get(slug="saiwai-ku")
    project = Project.objects.get(name="幸区役所庁舎整備事業")
    bureau = project.bureau or Bureau.objects.create(
        municipality=project.plan.municipality, name="総務局"
    )
    project.bureau = bureau
    project.save()
    node = PolicyNode.objects.filter(plan=project.plan, level=2).first()
    node.wards.add(saiwai)
    Indicator.objects.get_or_create(node=node, name="庁舎の満足度", defaults={"unit": "%"})
    ProjectResult.objects.get_or_create(
        project=project, fiscal_year=2012, defaults={"actual": "用地を取得"}
    )
    return {
        PLAN_ADMINS: make_staff("planner", PLAN_ADMINS),
        BUREAU_EDITORS: make_staff("bureau", BUREAU_EDITORS, bureau=bureau),
        WARD_EDITORS: make_staff("ward", WARD_EDITORS, ward=saiwai),
        REVIEWERS: make_staff("reviewer", REVIEWERS),
    }


@pytest.mark.parametrize("role", [BUREAU_EDITORS, WARD_EDITORS, REVIEWERS, PLAN_ADMINS])
def test_every_admin_form_posted_as_each_role_publishes_only_with_the_permission(
    role, roles, admin_client, client_for, rf
):
    user = roles[role]
    client = client_for(user)
    request = rf.get("/")
    request.user = user
    saved_by_editor = 0
    for model_admin in content_admins():
        model = model_admin.model
        mine = editable(user, model._default_manager.all()).first()
        obj = mine or model._default_manager.first()
        if obj is None:
            continue
        draft_with_inlines(obj, model_admin, request)
        before = publication_states()
        data = ask_to_publish(form_data(admin_client.get(admin_url(model, "change", obj.pk))))
        response = client.post(admin_url(model, "change", obj.pk), data)
        after = publication_states()
        newly_published = {k for k, status in after.items() if status == PUBLISHED} - {
            k for k, status in before.items() if status == PUBLISHED
        }
        if role == PLAN_ADMINS:
            assert response.status_code == 302, (model, _errors(response))
            if is_publishable(model):
                assert (model, obj.pk) in newly_published, model
            continue
        assert not newly_published, (role, model, newly_published)
        if mine is not None and model_admin.has_change_permission(request, obj):
            assert response.status_code == 302, (
                role,
                model,
                _errors(response),
            )  # saved, as a draft
            saved_by_editor += 1
        else:
            assert response.status_code == 403, (role, model)
    if role in (BUREAU_EDITORS, WARD_EDITORS):
        assert saved_by_editor >= 2  # their forms were really posted and saved


@pytest.mark.parametrize("role", [BUREAU_EDITORS, WARD_EDITORS])
def test_an_editor_adding_a_result_on_the_project_page_cannot_publish_it(
    role, roles, admin_client, client_for
):
    project = Project.objects.get(name="幸区役所庁舎整備事業")
    data = form_data(admin_client.get(admin_url(Project, "change", project.pk)))
    total = int(data["results-TOTAL_FORMS"])
    data.update(
        {
            "results-TOTAL_FORMS": total + 1,
            f"results-{total}-fiscal_year": 2013,
            f"results-{total}-actual": "基本設計を完了",
            f"results-{total}-status": PUBLISHED,
        }
    )
    response = client_for(roles[role]).post(admin_url(Project, "change", project.pk), data)
    assert response.status_code == 302
    result = project.results.get(fiscal_year=2013)
    assert result.actual == "基本設計を完了" and result.status == DRAFT


def test_the_results_inline_offers_the_status_only_to_publishers(roles, client_for):
    project = Project.objects.get(name="幸区役所庁舎整備事業")
    for role, offered in ((BUREAU_EDITORS, False), (PLAN_ADMINS, True)):
        page = client_for(roles[role]).get(admin_url(Project, "change", project.pk))
        results = next(
            inline
            for inline in page.context["inline_admin_formsets"]
            if inline.formset.model is ProjectResult
        )
        assert ("status" in results.formset.form.base_fields) is offered


def _errors(response):
    context = response.context
    if not context or "adminform" not in context:
        return None
    return context["adminform"].form.errors, [
        inline.formset.errors for inline in context.get("inline_admin_formsets", [])
    ]


def revert_url(obj, record):
    name = f"admin:{obj._meta.app_label}_{obj._meta.model_name}_simple_history"
    return reverse(name, args=[obj.pk, record.history_id])


@pytest.mark.parametrize("role", [BUREAU_EDITORS, WARD_EDITORS])
def test_an_editors_revert_to_a_published_version_keeps_the_draft(role, roles, client_for):
    project = Project.objects.get(name="幸区役所庁舎整備事業")
    Project.objects.filter(pk=project.pk).publish()
    published = project.history.first()
    Project.objects.filter(pk=project.pk).unpublish()  # planning takes it back
    client = client_for(roles[role])
    form = form_data(client.get(revert_url(project, published)))
    response = client.post(revert_url(project, published), form)
    assert response.status_code == 302, _errors(response)
    project.refresh_from_db()
    assert (project.status, project.published_at) == (DRAFT, None)


def test_a_ward_editors_revert_of_a_node_keeps_the_draft(roles, client_for):
    node = editable(roles[WARD_EDITORS], PolicyNode.objects.all()).get()
    PolicyNode.objects.filter(pk=node.pk).publish()
    published = node.history.first()
    PolicyNode.objects.filter(pk=node.pk).unpublish()
    client = client_for(roles[WARD_EDITORS])
    form = form_data(client.get(revert_url(node, published)))
    assert client.post(revert_url(node, published), form).status_code == 302
    node.refresh_from_db()
    assert (node.status, node.published_at) == (DRAFT, None)


def test_moving_a_published_project_from_under_a_draft_into_view_is_publishing(
    roles, admin_client, client_for
):
    project = Project.objects.get(name="幸区役所庁舎整備事業")
    Project.objects.filter(pk=project.pk).publish()
    PolicyNode.objects.filter(pk=project.home_node_id).unpublish()
    assert not Project.objects.published().filter(pk=project.pk).exists()
    hidden_home = project.home_node
    visible = (
        PolicyNode.objects.published()
        .filter(plan=project.plan, level=hidden_home.level)
        .exclude(pk=hidden_home.pk)
        .first()
    )
    data = form_data(admin_client.get(admin_url(Project, "change", project.pk)))
    data["home_node"] = str(visible.pk)
    for role in (BUREAU_EDITORS, WARD_EDITORS):
        response = client_for(roles[role]).post(admin_url(Project, "change", project.pk), data)
        assert response.status_code == 200
        assert "公開する権限がないため保存していません" in response.content.decode()
        assert Project.objects.get(pk=project.pk).home_node == hidden_home
    # Planning may.
    assert admin_client.post(admin_url(Project, "change", project.pk), data).status_code == 302
    assert Project.objects.published().filter(pk=project.pk).exists()


def test_a_bureau_editor_adds_projects_only_to_their_citys_plans(roles, client_for):
    editor = roles[BUREAU_EDITORS]
    own = Project.objects.get(name="幸区役所庁舎整備事業").plan
    other_city = type(own).objects.exclude(municipality=own.municipality).first()
    client = client_for(editor)
    offered = client.get(admin_url(Project, "add")).context["adminform"].form.fields["plan"]
    assert own in offered.queryset and other_city not in offered.queryset
    empty = {
        f"{prefix}-{key}": 0
        for prefix in ("targets", "target_revisions", "results", "evaluation_values", "listings")
        for key in ("TOTAL_FORMS", "INITIAL_FORMS")
    }
    bureau = editor.staff_scope.bureau
    posted = {"name": "よその市の事業", "bureau": bureau.pk, **empty}
    response = client.post(admin_url(Project, "add"), {**posted, "plan": other_city.pk})
    assert response.status_code == 200
    assert not Project.objects.filter(name="よその市の事業").exists()
    response = client.post(admin_url(Project, "add"), {**posted, "plan": own.pk})
    assert response.status_code == 302
    assert Project.objects.get(name="よその市の事業").status == DRAFT


def as_new(page) -> dict:
    """A change form's data posted as an add form: inline rows become new rows (of
    the new object), names and target lines that must be unique change."""
    parent_keys = tuple(
        f"-{inline.formset.fk.name}" for inline in page.context["inline_admin_formsets"]
    )
    posted = {}
    for key, value in form_data(page).items():
        if key.endswith("-INITIAL_FORMS"):
            value = 0
        elif key.endswith(("-id", *parent_keys)) or key == "base_version":
            continue
        elif key in ("slug", "name", "title") or key.endswith("-name"):
            value = f"{value}-copy"
        elif key == "line":
            value = int(value) + 50
        posted[key] = value
    return posted


@pytest.mark.parametrize("role", [BUREAU_EDITORS, WARD_EDITORS, PLAN_ADMINS])
def test_every_admin_add_form_posted_as_each_role_publishes_only_with_the_permission(
    role, roles, admin_client, client_for, rf
):
    user = roles[role]
    client = client_for(user)
    request = rf.get("/")
    request.user = user
    added = 0
    for model_admin in content_admins():
        model = model_admin.model
        if not model_admin.has_add_permission(request):
            continue
        obj = editable(user, model._default_manager.all()).first()
        if obj is None:
            continue
        data = as_new(admin_client.get(admin_url(model, "change", obj.pk)))
        before = publication_states()
        response = client.post(admin_url(model, "add"), ask_to_publish(data))
        new = {k: s for k, s in publication_states().items() if k not in before}
        added += response.status_code == 302
        if role == PLAN_ADMINS:
            assert all(status == PUBLISHED for status in new.values()), model
        else:
            assert PUBLISHED not in new.values(), (role, model, new)
    assert added >= 2  # the forms were really posted and saved
