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
from django.utils.translation import gettext, ngettext

from consultations.models import CommentPeriod
from planportal.i18n import is_english
from schedule.fiscal import dual_date_label, romaji_year_of_day

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
    """The plan's comment periods that concern this page, in the state they are in now;
    none to read for a node whose page found that its plan has none (most plans)."""
    concerned = getattr(node, "plan_has_comment_periods", True)
    now = timezone.now()
    return {
        "periods": _current(list(_concerning(context, plan, node)), now) if concerned else [],
        "node": node,
        "now": now,
        "is_preview": context.get("is_preview"),
    }


def _concerning(context, plan, node):
    """The periods of ``plan`` the visitor may see that cover ``node`` (any, without one)."""
    periods = CommentPeriod.objects.filter(plan=plan)
    if not context.get("is_preview"):
        periods = periods.published()
    if node is not None:
        periods = periods.covering(node)
    return periods


@register.inclusion_tag("consultations/includes/open_periods.html", takes_context=True)
def open_comment_periods(context):
    """Every period open now, the one closing first first: the home page's invitation."""
    periods = CommentPeriod.objects.select_related("plan")
    if not context.get("is_preview"):
        periods = periods.published()
    now = timezone.now()
    periods = periods.filter(opens_at__lte=now, closes_at__gt=now).order_by("closes_at", "pk")
    return {"periods": periods, "is_preview": context.get("is_preview")}


@register.filter
def period_datetime(value) -> str:
    """令和7年（2025年）1月6日（月）10:00 in Japanese; Mon 6 Jan 2025 (Reiwa 7), 10:00 JST in
    English (Tokyo time): notices give both calendars."""
    if not value:
        return ""
    local = timezone.localtime(value)
    if is_english():
        era_year = romaji_year_of_day(local.date())
        return f"{date_format(local, 'D j M Y')} ({era_year}), {date_format(local, 'H:i T')}"
    return dual_date_label(local.date()) + date_format(local, "（D）H:i")


@register.filter
def days_left(period) -> str:
    """あと12日 / 本日締切: how long an open period still takes comments, in days."""
    days = period.days_left()
    if days <= 0:
        return gettext("本日締切")
    return ngettext("あと%(days)d日", "あと%(days)d日", days) % {"days": days}
