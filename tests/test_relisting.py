"""再掲 (listed again) is a link to the same project, never a copy."""

from django.test.utils import override_script_prefix

from policies.models import Plan, PolicyNode
from projects.models import Project
from projects.services import PlacedRow, apply_table_rows
from projects.table_format import parse_tables

HEADER = "事業名\t現状\t事業内容・目標\t\t\t\n\t\t2022年度\t2023年度\t2024年度\t2025年度以降\n"


def test_relisted_seed_projects_are_single_projects(db):
    plan = Plan.objects.get(slug="kawasaki-2011")
    project = Project.objects.get(plan=plan, name="地域コミュニティ推進事業")
    nodes = [listing.node.title for listing in project.listings.select_related("node")]
    assert sorted(nodes) == sorted(
        [
            "地域コミュニティ施策の推進",
            "区における地域のまちづくりの推進",
            "区における市民活動支援の推進",
        ]
    )
    assert project.home_node.title == "地域コミュニティ施策の推進"
    assert sum(not listing.is_relisting for listing in project.listings.all()) == 1
    # Each (各区) project is one project, distinct from its city-wide namesake.
    assert Project.objects.filter(plan=plan, name="区民会議運営事業").count() == 2


def test_a_relisting_row_links_the_existing_project(make_plan):
    from policies import tree

    plan = make_plan("relist-plan", start=2022, end=2024)
    home = tree.create_node(plan=plan, title="施策A")
    other = tree.create_node(plan=plan, title="施策B")
    (table,) = parse_tables(HEADER + "事業X 概要です。\t現状\t取組\t→\t\t事業推進\n")
    (relisted,) = parse_tables(HEADER + "事業X(再掲) 別の説明。\t別の現状\t別の取組\t\t\t\n")
    apply_table_rows(plan, [PlacedRow(home, table.rows[0]), PlacedRow(other, relisted.rows[0])])
    project = Project.objects.get(plan=plan)
    assert project.home_node == home
    assert project.summary == "概要です。"  # the 再掲 row does not overwrite the home
    assert [listing.node for listing in project.listings.all()] == [home, other]
    assert [t.text for t in project.targets.all()] == ["取組", "→", "事業推進"]
    # Applying the same rows again changes nothing and creates nothing.
    result = apply_table_rows(
        plan, [PlacedRow(home, table.rows[0]), PlacedRow(other, relisted.rows[0])]
    )
    assert result.created == [] and result.updated == [] and result.listings_added == 0
    assert Project.objects.filter(plan=plan).count() == 1


def test_a_relisting_whose_home_is_elsewhere_keeps_the_project_and_says_so(make_plan):
    from policies import tree

    plan = make_plan("outside-plan", start=2022, end=2024)
    node = tree.create_node(plan=plan, title="施策A")
    (table,) = parse_tables("事業名\t事業概要\t計画期間の取組\n事業Y(再掲)\t概要。\t事業推進\n")
    apply_table_rows(plan, [PlacedRow(node, table.rows[0])], home_note="本来の施策は範囲外です。")
    project = Project.objects.get(plan=plan)
    assert project.home_node is None
    assert project.home_note == "本来の施策は範囲外です。"
    assert project.listings.get().is_relisting


def _admin_url(model, action, *args):
    from django.urls import reverse

    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{action}", args=args)


NO_INLINES = {
    f"{prefix}-{key}": 0
    for prefix in ("targets", "target_revisions", "results", "evaluation_values", "listings")
    for key in ("TOTAL_FORMS", "INITIAL_FORMS")
}


def test_the_home_listing_follows_the_home_measure(admin_client, make_plan):
    from policies import tree

    plan = make_plan("home-plan")
    home, other = (
        tree.create_node(plan=plan, title="施策A"),
        tree.create_node(plan=plan, title="施策B"),
    )
    earlier = Project.objects.create(plan=plan, name="先の事業", home_node=other)
    earlier.listings.create(node=other, position=0)
    posted = {"plan": plan.pk, "name": "新しい事業", "home_node": home.pk, "status": "draft"}
    posted.update(NO_INLINES)
    response = admin_client.post(_admin_url(Project, "add"), posted)
    assert response.status_code == 302, response.context["adminform"].form.errors
    project = Project.objects.get(name="新しい事業")
    assert [listing.node for listing in project.listings.all()] == [home]  # listed under its home

    from tests.admin_forms import form_data

    data = form_data(admin_client.get(_admin_url(Project, "change", project.pk)))
    data["home_node"] = other.pk
    assert admin_client.post(_admin_url(Project, "change", project.pk), data).status_code == 302
    project.refresh_from_db()
    (listing,) = project.listings.all()  # moved, not a second listing
    assert listing.node == other and not listing.is_relisting
    assert [item.project for item in other.listings.order_by("position")] == [earlier, project]


def test_a_relisting_added_in_the_admin_goes_last(admin_client):
    from tests.admin_forms import form_data

    project = Project.objects.get(name="幸区役所庁舎整備事業")
    measure = (
        project.plan.nodes.filter(listings__isnull=False).exclude(listings__project=project).first()
    )
    already = list(measure.listings.order_by("position", "pk"))
    data = form_data(admin_client.get(_admin_url(Project, "change", project.pk)))
    total = int(data["listings-TOTAL_FORMS"])
    data.update({"listings-TOTAL_FORMS": total + 1, f"listings-{total}-node": measure.pk})
    assert admin_client.post(_admin_url(Project, "change", project.pk), data).status_code == 302
    assert list(measure.listings.order_by("position", "pk"))[:-1] == already
    assert measure.listings.order_by("position", "pk").last().project == project


@override_script_prefix("/portal/")
def test_a_node_page_links_its_listings_under_the_script_name_and_language(db, client):
    """A page's listings put their pks into one reversed URL: it keeps both prefixes."""
    node = PolicyNode.objects.get(
        plan__slug="kawasaki-2011", title="区における地域のまちづくりの推進"
    )
    project = Project.objects.get(plan=node.plan, name="地域コミュニティ推進事業")
    html = client.get(f"/en/plans/kawasaki-2011/nodes/{node.pk}/").content.decode()
    plan_path = "/portal/en/plans/kawasaki-2011"
    assert f'<a href="{plan_path}/projects/{project.pk}/">' in html
    assert f'<a href="{plan_path}/nodes/{project.home_node_id}/">' in html  # 本来の施策
