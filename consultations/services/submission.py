"""Receiving a citizen's comment: a receipt number, then an optional acknowledgement."""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Max
from django.template.loader import render_to_string
from django.utils import timezone

from consultations.models import Comment, CommentPeriod
from consultations.receipts import receipt_number
from policies.models import PolicyNode

logger = logging.getLogger(__name__)

PERIOD_CLOSED = "この意見募集は受付を終了しています。"


class PeriodClosedError(Exception):
    """The period was not open when the comment arrived."""


def comment_submit(
    *,
    period: CommentPeriod,
    section: PolicyNode | None,
    text: str,
    name: str = "",
    email: str = "",
    residence: str = "",
    age_group: str = "",
) -> Comment:
    """Store a comment under the next receipt number of its period.

    The period row is locked, so that two comments never get one number, and
    checked once more: it may have closed while the citizen was confirming.
    The acknowledgement e-mail is sent after the commit; if sending fails
    the comment is still received.
    """
    with transaction.atomic():
        period = CommentPeriod.objects.select_for_update().get(pk=period.pk)
        now = timezone.now()
        if not period.is_open(now):
            raise PeriodClosedError(PERIOD_CLOSED)
        sequence = (period.comments.aggregate(last=Max("sequence"))["last"] or 0) + 1
        comment = Comment(
            period=period,
            section=section,
            sequence=sequence,
            receipt_number=receipt_number(period.pk, sequence),
            submitted_at=now,
            text=text,
            name=name,
            email=email,
            residence=residence,
            age_group=age_group,
        )
        comment.full_clean()
        comment.save()
    if comment.email:
        acknowledgement_send(comment=comment)
    return comment


def acknowledgement_send(*, comment: Comment) -> bool:
    """E-mail the receipt number to the address the citizen gave.

    The message carries the receipt number and the period, never the comment
    text: the form must not become a way to send arbitrary text to any address.
    """
    context = {"comment": comment, "period": comment.period}
    subject = " ".join(
        render_to_string("consultations/email/acknowledgement_subject.txt", context).split()
    )
    body = render_to_string("consultations/email/acknowledgement_body.txt", context)
    try:
        sent = send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [comment.email])
    except Exception as error:  # any backend failure: the comment is received all the same
        # The address stays out of the log; the receipt number is enough to follow up.
        logger.warning(
            "Acknowledgement for %s not sent: %s", comment.receipt_number, type(error).__name__
        )
        return False
    if not sent:  # no mail server configured (planportal.mail.UnsentEmailBackend)
        return False
    comment.acknowledged_at = timezone.now()
    comment.save(update_fields=["acknowledged_at"])
    return True
