"""The staff admin: every page answers, the tree moves by drag and drop, forms save."""

import pytest
from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from policies.models import Plan, PlanLevel, PolicyNode
from projects.models import Project
from tests.admin_forms import form_data


def admin_url(model, action, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m.__name__)
def test_every_changelist_add_and_change_page_answers(admin_client, model, rf, superuser):
    assert admin_client.get(admin_url(model, "changelist")).status_code == 200
    request = rf.get("/")
    request.user = superuser
    can_add = admin.site._registry[model].has_add_permission(request)  # not for citizens' comments
    assert admin_client.get(admin_url(model, "add")).status_code == (200 if can_add else 403)
    obj = model._default_manager.order_by("pk").first()
    if obj is not None:
        assert admin_client.get(admin_url(model, "change", obj.pk)).status_code == 200


def test_project_changelist_search_and_filters(admin_client):
    url = admin_url(Project, "changelist")
    response = admin_client.get(url, {"q": "区民会議"})
    assert "区民会議運営事業" in response.content.decode()
    plan = Project.objects.first().plan
    for params in (
        {"plan__id__exact": plan.pk},
        {"each_ward__exact": "1"},
        {"wards__id__exact": plan.municipality.wards.first().pk},
        {"home_node__id__exact": Project.objects.first().home_node_id},
        {"q": "事業推進"},  # searches the yearly targets too
    ):
        assert admin_client.get(url, params).status_code == 200


def test_autocomplete_for_measures(admin_client):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "分権改革",
            "app_label": "projects",
            "model_name": "project",
            "field_name": "home_node",
        },
    )
    assert response.status_code == 200
    texts = [result["text"] for result in response.json()["results"]]
    assert texts == ["分権改革の推進 ／ 川崎市 実行計画（2011～2013年度）"]


def test_drag_and_drop_moves_a_node_within_its_plan(admin_client):
    basic = PolicyNode.objects.get(plan__slug="kawasaki-2011", code="Ⅶ-1-(1)")
    first, second = list(basic.get_children())[:2]
    response = admin_client.post(
        admin_url(PolicyNode, "changelist"),
        {"cmd": "move_node", "cut_item": second.pk, "pasted_on": first.pk, "position": "left"},
    )
    assert response.content == b"OK, moved."
    assert [n.pk for n in PolicyNode.objects.get(pk=basic.pk).get_children()][:2] == [
        second.pk,
        first.pk,
    ]


def test_drag_and_drop_refuses_another_plans_node(admin_client):
    node = PolicyNode.objects.filter(plan__slug="kawasaki-2011").first()
    foreign = PolicyNode.objects.filter(plan__slug="zushi").first()
    response = admin_client.post(
        admin_url(PolicyNode, "changelist"),
        {
            "cmd": "move_node",
            "cut_item": node.pk,
            "pasted_on": foreign.pk,
            "position": "last-child",
        },
    )
    assert response.content.startswith(b"FAIL")
    assert PolicyNode.objects.get(pk=node.pk).plan.slug == "kawasaki-2011"


def test_project_saves_with_inline_yearly_targets(admin_client):
    project = Project.objects.get(name="幸区役所庁舎整備事業")
    url = admin_url(Project, "change", project.pk)
    data = form_data(admin_client.get(url))
    target_prefix = next(k for k in data if k.endswith("-0-text") and k.startswith("targets"))
    data[target_prefix] = "基本設計（変更）"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    assert project.targets.get(fiscal_year=2011).text == "基本設計（変更）"


def test_a_target_outside_the_plan_period_is_refused(admin_client):
    project = Project.objects.get(name="幸区役所庁舎整備事業")
    url = admin_url(Project, "change", project.pk)
    data = form_data(admin_client.get(url))
    target_prefix = next(
        k for k in data if k.endswith("-0-fiscal_year") and k.startswith("targets")
    )
    data[target_prefix] = "2030"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "年度は計画期間" in response.content.decode()
    assert project.targets.get(line=0, fiscal_year=2011).text == "基本設計"


def level_choices(response):
    field = response.context["adminform"].form.fields["level_label"]
    return [label for value, label in field.choices if value]


def test_the_level_drop_down_offers_the_nodes_plan_only(admin_client):
    node = PolicyNode.objects.filter(plan__slug="kawasaki-2011", level=1).first()
    own = list(node.plan.levels.values_list("name", flat=True))
    other = Plan.objects.get(slug="kawasaki-community")
    assert level_choices(admin_client.get(admin_url(PolicyNode, "change", node.pk))) == own
    # Adding under a node: its plan is preselected and only its levels offered.
    add = admin_client.get(admin_url(PolicyNode, "add"), {"parent": node.pk})
    assert add.context["adminform"].form["plan"].value() == node.plan_id
    assert level_choices(add) == own
    add = admin_client.get(admin_url(PolicyNode, "add"), {"plan": other.pk})
    assert level_choices(add) == list(other.levels.values_list("name", flat=True))
    # With no plan named yet, each level says whose it is.
    choices = level_choices(admin_client.get(admin_url(PolicyNode, "add")))
    assert f"{own[0]}（{node.plan.title}）" in choices
    assert len(choices) == PlanLevel.objects.count()
    for params in ({"plan": "²"}, {"parent": "①"}, {"plan": "999999"}):
        assert admin_client.get(admin_url(PolicyNode, "add"), params).status_code == 200


def test_a_node_page_links_to_adding_a_node_under_it(admin_client):
    node = PolicyNode.objects.filter(plan__slug="kawasaki-2011", level=1).first()
    page = admin_client.get(admin_url(PolicyNode, "change", node.pk)).content.decode()
    assert f'{admin_url(PolicyNode, "add")}?parent={node.pk}"' in page


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m.__name__)
def test_malformed_filters_and_history_ids_are_refused_not_a_server_error(admin_client, model):
    changelist = admin_url(model, "changelist")
    assert admin_client.get(changelist, {"pk__regex": "("}).status_code == 400
    assert admin_client.get(changelist, {"pk__iregex": "a"}).status_code == 400
    if not isinstance(admin.site._registry[model], SimpleHistoryAdmin):
        return
    obj = model._default_manager.order_by("pk").first()
    urls = [f"{changelist}abc/history/", f"{changelist}²/history/"]
    if obj is not None:
        urls += [f"{changelist}{obj.pk}/history/abc/", f"{changelist}{obj.pk}/history/①/"]
    for url in urls:
        assert admin_client.get(url).status_code == 404, url
