"""Evaluation rounds (評価作業): the yearly cycle in which bureaus report their results.

Planning opens a round for a plan and a fiscal year; each project in scope
gets one task, which its bureau (所管局, and section 所管課) fills in and
submits, and planning returns or approves (``rounds.workflow``). The result
itself is the project's ``ProjectResult`` for the round's year: a task is the
work on it, never a copy. A round is about one fiscal year today; a period-end
review (期末評価) would be another kind of round over the same tasks.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from planportal.versioning import Versioned
from policies.models import Plan, PolicyNode, check_plan_year
from projects.models import EvaluationValue, Project, ProjectResult
from rounds.workflow import EDITABLE, Action, Status
from schedule.fiscal import dual_label
from schedule.validators import fiscal_year_validators

STATUS_LABELS = {
    Status.NOT_STARTED: _("未着手"),
    Status.IN_PROGRESS: _("入力中"),
    Status.SUBMITTED: _("提出済"),
    Status.RETURNED: _("差戻し"),
    Status.APPROVED: _("承認済"),
}
ACTION_LABELS = {
    Action.SAVE: _("保存"),
    Action.SUBMIT: _("提出"),
    Action.RETURN: _("差戻し"),
    Action.APPROVE: _("承認"),
    Action.REOPEN: _("承認の取消し（再開）"),
}
PUBLISH_EVENT = "publish"

reminder_days_validator = RegexValidator(
    r"^\s*\d{1,3}(\s*,\s*\d{1,3})*\s*$",
    _("日数を半角数字とカンマで入れてください（例：7,1）。"),
)


class RoundQuerySet(models.QuerySet):
    def open(self):
        return self.filter(closed_at__isnull=True)


class Round(models.Model):
    """A round of evaluation (評価作業) of a plan's projects for one fiscal year."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="rounds", verbose_name=_("計画")
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("評価する年度"), validators=fiscal_year_validators
    )
    node = models.ForeignKey(
        PolicyNode,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("対象の項目"),
        help_text=_("指定すると、この項目の下に載っている事業だけを対象にします。"),
    )
    deadline = models.DateField(_("提出期限"))
    instructions = models.TextField(
        _("作業の指示"), blank=True, help_text=_("各局への説明。作業画面と通知メールに載ります。")
    )
    reminder_days = models.CharField(
        _("督促する日"),
        max_length=50,
        default="7,1",
        validators=[reminder_days_validator],
        help_text=_("提出期限の何日前に未提出の局へ通知するか（カンマ区切り）。"),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("開始した職員"),
    )
    opened_at = models.DateTimeField(_("開始日時"), auto_now_add=True)
    closed_at = models.DateTimeField(_("終了日時"), null=True, blank=True, editable=False)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("評価作業")
        verbose_name_plural = _("評価作業")
        ordering = ["-fiscal_year", "-pk"]

    def __str__(self):
        label = _("%(year)sの評価作業") % {"year": dual_label(self.fiscal_year)}
        scope = f"（{self.node}）" if self.node_id else ""
        return f"{self.plan.title} {label}{scope}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def is_overdue(self) -> bool:
        return timezone.localdate() > self.deadline

    def reminder_day_list(self) -> list[int]:
        return sorted({int(day) for day in self.reminder_days.split(",") if day.strip()})

    def clean(self):
        if self.plan_id and self.fiscal_year:
            check_plan_year(self.plan, self.fiscal_year)
        if self.node_id and self.plan_id and self.node.plan_id != self.plan_id:
            raise ValidationError({"node": _("対象の項目はこの計画の項目にしてください。")})

    def projects_in_scope(self):
        """The published projects the round covers: the plan's, or those under its node."""
        projects = Project.objects.published().filter(plan_id=self.plan_id)
        return projects.under(self.node) if self.node_id else projects


class TaskQuerySet(models.QuerySet):
    def results(self):
        """The ProjectResults these tasks are about (the project's result for the round's year)."""
        return ProjectResult.objects.filter(
            Exists(
                self.filter(
                    project=OuterRef("project_id"), round__fiscal_year=OuterRef("fiscal_year")
                )
            )
        )

    def evaluation_values(self):
        """The EvaluationValues of these tasks' projects for the round's year."""
        return EvaluationValue.objects.filter(
            Exists(
                self.filter(
                    project=OuterRef("project_id"), round__fiscal_year=OuterRef("fiscal_year")
                )
            )
        )

    def counts_by_bureau(self) -> list[dict]:
        """(bureau id, status, how many) rows, from one aggregate query."""
        return list(
            self.values("project__bureau_id", "status").annotate(number=Count("pk")).order_by()
        )


class Task(Versioned):
    """One project's evaluation in a round: who is working on it, and how far they are.

    The version (raised by every save here and by every change of the result
    elsewhere) is the row stamp of the grid and of the Excel file: a row saved
    by someone else since it was shown is refused, never silently overwritten.
    """

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("評価作業")
    )
    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="evaluation_tasks", verbose_name=_("事業")
    )
    status = models.CharField(
        _("状況"),
        max_length=20,
        choices=[(status.value, label) for status, label in STATUS_LABELS.items()],
        default=Status.NOT_STARTED,
        db_index=True,
    )
    return_comment = models.TextField(_("差戻しの理由"), blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("最後に操作した職員"),
    )
    updated_at = models.DateTimeField(_("最後の操作日時"), null=True, blank=True)

    objects = TaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("評価の作業")
        verbose_name_plural = _("評価の作業")
        ordering = ["round", "project_id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "project"], name="task_unique_project")
        ]
        permissions = [("review_task", _("評価を承認する、差し戻す、再開する"))]

    def __str__(self):
        return f"{self.project} ({self.get_status_display()})"

    @property
    def is_editable(self) -> bool:
        return self.status in EDITABLE and self.round.is_open


class TaskEvent(models.Model):
    """What happened to a task, by whom and when: its history."""

    task = models.ForeignKey(
        Task, on_delete=models.CASCADE, related_name="events", verbose_name=_("評価の作業")
    )
    action = models.CharField(
        _("操作"),
        max_length=20,
        choices=[(action.value, label) for action, label in ACTION_LABELS.items()]
        + [(PUBLISH_EVENT, _("公開"))],
    )
    from_status = models.CharField(_("操作前の状況"), max_length=20, blank=True)
    to_status = models.CharField(_("操作後の状況"), max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("職員"),
    )
    at = models.DateTimeField(_("日時"), default=timezone.now)
    comment = models.TextField(_("コメント"), blank=True)

    class Meta:
        verbose_name = _("評価の作業の履歴")
        verbose_name_plural = _("評価の作業の履歴")
        ordering = ["task", "at", "pk"]

    def __str__(self):
        return f"{self.task.project} {self.get_action_display()} {self.at:%Y-%m-%d %H:%M}"

    def status_label(self, value):
        return STATUS_LABELS.get(value, "") if value else ""


class Reminder(models.Model):
    """A reminder mailed to a bureau's editors: kept so that each is sent once."""

    class Kind(models.TextChoices):
        OPENING = "opening", _("評価作業の開始")
        DEADLINE = "deadline", _("提出期限の前")
        RETURNED = "returned", _("差戻し")

    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("評価作業")
    )
    bureau = models.ForeignKey(
        "policies.Bureau", on_delete=models.CASCADE, related_name="+", verbose_name=_("所管局")
    )
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices)
    key = models.CharField(
        _("区別"), max_length=50, blank=True, help_text=_("期限の何日前か、差戻しの履歴の番号。")
    )
    recipients = models.PositiveSmallIntegerField(_("送信先の数"), default=0)
    sent_at = models.DateTimeField(_("送信日時"), default=timezone.now)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "bureau", "kind", "key"], name="reminder_sent_once"
            )
        ]

    def __str__(self):
        return f"{self.round} {self.bureau} {self.get_kind_display()} {self.key}"
