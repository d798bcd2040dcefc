"""Deleting the personal data of comments once a period no longer needs it.

A comment's name and e-mail address serve only while the period runs (to
acknowledge it, to ask the writer about it); the comment itself, with its
receipt number, section, residence and age group, stays as the public record.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.models import Comment, CommentPeriod

PERIOD_NOT_CLOSED = _(
    "「%(period)s」はまだ募集中か募集前です。個人情報は募集終了後に削除できます。"
)


class PeriodNotClosedError(Exception):
    """Personal data is still needed while a period is open."""


def personal_data_purge(*, period: CommentPeriod) -> int:
    """Blank every name and e-mail address of the period's comments; how many comments held some."""
    now = timezone.now()
    if not period.has_closed(now):
        raise PeriodNotClosedError(PERIOD_NOT_CLOSED % {"period": period.title})
    with transaction.atomic():
        count = Comment.objects.filter(period=period).with_personal_data().update(name="", email="")
        period.personal_data_purged_at = now
        period.save(update_fields=["personal_data_purged_at"])
    return count
