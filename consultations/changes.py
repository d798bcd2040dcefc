"""Comment periods in 新着・更新情報 (``projects.changes``)."""

from django.utils.translation import pgettext_lazy

from consultations.models import CommentPeriod
from projects.changes import Change, is_new, newest_first


def period_changes(limit: int):
    for period in newest_first(CommentPeriod.objects.select_related("plan"), limit):
        yield Change(
            period.changed_at,
            is_new(period),
            pgettext_lazy("change", "意見募集"),
            period.title,
            period.get_absolute_url(),
            period.plan.title,
        )
