"""Reminders to bureaus' editors, each sent once (``manage.py send_round_reminders``).

For every open round and every bureau with tasks in it: a mail when the round
opens; one when the deadline is N days away (N per round, default 7 and 1)
while the bureau has tasks not yet submitted; and one when planning returns
tasks. Each is recorded as a ``Reminder`` before its mail goes out, inside one
transaction, so a run that fails to send retries next time and a second run
(or one running at the same time) sends nothing twice. Safe to run hourly.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from planportal.permissions import BUREAU_EDITORS
from policies.models import Bureau, StaffScope
from rounds.models import Reminder, Round, TaskEvent
from rounds.workflow import Action, Status
from schedule.fiscal import dual_label


@dataclass
class Due:
    round: Round
    bureau: Bureau
    kind: str
    keys: list[str]  # every key this mail settles (all deadline reminders already due)
    projects: list[str]
    comments: list[str]


def due_reminders(today: datetime.date) -> list[Due]:
    """The reminders not yet sent, as of ``today``."""
    due = []
    for round in Round.objects.open().select_related("plan"):
        sent = set(round.reminders.values_list("bureau_id", "kind", "key"))
        tasks = round.tasks.filter(project__bureau__isnull=False).select_related("project__bureau")
        by_bureau = defaultdict(list)
        for task in tasks:
            by_bureau[task.project.bureau].append(task)
        returns = defaultdict(list)
        for event in TaskEvent.objects.filter(
            task__round=round, action=Action.RETURN, task__project__bureau__isnull=False
        ).select_related("task__project"):
            returns[event.task.project.bureau_id].append(event)
        for bureau, bureau_tasks in by_bureau.items():
            names = [str(task.project) for task in bureau_tasks]
            if (bureau.pk, Reminder.Kind.OPENING, "") not in sent:
                due.append(Due(round, bureau, Reminder.Kind.OPENING, [""], names, []))
            open_tasks = [
                t for t in bureau_tasks if t.status not in (Status.SUBMITTED, Status.APPROVED)
            ]
            days_left = (round.deadline - today).days
            deadline_keys = [
                str(days)
                for days in round.reminder_day_list()
                if 0 <= days_left <= days
                and (bureau.pk, Reminder.Kind.DEADLINE, str(days)) not in sent
            ]
            if deadline_keys and open_tasks:
                due.append(
                    Due(
                        round,
                        bureau,
                        Reminder.Kind.DEADLINE,
                        deadline_keys,
                        [str(task.project) for task in open_tasks],
                        [],
                    )
                )
            new_returns = [
                event
                for event in returns.get(bureau.pk, [])
                if (bureau.pk, Reminder.Kind.RETURNED, str(event.pk)) not in sent
            ]
            if new_returns:
                due.append(
                    Due(
                        round,
                        bureau,
                        Reminder.Kind.RETURNED,
                        [str(event.pk) for event in new_returns],
                        [str(event.task.project) for event in new_returns],
                        [event.comment for event in new_returns],
                    )
                )
    return due


def recipients(bureau: Bureau) -> list[str]:
    """The e-mail addresses of the bureau's active editors."""
    scopes = StaffScope.objects.filter(
        bureau=bureau, user__is_active=True, user__groups__name=BUREAU_EDITORS
    ).exclude(user__email="")
    return sorted(set(scopes.values_list("user__email", flat=True)))


SUBJECTS = {
    Reminder.Kind.OPENING: gettext_noop(
        "【評価作業】%(round)sが始まりました（提出期限 %(deadline)s）"
    ),
    Reminder.Kind.DEADLINE: gettext_noop(
        "【評価作業】提出期限（%(deadline)s）が近づいています：%(round)s"
    ),
    Reminder.Kind.RETURNED: gettext_noop("【評価作業】差し戻された事業があります：%(round)s"),
}


def compose(due: Due, base_url: str) -> tuple[str, str]:
    round = due.round
    values = {"round": str(round), "deadline": round.deadline.strftime("%Y-%m-%d")}
    subject = _(SUBJECTS[due.kind]) % values
    link = base_url.rstrip("/") + reverse("admin:rounds_round_tasks", args=[round.pk])
    lines = [
        _("%(bureau)s 御中") % {"bureau": due.bureau.name},
        "",
        _("%(plan)sの%(year)sの評価作業です。")
        % {"plan": round.plan.title, "year": dual_label(round.fiscal_year)},
        _("提出期限：%(deadline)s") % values,
        "",
    ]
    if due.kind == Reminder.Kind.OPENING and round.instructions:
        lines += [_("作業の指示："), round.instructions, ""]
    heading = {
        Reminder.Kind.OPENING: _("対象の事業（%(count)d件）："),
        Reminder.Kind.DEADLINE: _("まだ提出されていない事業（%(count)d件）："),
        Reminder.Kind.RETURNED: _("差し戻された事業（%(count)d件）："),
    }[due.kind]
    lines.append(heading % {"count": len(due.projects)})
    for index, name in enumerate(due.projects):
        comment = due.comments[index] if index < len(due.comments) else ""
        lines.append(f"・{name}" + (f"　{_('理由：')}{comment}" if comment else ""))
    lines += ["", _("作業画面：%(link)s") % {"link": link}]
    return subject, "\n".join(lines)


def send_reminders(*, today: datetime.date | None = None, base_url: str = "") -> int:
    """Send every reminder that is due; return how many mails went out."""
    today = today or timezone.localdate()
    sent = 0
    for due in due_reminders(today):
        addresses = recipients(due.bureau)
        subject, body = compose(due, base_url)
        try:
            with transaction.atomic():
                for key in due.keys:
                    Reminder.objects.create(
                        round=due.round,
                        bureau=due.bureau,
                        kind=due.kind,
                        key=key,
                        recipients=len(addresses),
                    )
                if addresses:
                    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, addresses)
                    sent += 1
        except IntegrityError:  # another run sent it meanwhile
            continue
    return sent
