"""Plan periods (the fiscal-year span of each part and phase of a plan) and the
drafting schedule (milestones with dates as vague as the documents write them)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from planportal.publication import PublicationStatus, Publishable, PublishableQuerySet
from schedule.fiscal import FiscalYearError, fiscal_year_range_label, wareki_label
from schedule.vague_dates import VagueDate, VagueDateError, parse_vague_date
from schedule.validators import fiscal_year_validators


class PlanPeriod(models.Model):
    """A part of a plan and the fiscal years it covers (基本構想, 実施計画 第2期 …)."""

    class Part(models.TextChoices):
        BASIC_VISION = "basic_vision", _("基本構想")
        BASIC_PLAN = "basic_plan", _("基本計画")
        IMPLEMENTATION = "implementation", _("実施計画")
        OTHER = "other", _("その他")

    plan = models.ForeignKey(
        "policies.Plan", on_delete=models.CASCADE, related_name="periods", verbose_name=_("計画")
    )
    part = models.CharField(_("計画の部分"), max_length=20, choices=Part.choices)
    phase = models.PositiveSmallIntegerField(
        _("期"), null=True, blank=True, help_text=_("実施計画の第何期か。")
    )
    name = models.CharField(_("名称"), max_length=100, help_text=_("例：第3期実施計画"))
    start_fiscal_year = models.PositiveSmallIntegerField(
        _("開始年度"), validators=fiscal_year_validators
    )
    end_fiscal_year = models.PositiveSmallIntegerField(
        _("終了年度"),
        null=True,
        blank=True,
        validators=fiscal_year_validators,
        help_text=_("「概ね」などで終わりが定まっていなければ空欄にし、注記に書きます。"),
    )
    span_note = models.CharField(
        _("期間の注記"),
        max_length=100,
        blank=True,
        help_text=_("計画書の表記どおりに（例：30年程度を展望、概ね10年）。"),
    )
    position = models.PositiveSmallIntegerField(_("表示順"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("計画期間")
        verbose_name_plural = _("計画期間")
        ordering = ["plan", "position", "start_fiscal_year"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_fiscal_year__isnull=True)
                | Q(end_fiscal_year__gte=F("start_fiscal_year")),
                name="planperiod_in_order",
            ),
            models.UniqueConstraint(fields=["plan", "name"], name="planperiod_unique_name"),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.end_fiscal_year and self.end_fiscal_year < self.start_fiscal_year:
            raise ValidationError({"end_fiscal_year": _("終了年度は開始年度以降にしてください。")})

    @property
    def label(self) -> str:
        return fiscal_year_range_label(self.start_fiscal_year, self.end_fiscal_year)

    @property
    def row_label(self) -> str:
        """The row of the period timeline it is drawn in: its part, or its own name."""
        return self.name if self.part == self.Part.OTHER else self.get_part_display()


class MilestoneQuerySet(PublishableQuerySet):
    def published(self):
        return super().published().filter(plan__status=PublicationStatus.PUBLISHED)

    def chronological(self):
        """By fiscal year, then the written date within it (see ``schedule.vague_dates``)."""
        return self.order_by("fiscal_year", "order_in_year", "position", "pk")


class Milestone(Publishable):
    """A step of drafting a plan, dated as vaguely as the document dates it.

    ``when`` is kept as written (4月中旬, 7～9月) and read within the fiscal
    year by ``schedule.vague_dates``; the first and last real days it allows
    are stored for ordering and the iCalendar feed.
    """

    class Kind(models.TextChoices):
        POLICY = "policy", _("策定方針")
        SURVEY = "survey", _("調査・分析")
        REVIEW = "review", _("検証・レビュー")
        DRAFT = "draft", _("素案")
        BRIEFING = "briefing", _("市民説明会")
        PUBLIC_COMMENT = "public_comment", _("パブリックコメント")
        FINAL_DRAFT = "final_draft", _("計画（案）・原案")
        ADOPTION = "adoption", _("策定・公表")
        COUNCIL = "council", _("議会")
        OTHER = "other", _("その他")

    class Progress(models.TextChoices):
        PLANNED = "planned", _("予定")
        DONE = "done", _("実施済み")

    plan = models.ForeignKey(
        "policies.Plan",
        on_delete=models.CASCADE,
        related_name="milestones",
        verbose_name=_("計画"),
        help_text=_("策定する計画（策定方針ではなく、その対象の計画）。"),
    )
    period = models.ForeignKey(
        PlanPeriod,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="milestones",
        verbose_name=_("策定する期間"),
        help_text=_("この作業で策定する計画期間（例：第3期実施計画）。"),
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"), validators=fiscal_year_validators)
    when = models.CharField(
        _("時期"),
        max_length=30,
        help_text=_("資料の表記どおりに（例：4月中旬、11月下旬、12月中、7～9月、2月10日）。"),
    )
    title = models.CharField(_("作業内容"), max_length=300)
    details = models.TextField(
        _("主な作業"), blank=True, help_text=_("一行に一つ（資料の「・」の項目）。")
    )
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    progress = models.CharField(
        _("進み具合"), max_length=10, choices=Progress.choices, default=Progress.PLANNED
    )
    document = models.ForeignKey(
        "policies.Plan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="milestones_documented",
        verbose_name=_("関連資料（このポータルの計画）"),
        help_text=_("この作業で作られた資料がこのポータルにあれば選びます（例：策定方針）。"),
    )
    document_url = models.URLField(
        _("関連資料のURL"), blank=True, help_text=_("市のウェブサイトで公表された資料など。")
    )
    document_title = models.CharField(_("関連資料の名称"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(
        _("表示順"), default=0, help_text=_("同じ時期の作業の並び（資料の順）。")
    )
    starts_on = models.DateField(_("開始日（推定）"), editable=False)
    ends_on = models.DateField(_("終了日（推定）"), editable=False)
    order_in_year = models.PositiveIntegerField(editable=False, default=0)

    objects = MilestoneQuerySet.as_manager()

    @classmethod
    def plan_model(cls):
        """The plan model (policies.Plan), reached through the foreign key: schedule sits
        below policies in the apps' order and never imports it."""
        return cls._meta.get_field("plan").related_model

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("策定スケジュールの作業")
        verbose_name_plural = _("策定スケジュール")
        ordering = ["plan", "fiscal_year", "order_in_year", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "fiscal_year", "when", "title"], name="milestone_unique_step"
            )
        ]

    def __str__(self):
        return f"{self.when_label} {self.title}"

    @property
    def vague_date(self) -> VagueDate:
        return parse_vague_date(self.when, self.fiscal_year)

    @property
    def when_label(self) -> str:
        """令和3年度 4月中旬."""
        return f"{wareki_label(self.fiscal_year)} {self.when}" if self.fiscal_year else self.when

    @property
    def document_link(self) -> tuple[str, str] | None:
        """(title, URL) of the milestone's document, in the portal or outside it."""
        if self.document_id:
            return self.document.title, self.document.get_absolute_url()
        if self.document_url:
            return self.document_title or self.document_url, self.document_url
        return None

    def clean(self):
        errors = {}
        if self.fiscal_year and self.when:
            try:
                self.vague_date  # noqa: B018  (parsing is the check)
            except (VagueDateError, FiscalYearError):
                errors["when"] = _(
                    "時期は年度の中の月で、資料の表記どおりに書いてください"
                    "（例：4月中旬、11月下旬、12月中、7～9月、2月10日）。"
                )
        if self.period_id and self.plan_id and self.period.plan_id != self.plan_id:
            errors["period"] = _("策定する期間は同じ計画の期間を選んでください。")
        if self.document_title and not self.document_url:
            errors["document_url"] = _("関連資料の名称を書いたときは、URLも入れてください。")
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        vague = self.vague_date
        self.starts_on, self.ends_on = vague.first_day, vague.last_day
        self.order_in_year = vague.order_in_year
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"when", "fiscal_year"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "starts_on", "ends_on", "order_in_year"}
        super().save(*args, **kwargs)
