"""The comment-period notice on plan and node pages.

Those pages are served from the page cache. What the notice says depends on
the clock (募集前, 意見募集中, 募集終了), so the cache key includes how many
period openings and closings have passed (``planportal.caching.register_schedule``,
fed by ``consultations.apps``): when a period opens or closes, every cached
page is rebuilt on its next request, and the notice is never stale.
"""

from django import template
from django.utils import timezone
from django.utils.formats import date_format

from consultations.models import CommentPeriod
from planportal.i18n import is_english

register = template.Library()


def _current(periods, now):
    """Open periods; else the next one to open; else the one that closed last."""
    open_now = [p for p in periods if p.is_open(now)]
    if open_now:
        return open_now
    upcoming = sorted((p for p in periods if p.opens_at > now), key=lambda p: p.opens_at)
    if upcoming:
        return upcoming[:1]
    return sorted(periods, key=lambda p: p.closes_at)[-1:]


@register.inclusion_tag("consultations/includes/notice.html", takes_context=True)
def comment_notice(context, plan, node=None):
    """The plan's comment periods that concern this page, in the state they are in now."""
    periods = CommentPeriod.objects.filter(plan=plan)
    if not context.get("is_preview"):
        periods = periods.published()
    if node is not None:
        periods = periods.covering(node)
    now = timezone.now()
    return {
        "periods": _current(list(periods), now),
        "node": node,
        "now": now,
        "is_preview": context.get("is_preview"),
    }


@register.filter
def period_datetime(value) -> str:
    """2025年1月6日（月）10:00 in Japanese, Mon 6 Jan 2025, 10:00 JST in English (Tokyo time)."""
    if not value:
        return ""
    return date_format(
        timezone.localtime(value), "D j M Y, H:i T" if is_english() else "Y年n月j日（D）H:i"
    )
