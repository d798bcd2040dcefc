"""A municipality's plans and their policy trees.

A plan (総合計画, 分野別計画 or 策定方針) names its own tree levels; its tree of
policy nodes (基本政策 → 政策 → 施策, 章 → 節, …) is a django-mptt tree whose
sibling order is the printed order. Strategies, SDG goals and wards are
cross-cutting and hang on nodes and projects.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet
from simple_history.models import HistoricalRecords

from planportal.publication import PublicationStatus, Publishable, PublishableQuerySet
from planportal.versioning import Versioned
from schedule.fiscal import fiscal_year_range_label
from schedule.validators import fiscal_year_validators


class Municipality(models.Model):
    name = models.CharField(_("名称"), max_length=50, unique=True)
    slug = models.SlugField(_("スラッグ"), unique=True)

    class Meta:
        verbose_name = _("自治体")
        verbose_name_plural = _("自治体")
        ordering = ["pk"]

    def __str__(self):
        return self.name


class Ward(models.Model):
    """An administrative ward (区) of a designated city."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="wards", verbose_name=_("自治体")
    )
    name = models.CharField(_("区名"), max_length=20)
    slug = models.SlugField(_("スラッグ"))
    position = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("区")
        verbose_name_plural = _("区")
        ordering = ["municipality", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="ward_unique_name"),
            models.UniqueConstraint(fields=["municipality", "slug"], name="ward_unique_slug"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("policies:ward", args=[self.municipality.slug, self.slug])


class Bureau(models.Model):
    """A responsible bureau (所管局) of the city's organisation."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="bureaus", verbose_name=_("自治体")
    )
    name = models.CharField(_("局名"), max_length=50)

    class Meta:
        verbose_name = _("所管局")
        verbose_name_plural = _("所管局")
        ordering = ["municipality", "name"]
        constraints = [
            models.UniqueConstraint(fields=["municipality", "name"], name="bureau_unique_name")
        ]

    def __str__(self):
        return self.name


class Division(models.Model):
    """A responsible section (所管課) inside a bureau."""

    bureau = models.ForeignKey(
        Bureau, on_delete=models.CASCADE, related_name="divisions", verbose_name=_("所管局")
    )
    name = models.CharField(_("課名"), max_length=50)

    class Meta:
        verbose_name = _("所管課")
        verbose_name_plural = _("所管課")
        ordering = ["bureau", "name"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "name"], name="division_unique_name")
        ]

    def __str__(self):
        return f"{self.bureau.name} {self.name}"


class SDGGoal(models.Model):
    """One of the 17 Sustainable Development Goals, with its official Japanese title."""

    number = models.PositiveSmallIntegerField(
        _("番号"), unique=True, validators=[MinValueValidator(1), MaxValueValidator(17)]
    )
    title = models.CharField(_("名称"), max_length=100)
    title_en = models.CharField(_("英語名称"), max_length=100)

    class Meta:
        verbose_name = _("SDGsゴール")
        verbose_name_plural = _("SDGsゴール")
        ordering = ["number"]

    def __str__(self):
        return f"{self.number}. {self.title}"

    def get_absolute_url(self):
        return reverse("policies:sdg_goal", args=[self.number])


class PlanQuerySet(PublishableQuerySet):
    pass


class Plan(Publishable, Versioned):
    """A plan document: a comprehensive plan, a sectoral plan or a drafting policy."""

    class Kind(models.TextChoices):
        COMPREHENSIVE = "comprehensive", _("総合計画")
        SECTORAL = "sectoral", _("分野別計画")
        DRAFTING_POLICY = "drafting_policy", _("策定方針")

    class Stage(models.TextChoices):
        DRAFTING = "drafting", _("策定中")
        DRAFT_FOR_COMMENT = "draft", _("素案")
        ADOPTED = "adopted", _("策定済み")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.PROTECT, related_name="plans", verbose_name=_("自治体")
    )
    slug = models.SlugField(_("スラッグ"), unique=True, help_text=_("URLに使う英数字の名前。"))
    kind = models.CharField(_("種別"), max_length=20, choices=Kind.choices)
    stage = models.CharField(
        _("策定段階"), max_length=20, choices=Stage.choices, default=Stage.ADOPTED
    )
    title = models.CharField(_("計画名"), max_length=200)
    start_fiscal_year = models.PositiveSmallIntegerField(
        _("開始年度"), null=True, blank=True, validators=fiscal_year_validators
    )
    end_fiscal_year = models.PositiveSmallIntegerField(
        _("終了年度"), null=True, blank=True, validators=fiscal_year_validators
    )
    period_note = models.CharField(
        _("計画期間の注記"),
        max_length=200,
        blank=True,
        help_text=_("計画書の表記どおりの期間（例：目標年次は概ね10年後の2028年）。"),
    )
    vision = models.TextField(_("めざす都市像・将来像"), blank=True)
    summary = models.TextField(_("概要"), blank=True)
    source = models.CharField(
        _("出典"), max_length=300, blank=True, help_text=_("内容の出典となる公表資料。")
    )
    related_plan = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="related_plans",
        verbose_name=_("関連する計画"),
        help_text=_("策定方針ならその対象の計画、分野別計画なら上位の総合計画。"),
    )
    strategy_set_name = models.CharField(
        _("戦略の呼び名"),
        max_length=50,
        blank=True,
        help_text=_("例：かわさき10年戦略、重点戦略。"),
    )
    position = models.PositiveSmallIntegerField(_("表示順"), default=0)
    scale_set = models.ForeignKey(
        "ScaleSet",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
        verbose_name=_("評価区分"),
        help_text=_("事業の達成度と評価結果の区分。空欄なら標準の区分を使います。"),
    )

    objects = PlanQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("計画")
        verbose_name_plural = _("計画")
        ordering = ["position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_fiscal_year__isnull=True)
                | Q(end_fiscal_year__isnull=True)
                | Q(end_fiscal_year__gte=models.F("start_fiscal_year")),
                name="plan_period_in_order",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("policies:plan", args=[self.slug])

    def clean(self):
        if (
            self.start_fiscal_year
            and self.end_fiscal_year
            and self.end_fiscal_year < self.start_fiscal_year
        ):
            raise ValidationError({"end_fiscal_year": _("終了年度は開始年度以降にしてください。")})

    @property
    def has_fiscal_period(self) -> bool:
        return bool(self.start_fiscal_year and self.end_fiscal_year)

    @property
    def period_label(self) -> str:
        if self.start_fiscal_year:
            return fiscal_year_range_label(self.start_fiscal_year, self.end_fiscal_year)
        return self.period_note

    def fiscal_year_span(self) -> tuple[int, int] | None:
        """The fiscal years the plan covers, from its own period and its parts' periods.

        An open-ended part (基本構想: 30年程度を展望) does not extend it; None
        when no last year is known.
        """
        firsts = [self.start_fiscal_year] if self.start_fiscal_year else []
        lasts = [self.end_fiscal_year] if self.end_fiscal_year else []
        for period in self.periods.all():
            firsts.append(period.start_fiscal_year)
            if period.end_fiscal_year:
                lasts.append(period.end_fiscal_year)
        if not firsts or not lasts:
            return None
        return min(firsts), max(lasts)

    @property
    def scales(self) -> "ScaleSet | None":
        """The scale set the plan evaluates with: its own, or the default one."""
        return self.scale_set if self.scale_set_id else default_scale_set()


class PlanLevel(models.Model):
    """What a plan calls the nodes at one depth of its tree (基本政策, 施策, 章 …)."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="levels", verbose_name=_("計画")
    )
    depth = models.PositiveSmallIntegerField(_("階層"), help_text=_("最上位が0。"))
    name = models.CharField(_("階層の名前"), max_length=30)

    class Meta:
        verbose_name = _("計画の階層")
        verbose_name_plural = _("計画の階層")
        ordering = ["plan", "depth"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "depth"], name="planlevel_unique_depth")
        ]

    history = HistoricalRecords()

    def __str__(self):
        return self.name


class BasicGoal(models.Model):
    """A basic goal (まちづくりの基本目標) of a plan's basic vision."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="basic_goals", verbose_name=_("計画")
    )
    title = models.CharField(_("基本目標"), max_length=200)
    description = models.TextField(_("説明"), blank=True)
    position = models.PositiveSmallIntegerField(_("表示順"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("基本目標")
        verbose_name_plural = _("基本目標")
        ordering = ["plan", "position", "pk"]

    def __str__(self):
        return self.title


class Strategy(models.Model):
    """A cross-cutting or priority strategy (かわさき10年戦略, 重点戦略)."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="strategies", verbose_name=_("計画")
    )
    label = models.CharField(_("番号"), max_length=20, blank=True, help_text=_("例：戦略1"))
    title = models.CharField(_("名称"), max_length=200)
    direction = models.TextField(
        _("方向性"), blank=True, help_text=_("中長期の方向性（例：2030年を見据えた方向性）。")
    )
    main_actions = models.TextField(_("主な取組"), blank=True)
    position = models.PositiveSmallIntegerField(_("表示順"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("戦略")
        verbose_name_plural = _("戦略")
        ordering = ["plan", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "title"], name="strategy_unique_title")
        ]

    def __str__(self):
        return f"{self.label} {self.title}".strip()

    def get_absolute_url(self):
        return reverse("policies:strategy", args=[self.plan.slug, self.pk])


class PolicyNodeQuerySet(TreeQuerySet, PublishableQuerySet):
    """The one vocabulary for subtrees: the nested-set numbers of django-mptt are
    compared here (and written in policies.tree), nowhere else."""

    def published(self):
        """Published nodes of published plans, none of whose ancestors is a draft."""
        draft_ancestor = PolicyNode.objects.filter(
            tree_id=OuterRef("tree_id"),
            lft__lt=OuterRef("lft"),
            rght__gt=OuterRef("rght"),
        ).exclude(status=PublicationStatus.PUBLISHED)
        return self.filter(
            status=PublicationStatus.PUBLISHED, plan__status=PublicationStatus.PUBLISHED
        ).exclude(Exists(draft_ancestor))

    def within(self, node: "PolicyNode"):
        """``node`` and every node below it."""
        return self.filter(tree_id=node.tree_id, lft__gte=node.lft, rght__lte=node.rght)

    def around(self, node: "PolicyNode", include_self=False):
        """The nodes above ``node`` (and it), from the top down."""
        lookups = {"lft__lte": node.lft, "rght__gte": node.rght}
        if not include_self:
            lookups = {"lft__lt": node.lft, "rght__gt": node.rght}
        return self.filter(tree_id=node.tree_id, **lookups).order_by("lft")

    def in_printed_order(self):
        return self.order_by("tree_id", "lft")

    def with_any_below(self, name: str, rows: models.QuerySet, node_field: str = "node"):
        """Annotate each node with ``name``: whether any of ``rows`` has its ``node_field``
        on the node or below it (one correlated EXISTS, not a query per node)."""
        below = rows.filter(
            **{
                f"{node_field}__tree_id": OuterRef("tree_id"),
                f"{node_field}__lft__gte": OuterRef("lft"),
                f"{node_field}__rght__lte": OuterRef("rght"),
            }
        )
        return self.annotate(**{name: Exists(below)})


class PolicyNode(MPTTModel, Publishable, Versioned):
    """A node of a plan's tree: a basic policy, policy, measure, chapter, section …

    Siblings keep the order the plan prints them in (the tree order; staff
    change it by drag and drop). The code is stored exactly as printed and is
    empty where the plan prints none: such a node is addressed by its title
    within its parent.
    """

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="nodes", verbose_name=_("計画")
    )
    parent = TreeForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("親"),
    )
    level_label = models.ForeignKey(
        PlanLevel,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("階層の名前"),
        help_text=_("空欄なら表示しません（例：基本政策に属さない付記）。"),
    )
    code = models.CharField(
        _("番号"),
        max_length=30,
        blank=True,
        help_text=_("計画書に印刷されたとおりの番号（例：Ⅶ-1-(1)）。印刷されていなければ空欄。"),
    )
    title = models.CharField(_("名称"), max_length=200)
    strategies = models.ManyToManyField(
        Strategy, blank=True, related_name="nodes", verbose_name=_("戦略")
    )
    sdg_goals = models.ManyToManyField(
        SDGGoal, blank=True, related_name="nodes", verbose_name=_("SDGsゴール")
    )
    wards = models.ManyToManyField(Ward, blank=True, related_name="nodes", verbose_name=_("区"))
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = PolicyNodeQuerySet.as_manager()
    # The nested-set numbers are not history: a revert keeps the node where
    # the tree has it now (policies.tree.save_node moves it if its parent differs).
    history = HistoricalRecords(
        excluded_fields=["lft", "rght", "tree_id", "level"],
        m2m_fields=[strategies, sdg_goals, wards],
    )

    class MPTTMeta:
        order_insertion_by: list[str] = []

    class Meta:
        verbose_name = _("政策体系の項目")
        verbose_name_plural = _("政策体系")

    def __str__(self):
        return f"{self.code} {self.title}" if self.code else self.title

    def get_absolute_url(self):
        return reverse("policies:node", args=[self.plan.slug, self.pk])

    @property
    def heading(self) -> str:
        """基本施策 Ⅶ-1-(1) 分権時代の新たな自治のしくみづくり, as a heading reads."""
        label = self.level_label.name if self.level_label_id else ""
        prefix = " ".join(part for part in (label, self.code) if part)
        return f"{prefix} {self.title}" if prefix else self.title

    def clean(self):
        if self.parent_id and self.parent.plan_id != self.plan_id:
            raise ValidationError({"parent": _("親は同じ計画の項目にしてください。")})
        if self.level_label_id and self.level_label.plan_id != self.plan_id:
            raise ValidationError({"level_label": _("この計画の階層を選んでください。")})
        siblings = PolicyNode.objects.filter(
            plan_id=self.plan_id, parent_id=self.parent_id
        ).exclude(pk=self.pk)
        if self.code and siblings.filter(code=self.code).exists():
            raise ValidationError({"code": _("同じ親の下に同じ番号の項目があります。")})
        if not self.code and siblings.filter(code="", title=self.title).exists():
            raise ValidationError(
                {"title": _("番号のない項目は、同じ親の下で名称が重複しないようにしてください。")}
            )


class NodeText(models.Model):
    """A text section of a node: 現状と課題, 計画期間の取組, a direction text …"""

    class Kind(models.TextChoices):
        OVERVIEW = "overview", _("概要・基本方向")
        SITUATION = "situation", _("現状と課題")
        ACTIONS = "actions", _("計画期間の取組")
        OTHER = "other", _("その他")
        CAPTION = "caption", _("図・写真の説明")

    node = models.ForeignKey(
        PolicyNode, on_delete=models.CASCADE, related_name="texts", verbose_name=_("項目")
    )
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    heading = models.CharField(
        _("見出し"), max_length=200, blank=True, help_text=_("計画書に印刷されたとおりの見出し。")
    )
    body = models.TextField(_("本文"), blank=True)
    position = models.PositiveSmallIntegerField(_("表示順"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("本文")
        verbose_name_plural = _("本文")
        ordering = ["node", "position", "pk"]

    def __str__(self):
        return self.heading or self.get_kind_display()


# --- progress management: evaluation scales and outcome indicators ----------


class ScaleSet(models.Model):
    """The scales a plan evaluates its projects with: an achievement level and a review result.

    Kawasaki's progress sheets (達成度 1–5, 評価結果 A–H) are the default set;
    a city whose sheets differ gets a set of its own, chosen on its plan.
    """

    name = models.CharField(_("名称"), max_length=100, unique=True)
    description = models.TextField(_("説明"), blank=True)
    is_default = models.BooleanField(
        _("標準"), default=False, help_text=_("評価区分を選んでいない計画はこれを使います。")
    )

    class Meta:
        verbose_name = _("評価区分の組")
        verbose_name_plural = _("評価区分の組")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="scaleset_one_default"
            )
        ]

    def __str__(self):
        return self.name

    def levels_of(self, scale: str) -> "list[ScaleLevel]":
        return [level for level in self.levels.all() if level.scale == scale]


class ScaleLevel(models.Model):
    """One level of a scale: 達成度 "3 目標をほぼ達成", 評価結果 "C" …"""

    class Scale(models.TextChoices):
        ACHIEVEMENT = "achievement", _("達成度")
        REVIEW = "review", _("評価結果")

    scale_set = models.ForeignKey(
        ScaleSet, on_delete=models.CASCADE, related_name="levels", verbose_name=_("評価区分の組")
    )
    scale = models.CharField(_("尺度"), max_length=20, choices=Scale.choices)
    code = models.CharField(_("記号"), max_length=5, help_text=_("例：1、A"))
    label = models.CharField(_("内容"), max_length=100)
    group = models.CharField(
        _("区分"), max_length=50, blank=True, help_text=_("例：目標どおりに進める")
    )
    position = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("評価区分")
        verbose_name_plural = _("評価区分")
        ordering = ["scale_set", "scale", "position", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["scale_set", "scale", "code"], name="scalelevel_unique_code"
            )
        ]

    def __str__(self):
        return f"{self.code} {self.full_label}"

    @property
    def full_label(self) -> str:
        return f"{self.group}：{self.label}" if self.group else self.label


def default_scale_set() -> "ScaleSet | None":
    return ScaleSet.objects.filter(is_default=True).first()


class IndicatorQuerySet(PublishableQuerySet):
    def published(self):
        return super().published().filter(node__in=PolicyNode.objects.published())


class Indicator(Publishable):
    """An outcome indicator on a node: 成果指標, KPI or 数値目標, with yearly targets and actuals.

    Zushi sets numerical targets per pillar of its basic vision and KPIs per
    concrete measure: both are indicators, on nodes of different levels.
    """

    class Kind(models.TextChoices):
        OUTCOME = "outcome", _("成果指標")
        KPI = "kpi", _("重要業績評価指標（KPI）")
        NUMERICAL_TARGET = "numerical_target", _("数値目標")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("値が大きいほど良い")
        LOWER = "lower", _("値が小さいほど良い")

    node = models.ForeignKey(
        PolicyNode, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("項目")
    )
    kind = models.CharField(_("種類"), max_length=20, choices=Kind.choices, default=Kind.OUTCOME)
    name = models.CharField(_("指標名"), max_length=200)
    unit = models.CharField(_("単位"), max_length=20, blank=True, help_text=_("例：%、人、件"))
    direction = models.CharField(
        _("望ましい方向"), max_length=10, choices=Direction.choices, default=Direction.HIGHER
    )
    source = models.CharField(
        _("出典"), max_length=200, blank=True, help_text=_("例：市民アンケート")
    )
    baseline_value = models.DecimalField(
        _("基準値"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    baseline_year = models.PositiveSmallIntegerField(
        _("基準値の年度"), null=True, blank=True, validators=fiscal_year_validators
    )
    position = models.PositiveSmallIntegerField(_("表示順"), default=0)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = IndicatorQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("成果指標")
        verbose_name_plural = _("成果指標")
        ordering = ["node", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["node", "name"], name="indicator_unique_name")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if (self.baseline_value is None) != (self.baseline_year is None):
            raise ValidationError(
                {"baseline_year": _("基準値と基準値の年度は、両方入れるか両方空欄にしてください。")}
            )


class IndicatorValue(models.Model):
    """An indicator's target and actual value for one fiscal year of the plan."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", verbose_name=_("成果指標")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"), validators=fiscal_year_validators)
    target = models.DecimalField(
        _("目標値"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    actual = models.DecimalField(
        _("実績値"), max_digits=16, decimal_places=4, null=True, blank=True
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("成果指標の年度別の値")
        verbose_name_plural = _("成果指標の年度別の値")
        ordering = ["indicator", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "fiscal_year"], name="indicatorvalue_unique_year"
            )
        ]

    def __str__(self):
        return f"{self.indicator} {self.fiscal_year}"

    def clean(self):
        if self.target is None and self.actual is None:
            raise ValidationError(_("目標値か実績値の少なくとも一方を入れてください。"))
        if self.indicator_id and self.fiscal_year:
            check_plan_year(self.indicator.node.plan, self.fiscal_year)


def check_plan_year(plan: Plan, fiscal_year: int) -> None:
    """Raise a ValidationError on ``fiscal_year`` when it lies outside the plan's years."""
    span = plan.fiscal_year_span()
    if span and not span[0] <= fiscal_year <= span[1]:
        raise ValidationError(
            {
                "fiscal_year": _("年度は計画期間（%(first)s～%(last)s年度）の中にしてください。")
                % {"first": span[0], "last": span[1]}
            }
        )


# --- staff: who may change which part of the plan, and the edits refused ---------
# A staff user's groups say what kind of work they do (planportal.permissions);
# their scope says on which part of the plan: one bureau (optionally one of its
# sections) and/or one ward.


class StaffScope(models.Model):
    """The part of the plan a bureau or ward editor may change."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_scope",
        verbose_name=_("職員"),
    )
    bureau = models.ForeignKey(
        "policies.Bureau",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所管局"),
        help_text=_("局編集者：この局が所管する事業を編集できます。"),
    )
    division = models.ForeignKey(
        "policies.Division",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("所管課"),
        help_text=_("指定すると、局の中でもこの課が所管する事業だけに限ります。"),
    )
    ward = models.ForeignKey(
        "policies.Ward",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("区"),
        help_text=_("区編集者：この区の項目・事業と、その市の(各区)事業を編集できます。"),
    )

    class Meta:
        verbose_name = _("職員の担当範囲")
        verbose_name_plural = _("職員の担当範囲")
        permissions = [("publish_content", _("計画・項目・事業を公開する、下書きに戻す"))]

    def __str__(self):
        parts = [str(part) for part in (self.bureau, self.division, self.ward) if part]
        return f"{self.user}: {' / '.join(parts)}" if parts else str(self.user)

    def clean(self):
        if self.division_id and self.division.bureau_id != self.bureau_id:
            raise ValidationError({"division": _("所管課は所管局に属する課を選んでください。")})


class EditConflict(models.Model):
    """An edit refused because someone else had saved the same object first.

    Keeps what the refused editor submitted, so that nothing typed is lost.
    """

    content_type = models.ForeignKey(
        ContentType, on_delete=models.CASCADE, verbose_name=_("対象の種類")
    )
    object_id = models.CharField(_("対象のID"), max_length=64)
    content_object = GenericForeignKey("content_type", "object_id")
    object_repr = models.CharField(_("対象"), max_length=300)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("保存できなかった職員"),
    )
    created_at = models.DateTimeField(_("日時"), auto_now_add=True)
    base_version = models.PositiveIntegerField(_("編集を始めた版"))
    stored_version = models.PositiveIntegerField(_("保存されていた版"))
    changed_fields = models.CharField(_("先に変更された項目"), max_length=500, blank=True)
    submitted = models.JSONField(_("保存できなかった入力"), default=dict)

    class Meta:
        verbose_name = _("編集の衝突")
        verbose_name_plural = _("編集の衝突")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.object_repr} ({self.created_at:%Y-%m-%d %H:%M})"
