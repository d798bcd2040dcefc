"""The plan tree: printed order, moves, descendants with their projects, integrity."""

from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from mptt.exceptions import InvalidMove

from policies import tree
from policies.models import PolicyNode
from projects.models import Project, ProjectListing


@pytest.fixture
def plan_tree(make_plan):
    """基本政策 A → 政策 A-1 (施策 x, y), A-2 (施策 z)."""
    plan = make_plan("tree-plan")
    levels = {level.depth: level for level in plan.levels.all()}
    a = tree.create_node(plan=plan, code="A", title="基本政策A", level_label=levels[0])
    a1 = tree.create_node(plan=plan, parent=a, code="A-1", title="政策1", level_label=levels[1])
    a2 = tree.create_node(plan=plan, parent=a, code="A-2", title="政策2", level_label=levels[1])
    x = tree.create_node(plan=plan, parent=a1, title="施策x", level_label=levels[2])
    y = tree.create_node(plan=plan, parent=a1, title="施策y", level_label=levels[2])
    z = tree.create_node(plan=plan, parent=a2, title="施策z", level_label=levels[2])
    return plan, {n.title: n for n in (a, a1, a2, x, y, z)}


def titles(nodes):
    return [node.title for node in nodes]


def refreshed(node):
    return PolicyNode.objects.get(pk=node.pk)


def test_siblings_keep_insertion_order(plan_tree):
    _, n = plan_tree
    assert titles(refreshed(n["基本政策A"]).get_children()) == ["政策1", "政策2"]
    assert titles(refreshed(n["政策1"]).get_children()) == ["施策x", "施策y"]


def test_move_reorders_and_reparents(plan_tree):
    _, n = plan_tree
    tree.move_node(n["施策y"], n["施策x"], "left")
    assert titles(refreshed(n["政策1"]).get_children()) == ["施策y", "施策x"]
    tree.move_node(n["施策x"], n["政策2"], "first-child")
    assert titles(refreshed(n["政策2"]).get_children()) == ["施策x", "施策z"]
    assert titles(refreshed(n["政策1"]).get_children()) == ["施策y"]
    assert tree.check_trees() == []


def test_descendants_include_projects_listed_anywhere_below(plan_tree):
    plan, n = plan_tree
    home = Project.objects.create(plan=plan, name="事業1", home_node=n["施策x"])
    ProjectListing.objects.create(project=home, node=n["施策x"])
    ProjectListing.objects.create(project=home, node=n["施策z"])  # 再掲 under the other policy
    other = Project.objects.create(plan=plan, name="事業2", home_node=n["施策z"])
    ProjectListing.objects.create(project=other, node=n["施策z"])
    a = refreshed(n["基本政策A"])
    assert titles(a.get_descendants()) == ["政策1", "施策x", "施策y", "政策2", "施策z"]
    assert set(Project.objects.under(a)) == {home, other}
    assert Project.objects.under(a).count() == 2  # listed twice, counted once
    assert list(Project.objects.under(refreshed(n["政策1"]))) == [home]
    assert set(Project.objects.under(refreshed(n["政策2"]))) == {home, other}


def test_moves_stay_inside_one_plan(plan_tree, make_plan):
    _, n = plan_tree
    other = make_plan("other-plan")
    foreign = tree.create_node(plan=other, title="他計画の項目")
    with pytest.raises(InvalidMove):
        tree.move_node(n["施策x"], foreign, "first-child")
    with pytest.raises(InvalidMove):
        tree.move_node(n["施策x"], n["施策y"], "sideways")


def test_a_parent_from_another_plan_is_rejected(plan_tree, make_plan):
    _, n = plan_tree
    other = make_plan("other-plan")
    with pytest.raises(ValidationError):
        tree.create_node(plan=other, parent=n["政策1"], title="混線")


def test_sibling_codes_and_uncoded_titles_are_unique(plan_tree):
    plan, n = plan_tree
    with pytest.raises(ValidationError):
        tree.create_node(plan=plan, parent=n["基本政策A"], code="A-1", title="別名")
    with pytest.raises(ValidationError):
        tree.create_node(plan=plan, parent=n["政策1"], title="施策x")
    # The same code under another parent is fine: "(1)" repeats in outlines.
    tree.create_node(plan=plan, parent=n["施策x"], code="(1)", title="一")
    tree.create_node(plan=plan, parent=n["施策y"], code="(1)", title="一")


def test_check_and_repair_command(plan_tree):
    _, n = plan_tree
    call_command("check_plan_trees", stdout=StringIO())
    # Corrupt the nested-set numbers behind the ORM's back.
    PolicyNode.objects.filter(pk=n["施策y"].pk).update(lft=999)
    assert tree.check_trees()
    with pytest.raises(CommandError):
        call_command("check_plan_trees", stdout=StringIO())
    out = StringIO()
    call_command("check_plan_trees", "--repair", stdout=out)
    assert "Repaired" in out.getvalue()
    assert tree.check_trees() == []
    assert titles(refreshed(n["政策1"]).get_children()) == ["施策x", "施策y"]


def test_seed_trees_are_consistent(db):
    assert tree.check_trees() == []
