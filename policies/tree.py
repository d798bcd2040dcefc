"""Structural writes to plan trees: create, move, delete, check and repair.

django-mptt keeps nested-set numbers (tree_id, lft, rght) that a structural
write rewrites across a whole tree, and new roots take the next tree_id across
all plans. Two such writes at once could interleave, so every one of them goes
through this module inside one transaction holding one lock: a PostgreSQL
advisory lock, or SQLite's database write lock (its transactions are
IMMEDIATE; see settings).
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import F
from django.utils.translation import gettext as _
from mptt.exceptions import InvalidMove

from planportal.caching import bump_rows
from policies.models import PolicyNode

TREE_LOCK_KEY = 7_041_001  # an arbitrary, fixed advisory-lock key for plan trees

POSITIONS = ("first-child", "last-child", "left", "right")


@contextmanager
def tree_lock():
    """Hold the plan-tree lock for the rest of the current transaction."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [TREE_LOCK_KEY])
        yield


def create_node(*, plan, parent: PolicyNode | None = None, **fields) -> PolicyNode:
    """Add a node as the last child of ``parent`` (or as the plan's last root)."""
    with tree_lock():
        if parent is not None:
            parent.refresh_from_db()
        node = PolicyNode(plan=plan, parent=parent, **fields)
        node.full_clean()
        node.save()
    return node


def save_node(node: PolicyNode) -> None:
    """Save a node whose parent may have changed (the admin's change form, a revert).

    The instance may be older than the tree (another move since it was read,
    or a historical version): its nested-set numbers and the parent django-mptt
    compares against are read afresh under the lock, so a changed parent is a
    proper move.
    """
    with tree_lock():
        stored = (
            PolicyNode.objects.filter(pk=node.pk)
            .values("lft", "rght", "tree_id", "level", "parent_id")
            .first()
            if node.pk
            else None
        )
        if stored is not None:
            for name in ("lft", "rght", "tree_id", "level"):
                setattr(node, name, stored[name])
            # django-mptt decides "is this a move?" by comparing the parent with the one
            # it cached when the node was loaded; it has no public way to set it, and a
            # node loaded before someone else moved it must compare with the stored one.
            node._mptt_cached_fields["parent"] = stored["parent_id"]
        node.save()


def move_node(node: PolicyNode, target: PolicyNode, position: str) -> None:
    """Move ``node`` relative to ``target`` within the same plan."""
    if position not in POSITIONS:
        raise InvalidMove(_("移動の指定が正しくありません。"))
    with tree_lock():
        node.refresh_from_db()
        target.refresh_from_db()
        if node.plan_id != target.plan_id:
            raise InvalidMove(_("別の計画の項目の下へは移動できません。"))
        node.move_to(target, position)
        bump_rows(PolicyNode, [node.pk])


def delete_node(node: PolicyNode) -> None:
    with tree_lock():
        node.refresh_from_db()
        node.delete()


@dataclass(frozen=True)
class TreeProblem:
    node_id: int
    message: str

    def __str__(self):
        return f"#{self.node_id}: {self.message}"


def check_trees() -> list[TreeProblem]:
    """Compare the stored tree numbers with a rebuild from parent links.

    The rebuild runs inside a savepoint that is rolled back, so checking
    changes nothing. Gaps between tree ids are harmless and not reported.
    Also reports children filed under another plan's node.
    """
    problems: list[TreeProblem] = []
    with tree_lock():
        before = _numbers()
        savepoint = transaction.savepoint()
        PolicyNode.objects.rebuild()
        after = _numbers()
        transaction.savepoint_rollback(savepoint)
        tree_ids: dict[int, int] = {}
        for pk, (tree_id, *numbers) in sorted(before.items()):
            new_tree_id, *new_numbers = after[pk]
            if tree_ids.setdefault(tree_id, new_tree_id) != new_tree_id or numbers != new_numbers:
                problems.append(TreeProblem(pk, _("木構造の番号が親子関係と一致しません。")))
        foreign = PolicyNode.objects.filter(parent__isnull=False).exclude(
            plan_id=F("parent__plan_id")
        )
        problems += [
            TreeProblem(pk, _("親が別の計画の項目です。"))
            for pk in foreign.values_list("pk", flat=True)
        ]
    return problems


def _numbers() -> dict[int, tuple[int, int, int, int]]:
    rows = PolicyNode.objects.values_list("pk", "tree_id", "lft", "rght", "level")
    return {pk: numbers for pk, *numbers in rows}


def repair_trees() -> int:
    """Rebuild every tree's numbers from parent links, keeping sibling order.

    Returns how many problems were found before the repair.
    """
    with tree_lock():
        problems = check_trees()
        if problems:
            PolicyNode.objects.rebuild()
    return len(problems)
