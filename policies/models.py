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
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet
from simple_history.models import HistoricalRecords

from planportal.publication import (
    PUBLISHED_SQL,
    PublicationStatus,
    Publishable,
    PublishableQuerySet,
    SqlCondition,
)
from planportal.versioning import Versioned
from policies import indicator_text
from policies.charts import format_quantity
from schedule.fiscal import fiscal_year_range_label
from schedule.timing import PlanTiming, plan_timing
from schedule.validators import fiscal_year_validators


class DataLicence(models.TextChoices):
    """Licences a municipality may put its open data under (all allow reuse with credit or freely)."""

    CC_BY_4 = "cc-by-4.0", _("クリエイティブ・コモンズ 表示 4.0 国際（CC BY 4.0）")
    PDL_1 = "pdl-1.0", _("公共データ利用規約 第1.0版（PDL1.0）")
    CC0_1 = "cc0-1.0", _("CC0 1.0 全世界 パブリック・ドメイン提供（CC0）")


DATA_LICENCE_URLS = {
    DataLicence.CC_BY_4: "https://creativecommons.org/licenses/by/4.0/deed.ja",
    DataLicence.PDL_1: "https://www.digital.go.jp/resources/open_data/public_data_license_v1.0",
    DataLicence.CC0_1: "https://creativecommons.org/publicdomain/zero/1.0/deed.ja",
}


class Municipality(models.Model):
    name = models.CharField(_("名称"), max_length=50, unique=True)
    name_en = models.CharField(
        _("英語名称"), max_length=50, blank=True, help_text=_("英語のページで使います。")
    )
    slug = models.SlugField(_("スラッグ"), unique=True)
    data_licence = models.CharField(
        _("オープンデータの利用条件"),
        max_length=16,
        choices=DataLicence.choices,
        default=DataLicence.CC_BY_4,
        help_text=_(
            "この自治体の計画を書き出したファイル（CSV・Excel・JSON）の利用条件。"
            "オープンデータのページとファイルに示します。"
        ),
    )

    class Meta:
        verbose_name = _("自治体")
        verbose_name_plural = _("自治体")
        ordering = ["pk"]

    def __str__(self):
        return self.name

    @property
    def data_licence_url(self) -> str:
        return DATA_LICENCE_URLS[self.data_licence]


class Ward(models.Model):
    """An administrative ward (区) of a designated city."""

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="wards", verbose_name=_("自治体")
    )
    name = models.CharField(_("区名"), max_length=20)
    name_en = models.CharField(
        _("英語名称"),
        max_length=50,
        blank=True,
        help_text=_("英語のページで使います（例：Saiwai Ward）。"),
    )
    slug = models.SlugField(_("スラッグ"))
    position = models.PositiveSmallIntegerField(_("表示順"), default=0)
    place_names = models.TextField(
        _("区内の地名・施設名"),
        blank=True,
        help_text=_(
            "一行に一つ（区役所、支所、連絡所、駅など）。区名と、ここに挙げた名前を文中に含む事業を、"
            "区のページに「関連する可能性のある事業」として示します。"
        ),
    )
    ward_plan_url = models.URLField(
        _("区計画のURL"),
        blank=True,
        help_text=_("(各区)の事業の具体的な取組を載せた区計画。区のページからリンクします。"),
    )

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

    @property
    def names_in_text(self) -> list[str]:
        """The words that name this ward in a text: its name and its place names."""
        names = [self.name]
        for line in self.place_names.splitlines():
            if line.strip() and line.strip() not in names:
                names.append(line.strip())
        return names


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
    phone = models.CharField(
        _("電話番号"),
        max_length=30,
        blank=True,
        help_text=_("市民からの問い合わせ先（例：044-200-0000）。"),
    )
    email = models.EmailField(_("メールアドレス"), blank=True)
    contact_url = models.URLField(
        _("問い合わせページのURL"), blank=True, help_text=_("課のページや問い合わせフォーム。")
    )

    class Meta:
        verbose_name = _("所管課")
        verbose_name_plural = _("所管課")
        ordering = ["bureau", "name"]
        constraints = [
            models.UniqueConstraint(fields=["bureau", "name"], name="division_unique_name")
        ]

    def __str__(self):
        return f"{self.bureau.name} {self.name}"

    @property
    def has_contact(self) -> bool:
        return bool(self.phone or self.email or self.contact_url)


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
    def covering(self, fiscal_year: int, after: bool = False):
        """Plans whose period includes ``fiscal_year`` (an open end runs on); with
        ``after``, also those whose after-period column (2014年度以降) is that year."""
        last = fiscal_year - 1 if after else fiscal_year
        return self.filter(start_fiscal_year__lte=fiscal_year).filter(
            Q(end_fiscal_year__isnull=True) | Q(end_fiscal_year__gte=last)
        )


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
    evaluation_scheme = models.ForeignKey(
        "EvaluationScheme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="plans",
        verbose_name=_("評価の方式"),
        help_text=_("評価項目とその区分。空欄なら標準の方式を使います。"),
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

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
    def timing(self) -> PlanTiming:
        """Where the plan stands today: 計画期間中, 終了（…まで）, 策定中, 素案 …"""
        return plan_timing(
            self.stage, self.start_fiscal_year, self.end_fiscal_year, timezone.localdate()
        )

    @property
    def scheme(self) -> "EvaluationScheme | None":
        """The scheme the plan evaluates with: its own, or the default one."""
        return self.evaluation_scheme if self.evaluation_scheme_id else default_scheme()

    def criteria(self, with_levels: bool = True) -> "list[Criterion]":
        """The criteria of its scheme with their levels, in order: two queries, the scheme
        itself not read (one without the levels, for a page that reads them only when it
        has something to count)."""
        own = self.evaluation_scheme_id
        scheme = Q(scheme_id=own) if own else Q(scheme__is_default=True)
        criteria = Criterion.objects.filter(scheme).order_by("position", "pk")  # one scheme
        return list(criteria.prefetch_related("levels") if with_levels else criteria)

    def yearly_criteria(self) -> "list[Criterion]":
        """The criteria of its scheme that rate each project every fiscal year, with their
        levels: the columns of progress tables, roll-ups and round grids."""
        return [c for c in self.criteria() if c.on_project and not c.by_period]


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


class StrategyQuerySet(models.QuerySet):
    def published(self):
        """A strategy is seen where its plan is: on a published plan."""
        return self.filter(plan__status=PublicationStatus.PUBLISHED)


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
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = StrategyQuerySet.as_manager()
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
        return self.filter(
            SqlCondition(_NO_DRAFT_ABOVE_SQL, tree="tree_id", lft="lft", rght="rght"),
            status=PublicationStatus.PUBLISHED,
            plan__status=PublicationStatus.PUBLISHED,
        )

    @staticmethod
    def published_for(field: str = "node") -> SqlCondition:
        """A filter for rows of another model: their ``field`` is a node ``published()``
        keeps, as formatted SQL (``{field} IN (visible nodes)``) instead of a nested
        queryset built and compiled at each use."""
        return SqlCondition(f"{{node}} IN ({VISIBLE_NODE_IDS_SQL})", node=field)

    def path_to(self, pk: int):
        """The node ``pk`` and the nodes above it, from the top down, in one query: its
        nested-set numbers need not be read first."""
        below = PolicyNode.objects.filter(
            pk=pk, tree_id=OuterRef("tree_id"), lft__gte=OuterRef("lft"), rght__lte=OuterRef("rght")
        )
        return self.filter(Exists(below)).order_by("lft")

    def within(self, node: "PolicyNode"):
        """``node`` and every node below it."""
        return self.filter(tree_id=node.tree_id, lft__gte=node.lft, rght__lte=node.rght)

    def around(self, node: "PolicyNode", include_self=False):
        """The nodes above ``node`` (and it), from the top down."""
        lookups = {"lft__lte": node.lft, "rght__gte": node.rght}
        if not include_self:
            lookups = {"lft__lt": node.lft, "rght__gt": node.rght}
        return self.filter(tree_id=node.tree_id, **lookups).order_by("lft")

    def containing(self, nodes):
        """The nodes whose subtrees hold any of ``nodes`` (pks, or lists or querysets of
        pks): those nodes and their ancestors, the sections that print them."""
        single = [node for node in nodes if isinstance(node, int)]
        groups = [node for node in nodes if not isinstance(node, int)]
        held = Q(pk__in=single)
        for group in groups:
            held |= Q(pk__in=group)
        below = PolicyNode.objects.filter(
            held,
            tree_id=OuterRef("tree_id"),
            lft__gte=OuterRef("lft"),
            rght__lte=OuterRef("rght"),
        )
        return self.filter(Exists(below))

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
    def tree_children(self) -> list["PolicyNode"]:
        """The children ``get_cached_trees()`` loaded with the node: a list, where
        ``get_children()`` builds a queryset per node (a plan's tree has hundreds)."""
        return self._cached_children

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


def _no_draft_above_sql(tree: str, lft: str, rght: str) -> str:
    return (
        f"NOT EXISTS (SELECT 1 FROM {PolicyNode._meta.db_table} vis_above"
        f" WHERE vis_above.tree_id = {tree} AND vis_above.lft < {lft}"
        f" AND vis_above.rght > {rght} AND vis_above.status <> {PUBLISHED_SQL})"
    )


# ``PolicyNodeQuerySet.published()``'s rule on the ancestors, for a SqlCondition.
_NO_DRAFT_ABOVE_SQL = _no_draft_above_sql("{tree}", "{lft}", "{rght}")

# The nodes ``PolicyNodeQuerySet.published()`` keeps, as an uncorrelated SQL subquery
# for ``SqlCondition``s of the models that hang on nodes ("{node} IN (…)"): the same
# query Django would build, without building it for every use.
VISIBLE_NODE_IDS_SQL = (
    f"SELECT vis_node.id FROM {PolicyNode._meta.db_table} vis_node"
    f" INNER JOIN {Plan._meta.db_table} vis_plan ON vis_plan.id = vis_node.plan_id"
    f" WHERE vis_node.status = {PUBLISHED_SQL} AND vis_plan.status = {PUBLISHED_SQL}"
    f" AND {_no_draft_above_sql('vis_node.tree_id', 'vis_node.lft', 'vis_node.rght')}"
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


class EvaluationScheme(models.Model):
    """How a plan evaluates: its criteria (評価項目), each scored on a scale of its own.

    The default scheme is Kawasaki's 達成度 1–5 and 評価結果 A–H each year; a
    city whose sheets differ (another scale, a period-end review, further
    criteria) gets a scheme of its own, chosen on its plan. The schemes the
    portal ships with are data (``policies.evaluation_schemes``).
    """

    name = models.CharField(_("名称"), max_length=100, unique=True)
    description = models.TextField(_("説明"), blank=True)
    is_default = models.BooleanField(
        _("標準"), default=False, help_text=_("評価の方式を選んでいない計画はこれを使います。")
    )

    class Meta:
        verbose_name = _("評価の方式")
        verbose_name_plural = _("評価の方式")
        ordering = ["-is_default", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"], condition=Q(is_default=True), name="scheme_one_default"
            )
        ]

    def __str__(self):
        return self.name


class Criterion(models.Model):
    """One criterion of a scheme (達成度, 評価結果, 事業の妥当性 …): what it rates and when."""

    class Subject(models.TextChoices):
        PROJECT = "project", _("事業")
        MEASURE = "measure", _("施策")
        POLICY = "policy", _("政策")

    class Timing(models.TextChoices):
        YEARLY = "yearly", _("毎年度")
        MID_TERM = "mid_term", _("中間評価")
        PERIOD_END = "period_end", _("期末評価")

    scheme = models.ForeignKey(
        EvaluationScheme,
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=_("評価の方式"),
    )
    name = models.CharField(_("評価項目"), max_length=100, help_text=_("例：達成度、事業の妥当性"))
    subject = models.CharField(
        _("評価の対象"), max_length=20, choices=Subject.choices, default=Subject.PROJECT
    )
    timing = models.CharField(
        _("評価の時期"), max_length=20, choices=Timing.choices, default=Timing.YEARLY
    )
    position = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("評価項目")
        verbose_name_plural = _("評価項目")
        ordering = ["scheme", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "name"], name="criterion_unique_name")
        ]

    def __str__(self):
        return self.name

    @property
    def on_project(self) -> bool:
        return self.subject == self.Subject.PROJECT

    @property
    def by_period(self) -> bool:
        """Rated once for a period of the plan (中間評価, 期末評価), not each year."""
        return self.timing != self.Timing.YEARLY


class CriterionLevel(models.Model):
    """One level of a criterion's scale: 達成度 "3 目標をほぼ達成", 評価結果 "C", "Ⅳ" …"""

    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="levels", verbose_name=_("評価項目")
    )
    code = models.CharField(_("記号"), max_length=5, help_text=_("例：1、A、Ⅲ"))
    label = models.CharField(
        _("内容"), max_length=100, blank=True, help_text=_("例：目標をほぼ達成、優る")
    )
    group = models.CharField(
        _("区分"), max_length=50, blank=True, help_text=_("例：目標どおりに進める")
    )
    position = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("評価区分")
        verbose_name_plural = _("評価区分")
        ordering = ["criterion", "position", "code"]
        constraints = [
            models.UniqueConstraint(fields=["criterion", "code"], name="criterionlevel_unique_code")
        ]

    def __str__(self):
        return f"{self.code} {self.full_label}".strip()

    @property
    def full_label(self) -> str:
        return f"{self.group}：{self.label}" if self.group else self.label


def default_scheme() -> "EvaluationScheme | None":
    return EvaluationScheme.objects.filter(is_default=True).first()


NUMBER_HELP = _("表記どおりの欄が空のときだけ入れます。表記があれば、そこから読み取ります。")


class IndicatorQuerySet(PublishableQuerySet):
    def published(self):
        """Published indicators of a published node or of a published project.

        Projects live in a higher layer: their model is reached through the
        foreign key, and their own ``published()`` decides."""
        projects = self.model._meta.get_field("project").related_model.objects
        return (
            super()
            .published()
            .filter(PolicyNodeQuerySet.published_for("node") | projects.published_for("project"))
        )


class Indicator(Publishable):
    """An indicator as the progress sheets write it, on a node or on a project.

    Zushi sets numerical targets per pillar of its basic vision and KPIs per
    concrete measure; Kawasaki's sheets have 成果指標 per measure and project
    and 市民の実感指標 (survey-based) per policy. A compound indicator has
    parts (``part_of``), each with its own values. The baseline is kept as
    written, dated by a fiscal year or a label such as 計画策定時.
    """

    class Kind(models.TextChoices):
        OUTCOME = "outcome", _("成果指標")
        KPI = "kpi", _("重要業績評価指標（KPI）")
        NUMERICAL_TARGET = "numerical_target", _("数値目標")
        PERCEPTION = "perception", _("市民の実感指標")

    class Direction(models.TextChoices):
        HIGHER = "higher", _("値が大きいほど良い")
        LOWER = "lower", _("値が小さいほど良い")

    node = models.ForeignKey(
        PolicyNode,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("項目"),
        help_text=_("施策・政策などの項目の指標なら項目を、事業の指標なら事業を選びます。"),
    )
    project = models.ForeignKey(
        "projects.Project",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="indicators",
        verbose_name=_("事業"),
    )
    part_of = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="parts",
        verbose_name=_("複合指標"),
        help_text=_("複数の指標から成る指標の一部なら、その指標を選びます。"),
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
    note = models.TextField(
        _("注記"), blank=True, help_text=_("指標の定義、算出方法、複合指標の構成など。")
    )
    baseline_text = models.CharField(
        _("基準値（表記どおり）"),
        max_length=100,
        blank=True,
        help_text=_("例：45.2%、約3万人。数値が読み取れれば基準値（数値）に入ります。"),
    )
    baseline_value = models.DecimalField(
        _("基準値（数値）"),
        max_digits=16,
        decimal_places=4,
        null=True,
        blank=True,
        help_text=NUMBER_HELP,
    )
    baseline_year = models.PositiveSmallIntegerField(
        _("基準値の年度"), null=True, blank=True, validators=fiscal_year_validators
    )
    baseline_label = models.CharField(
        _("基準値の時点の表記"),
        max_length=50,
        blank=True,
        help_text=_("年度ではなく「計画策定時」などと書かれている場合。"),
    )
    position = models.PositiveSmallIntegerField(_("表示順"), default=0)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = IndicatorQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("成果指標")
        verbose_name_plural = _("成果指標")
        ordering = ["node", "project", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["node", "name"], name="indicator_unique_name"),
            models.UniqueConstraint(
                fields=["project", "name"], name="indicator_unique_name_on_project"
            ),
            models.CheckConstraint(
                condition=Q(node__isnull=False, project__isnull=True)
                | Q(node__isnull=True, project__isnull=False),
                name="indicator_on_node_or_project",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def owner(self):
        """The node or the project the indicator belongs to."""
        return self.node if self.node_id else self.project

    @property
    def plan(self) -> Plan | None:
        owner = self.owner
        return owner.plan if owner is not None else None

    @property
    def baseline_written(self) -> str:
        return self.baseline_text or format_quantity(self.baseline_value)

    @property
    def baseline_when(self) -> str:
        """計画策定時, or 2012年度: when the baseline was measured, as written."""
        if self.baseline_label:
            return self.baseline_label
        return f"{self.baseline_year}年度" if self.baseline_year else ""

    def clean(self):
        errors = {}
        if bool(self.node_id) == bool(self.project_id):
            errors["node"] = _("項目か事業のどちらか一方を選んでください。")
        elif self.kind == self.Kind.PERCEPTION and self.project_id:
            errors["kind"] = _(
                "市民の実感指標は政策などの項目に付けてください（事業には付けません）。"
            )
        if self.part_of_id:
            parent = self.part_of
            if parent.pk == self.pk or parent.part_of_id:
                errors["part_of"] = _("複合指標の一部にできるのは、一部ではない指標だけです。")
            elif (parent.node_id, parent.project_id) != (self.node_id, self.project_id):
                errors["part_of"] = _("複合指標と同じ項目・事業に付けてください。")
            elif self.pk and self.parts.exists():
                errors["part_of"] = _("一部を持つ指標は、ほかの指標の一部にできません。")
        if self.baseline_text:
            self.baseline_value = indicator_text.read_quantity(self.baseline_text).value
        has_baseline = bool(self.baseline_text) or self.baseline_value is not None
        has_date = bool(self.baseline_year or self.baseline_label)
        if has_baseline != has_date:
            errors["baseline_year"] = _(
                "基準値を入れるときは年度か時点の表記（例：計画策定時）も入れてください。時点だけでは入れられません。"
            )
        if errors:
            raise ValidationError(errors)


class IndicatorValue(models.Model):
    """An indicator's target and actual for one fiscal year, as written and as a number.

    The text is kept as the sheet writes it (「80%以上」, 「継続実施」); the number is
    read from it where it can be (``policies.indicator_text``) or entered. A year
    after the plan's last one can hold a target (a 2030 goal), not an actual.
    """

    class Condition(models.TextChoices):
        """The conditions ``indicator_text`` reads (80%以上 → at least 80)."""

        EXACT = indicator_text.Condition.EXACT, _("（そのまま）")
        AT_LEAST = indicator_text.Condition.AT_LEAST, _("以上")
        AT_MOST = indicator_text.Condition.AT_MOST, _("以下")
        ABOVE = indicator_text.Condition.ABOVE, _("超")
        BELOW = indicator_text.Condition.BELOW, _("未満")

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", verbose_name=_("成果指標")
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("年度"),
        validators=fiscal_year_validators,
        help_text=_("計画期間より後の年度（例：2030年度の目標）には目標だけを入れられます。"),
    )
    target_text = models.CharField(
        _("目標（表記どおり）"),
        max_length=200,
        blank=True,
        help_text=_("例：80%以上、継続実施、現状値以上。数値が読み取れれば目標値に入ります。"),
    )
    target = models.DecimalField(
        _("目標値"), max_digits=16, decimal_places=4, null=True, blank=True, help_text=NUMBER_HELP
    )
    target_condition = models.CharField(
        _("目標値の条件"), max_length=10, choices=Condition.choices, default="", blank=True
    )
    actual_text = models.CharField(
        _("実績（表記どおり）"),
        max_length=200,
        blank=True,
        help_text=_("数値が読み取れれば実績値に入ります。"),
    )
    actual = models.DecimalField(
        _("実績値"), max_digits=16, decimal_places=4, null=True, blank=True, help_text=NUMBER_HELP
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

    @property
    def target_written(self) -> str:
        if self.target_text:
            return self.target_text
        written = format_quantity(self.target)
        return (
            written + self.get_target_condition_display()
            if written and self.target_condition
            else written
        )

    @property
    def actual_written(self) -> str:
        return self.actual_text or format_quantity(self.actual)

    def read_numbers(self) -> None:
        """The written texts are the truth: read the numbers (and the target's condition)
        from them; a number is typed only where there is no text."""
        if self.target_text:
            reading = indicator_text.read_quantity(self.target_text)
            self.target, self.target_condition = reading.value, reading.condition
        if self.actual_text:
            self.actual = indicator_text.read_quantity(self.actual_text).value

    def clean(self):
        self.target_text = self.target_text.strip()
        self.actual_text = self.actual_text.strip()
        has_target = bool(self.target_text) or self.target is not None
        has_actual = bool(self.actual_text) or self.actual is not None
        if not (has_target or has_actual):
            raise ValidationError(_("目標か実績の少なくとも一方を入れてください。"))
        self.read_numbers()
        indicator = getattr(self, "indicator", None)  # also an indicator being added with it
        plan = indicator.plan if indicator is not None else None
        span = plan.fiscal_year_span() if plan else None
        if not (span and self.fiscal_year):
            return
        if self.fiscal_year < span[0]:
            raise ValidationError(
                {
                    "fiscal_year": _(
                        "年度は計画の最初の年度（%(first)s年度）以降にしてください。基準値は成果指標の「基準値」に入れます。"
                    )
                    % {"first": span[0]}
                }
            )
        if self.fiscal_year > span[1] and has_actual:
            raise ValidationError(
                {
                    "fiscal_year": _(
                        "計画期間（%(first)s～%(last)s年度）より後の年度には、目標だけを入れられます。"
                    )
                    % {"first": span[0], "last": span[1]}
                }
            )


class MeasureEvaluationQuerySet(PublishableQuerySet):
    def published(self):
        return super().published().filter(PolicyNodeQuerySet.published_for("node"))


class MeasureEvaluation(Publishable):
    """What a measure's evaluation sheet (施策評価シート, 施策進行管理・評価票) says for a year.

    One per node and fiscal year assessed; a sheet that names only its own year
    (「令和4年度評価シート」) is kept by that label, without an assessed year.
    The sheet's projects, results and indicators are read from them, not copied.
    """

    node = models.ForeignKey(
        PolicyNode, on_delete=models.CASCADE, related_name="evaluations", verbose_name=_("項目")
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("評価する年度"),
        null=True,
        blank=True,
        validators=fiscal_year_validators,
        help_text=_(
            "シートが評価する年度。シートに書かれていなければ空欄にして、シートの表記を入れます。"
        ),
    )
    sheet_label = models.CharField(
        _("シートの表記"),
        max_length=100,
        blank=True,
        help_text=_("例：令和4年度評価シート。評価する年度がわからないときは必須です。"),
    )
    is_priority = models.BooleanField(_("重点"), default=False)
    author_division = models.ForeignKey(
        Division,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="authored_evaluations",
        verbose_name=_("作成課"),
    )
    related_divisions = models.ManyToManyField(
        Division, blank=True, related_name="related_evaluations", verbose_name=_("関係課")
    )
    issues = models.TextField(_("課題"), blank=True)
    overview = models.TextField(_("概要"), blank=True)
    goal = models.TextField(_("目標"), blank=True)
    outcome = models.TextField(_("成果の説明"), blank=True)
    explanation = models.TextField(
        _("評価の説明"), blank=True, help_text=_("評価の理由や今後の方向性。")
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = MeasureEvaluationQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[related_divisions])

    class Meta:
        verbose_name = _("施策の評価シート")
        verbose_name_plural = _("施策の評価シート")
        ordering = ["node", "fiscal_year", "sheet_label", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["node", "fiscal_year"],
                condition=Q(fiscal_year__isnull=False),
                name="evaluation_unique_year",
            ),
            models.UniqueConstraint(
                fields=["node", "sheet_label"],
                condition=Q(fiscal_year__isnull=True),
                name="evaluation_unique_label",
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year__isnull=False) | ~Q(sheet_label=""),
                name="evaluation_year_or_label",
            ),
        ]

    def __str__(self):
        return f"{self.node} {self.sheet_label or f'{self.fiscal_year}年度'}"

    def clean(self):
        self.sheet_label = self.sheet_label.strip()
        if not self.fiscal_year and not self.sheet_label:
            raise ValidationError(
                {
                    "sheet_label": _(
                        "評価する年度か、シートの表記（例：令和4年度評価シート）を入れてください。"
                    )
                }
            )
        if not self.node_id:
            return
        plan = self.node.plan
        if self.fiscal_year:
            check_plan_year(plan, self.fiscal_year)
        if (
            self.author_division_id
            and self.author_division.bureau.municipality_id != plan.municipality_id
        ):
            raise ValidationError(
                {"author_division": _("作成課は、この計画の自治体の課から選んでください。")}
            )


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
