"""Plan periods: the fiscal-year span of each part and phase of a plan."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from policies.models import Plan, fiscal_year_validators
from schedule.fiscal import fiscal_year_range_label


class PlanPeriod(models.Model):
    """A part of a plan and the fiscal years it covers (基本構想, 実施計画 第2期 …)."""

    class Part(models.TextChoices):
        BASIC_VISION = "basic_vision", _("基本構想")
        BASIC_PLAN = "basic_plan", _("基本計画")
        IMPLEMENTATION = "implementation", _("実施計画")
        OTHER = "other", _("その他")

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="periods", verbose_name=_("計画")
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
