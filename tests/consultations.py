"""Builders for public-comment tests: the demo period, a form's POST data, comments."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from consultations.models import Comment, CommentPeriod
from consultations.services.submission import comment_submit
from policies.models import PolicyNode

NAME = "試験 花子"
EMAIL = "hanako.shiken@example.jp"


def demo_period() -> CommentPeriod:
    return CommentPeriod.objects.get(plan__slug="kawasaki-community", is_demonstration=True)


def demo_node(code_path=("第4章", "6")) -> PolicyNode:
    """A node of the seed-003 draft by its codes from the top: (第4章, 6) is 節 6 of 第4章."""
    node = None
    for code in code_path:
        node = PolicyNode.objects.get(plan__slug="kawasaki-community", parent=node, code=code)
    return node


def form_data(node, step="confirm", **fields) -> dict:
    """The POST data of the comment form; ``node`` a section, or None for the whole draft."""
    data = {
        "section": "whole" if node is None else str(node.pk),
        "text": "地域の居場所づくりを進めてください。",
        "name": NAME,
        "residence": "中原区",
        "age_group": "40s",
        "email": EMAIL,
        "homepage": "",
        "step": step,
    }
    data.update(fields)
    return data


def submit(period, section=None, **fields) -> Comment:
    """A comment received through the submission service."""
    values = {"text": "意見です。", "name": NAME, "email": EMAIL, **fields}
    return comment_submit(period=period, section=section, **values)


def close(period, *, days_ago=1) -> CommentPeriod:
    """Move a period into the past, as if its closing time had come."""
    now = timezone.now()
    period.opens_at = now - timedelta(days=days_ago + 30)
    period.closes_at = now - timedelta(days=days_ago)
    period.save()
    return period
