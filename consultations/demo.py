"""The demonstration comment period that ``seed_demo`` opens on the seed-003 draft (素案).

A new user should be able to try the whole flow at once, so the period opens
when seed_demo runs and stays open for 30 days. Running seed_demo again must
change nothing, so a demonstration period that is still open (or yet to
open) is left exactly as it is; only when the last one has closed does a run
open a new one. Closed ones stay, with their comments, as any period would.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from consultations.models import CommentPeriod
from planportal.publication import PublicationStatus
from policies.models import Plan

DEMO_PLAN_SLUG = "kawasaki-community"
DEMO_DAYS = 30
SECTION_DEPTHS = 2  # 章 and 節

EXPLANATION = (
    "この意見募集は、計画ポータルのパブリックコメント機能を試していただくためのデモです。"
    "川崎市が実施する意見募集ではなく、送信されたご意見が川崎市に届くことはありません。\n"
    "対象の素案は、川崎市が公表した「{title}」概要版の内容です。"
    "章・節ごとに意見を出すことができます。"
)


@transaction.atomic
def demo_period_ensure(now=None) -> tuple[CommentPeriod, bool]:
    """The current demonstration period, and whether this call created it."""
    now = now or timezone.now()
    plan = Plan.objects.get(slug=DEMO_PLAN_SLUG)
    current = (
        CommentPeriod.objects.filter(plan=plan, is_demonstration=True, closes_at__gt=now)
        .order_by("opens_at")
        .first()
    )
    if current is not None:
        return current, False
    opens_at = now.replace(second=0, microsecond=0)
    period = CommentPeriod(
        plan=plan,
        title=f"「{plan.title}」に関する意見募集",
        explanation=EXPLANATION.format(title=plan.title),
        opens_at=opens_at,
        closes_at=opens_at + timedelta(days=DEMO_DAYS),
        is_demonstration=True,
        status=PublicationStatus.PUBLISHED,
    )
    period.full_clean()
    period.save()
    period.sections.set(plan.nodes.filter(level__lt=SECTION_DEPTHS))
    return period, True
