"""Projects (事務事業), where the plan lists them, and their yearly targets.

A project has one home measure. The plan may show it again under other
measures (再掲): those are listings of the same project, never copies.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from planportal.publication import (
    PUBLISHED_SQL,
    PublicationStatus,
    Publishable,
    PublishableQuerySet,
    SqlCondition,
)
from planportal.versioning import Versioned
from policies.models import (
    VISIBLE_NODE_IDS_SQL,
    Bureau,
    Criterion,
    CriterionLevel,
    Division,
    Plan,
    PolicyNode,
    PolicyNodeQuerySet,
    SDGGoal,
    Strategy,
    Ward,
    check_plan_year,
)
from projects import progress
from projects.target_table import (
    Cell,
    Column,
    Revision,
    build_row,
    display_name,
    plan_columns,
)
from schedule.fiscal import dual_label
from schedule.models import PlanPeriod
from schedule.validators import fiscal_year_validators


class ProjectQuerySet(PublishableQuerySet):
    def published(self):
        """Published projects of published plans that are not under a draft.

        A project is under a draft when its home measure is hidden (a draft, or
        below one), or, having no home in the portal, when every measure that
        lists it is hidden.
        """
        return (
            super()
            .published()
            .filter(plan__status=PublicationStatus.PUBLISHED)
            .filter(SqlCondition(_VISIBLE_PROJECT_SQL, home="home_node", pk="pk"))
        )

    def exists_for(self, field: str = "project"):
        """A filter for rows of another model: their ``field`` is one of these projects.

        A correlated EXISTS rather than ``field__in=``: SQLite evaluates ``IN
        (subquery)`` over every project the subquery keeps first (~50 ms for the 20,000
        of a large plan) and EXISTS only for the rows at hand; PostgreSQL plans both as
        the same semi-join.
        """
        return Exists(self.filter(pk=OuterRef(field)))

    @staticmethod
    def published_for(field: str = "project") -> SqlCondition:
        """``published().exists_for(field)`` as formatted SQL: the same correlated EXISTS,
        without building and compiling the nested querysets of ``published()`` (about a
        millisecond a use). Models below this layer reach it through their foreign key."""
        return SqlCondition(_VISIBLE_PROJECT_ID_SQL, project=field)

    def under(self, node: PolicyNode):
        """Projects listed under ``node`` or any node below it, home or 再掲, once each."""
        listed_below = ProjectListing.objects.filter(
            project=models.OuterRef("pk"), node__in=PolicyNode.objects.within(node)
        )
        return self.filter(models.Exists(listed_below))

    def naming_any(self, words):
        """Projects whose texts (name, summary, baseline, actions, yearly targets and their
        revisions) contain at least one of ``words``."""
        condition = Q()
        for word in words:
            in_targets = YearlyTarget.objects.filter(project=OuterRef("pk"), text__contains=word)
            in_revisions = TargetRevision.objects.filter(
                project=OuterRef("pk"), text__contains=word
            )
            condition |= (
                Q(name__contains=word)
                | Q(summary__contains=word)
                | Q(baseline__contains=word)
                | Q(actions_in_period__contains=word)
                | Exists(in_targets)
                | Exists(in_revisions)
            )
        return self.filter(condition) if words else self.none()

    def possibly_in(self, ward):
        """Projects of the ward's city, neither tagged with it nor (各区), whose texts name
        the ward or one of its places: suggestions for the ward's page and for staff."""
        return (
            self.filter(plan__municipality=ward.municipality)
            .exclude(wards=ward)
            .exclude(each_ward=True)
            .naming_any(ward.names_in_text)
        )


class Project(Publishable, Versioned):
    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="projects", verbose_name=_("計画")
    )
    home_node = models.ForeignKey(
        PolicyNode,
        on_delete=models.RESTRICT,  # a measure goes only together with its projects
        null=True,
        blank=True,
        related_name="home_projects",
        verbose_name=_("本来の施策"),
        help_text=_("事業が本来属する施策。再掲はここではなく「掲載箇所」で指定します。"),
    )
    home_note = models.CharField(
        _("本来の施策についての注記"),
        max_length=300,
        blank=True,
        help_text=_("本来の施策がこのポータルに収録されていない場合などに、その旨を記します。"),
    )
    name = models.CharField(_("事業名"), max_length=200, db_index=True)
    each_ward = models.BooleanField(
        _("各区で実施"),
        default=False,
        help_text=_("計画書で「(各区)」と付記された事業。各区の具体的な取組は区計画に載ります。"),
    )
    summary = models.TextField(_("事業概要"), blank=True)
    baseline = models.TextField(_("現状"), blank=True, help_text=_("計画策定時の現状。"))
    actions_in_period = models.TextField(
        _("計画期間の取組"),
        blank=True,
        help_text=_("年度別の目標のない事業（事業概要と計画期間の取組だけの様式）で使います。"),
    )
    bureau = models.ForeignKey(
        Bureau,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("所管局"),
    )
    division = models.ForeignKey(
        Division,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("所管課"),
    )
    wards = models.ManyToManyField(Ward, blank=True, related_name="projects", verbose_name=_("区"))
    strategies = models.ManyToManyField(
        Strategy, blank=True, related_name="projects", verbose_name=_("戦略")
    )
    sdg_goals = models.ManyToManyField(
        SDGGoal, blank=True, related_name="projects", verbose_name=_("SDGsゴール")
    )
    listed_under = models.ManyToManyField(
        PolicyNode,
        through="ProjectListing",
        related_name="listed_projects",
        verbose_name=_("掲載箇所"),
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = ProjectQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[wards, strategies, sdg_goals])

    class Meta:
        verbose_name = _("事業")
        verbose_name_plural = _("事業")
        ordering = ["plan", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "name", "each_ward"], name="project_unique_name"
            )
        ]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("projects:project", args=[self.plan.slug, self.pk])

    @property
    def display_name(self) -> str:
        return display_name(self.name, self.each_ward)

    @property
    def responsible_bureau(self) -> Bureau | None:
        """所管局: the one recorded, or else the bureau of the recorded section (so the
        exports never show a 所管課 without its 所管局)."""
        if self.bureau_id:
            return self.bureau
        return self.division.bureau if self.division_id else None

    def tag_with_ward(self, ward: Ward) -> None:
        """Tag with ``ward`` as an edit would: a new version and 更新日時, one history
        record (written by the m2m change) and the cached pages made stale."""
        with transaction.atomic():
            self.skip_history_when_saving = True
            try:
                self.save(update_fields=["updated_at"])
            finally:
                del self.skip_history_when_saving
            self.wards.add(ward)

    def clean(self):
        errors = {}
        if self.home_node_id and self.plan_id and self.home_node.plan_id != self.plan_id:
            errors["home_node"] = _("本来の施策は同じ計画の項目にしてください。")
        if self.division_id and self.bureau_id and self.division.bureau_id != self.bureau_id:
            errors["division"] = _("所管課は所管局に属する課を選んでください。")
        if errors:
            raise ValidationError(errors)

    # --- yearly targets -----------------------------------------------------

    @property
    def columns(self) -> list[Column]:
        if not self.plan.has_fiscal_period:
            return []
        return plan_columns(self.plan.start_fiscal_year, self.plan.end_fiscal_year)

    def target_lines(self) -> list[tuple[dict[Column, str], list[Revision]]]:
        """Each printed line of the target table: its cells' texts by column, and the
        revisions (目標変更) of its cells.

        Reads ``self.targets.all()`` and ``self.target_revisions.all()``, so a
        prefetch serves every project of a page.
        """
        lines: dict[int, tuple[dict[Column, str], list[Revision]]] = {}
        for target in self.targets.all():
            lines.setdefault(target.line, ({}, []))[0][target.column] = target.text
        for revision in self.target_revisions.all():
            lines.setdefault(revision.line, ({}, []))[1].append(revision.as_revision())
        return [lines[line] for line in sorted(lines)]

    def words_named(self, words) -> list[str]:
        """Which of ``words`` its texts contain (``targets`` and ``target_revisions``
        prefetched): what ``naming_any`` found, to show."""
        texts = [self.name, self.summary, self.baseline, self.actions_in_period]
        texts += [target.text for target in self.targets.all()]
        texts += [revision.text for revision in self.target_revisions.all()]
        return [word for word in words if any(word in text for text in texts)]

    def target_rows(self) -> list[list[Cell]]:
        """The printed target table, one list of cells per printed line, with the
        revisions in the cells they revise."""
        columns = self.columns
        return [build_row(columns, texts, revisions) for texts, revisions in self.target_lines()]


class ProjectListing(models.Model):
    """Where the plan prints a project: its home measure, or a 再掲 under another."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="listings", verbose_name=_("事業")
    )
    node = models.ForeignKey(
        PolicyNode, on_delete=models.CASCADE, related_name="listings", verbose_name=_("施策")
    )
    position = models.PositiveIntegerField(
        _("掲載順"), default=0, blank=True, help_text=_("空欄なら、その施策の最後に載せます。")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("掲載箇所")
        verbose_name_plural = _("掲載箇所")
        ordering = ["node", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["project", "node"], name="listing_unique_node")
        ]

    def __str__(self):
        marker = _("(再掲)") if self.is_relisting else ""
        return f"{self.node}: {self.project}{marker}"

    def save(self, *args, **kwargs):
        if self.position is None:  # left empty: after the projects already listed there
            self.position = ProjectListing.next_position(self.node_id)
        super().save(*args, **kwargs)

    @property
    def is_relisting(self) -> bool:
        return self.node_id != self.project.home_node_id

    @staticmethod
    def next_position(node_id) -> int:
        last = ProjectListing.objects.filter(node_id=node_id).aggregate(last=models.Max("position"))
        return 0 if last["last"] is None else last["last"] + 1

    def clean(self):
        if self.node_id and self.project_id and self.node.plan_id != self.project.plan_id:
            raise ValidationError({"node": _("掲載箇所は事業と同じ計画の項目にしてください。")})


def _visible_project_sql() -> str:
    listing = ProjectListing._meta.db_table
    return (
        f"{{home}} IN ({VISIBLE_NODE_IDS_SQL})"
        f" OR ({{home}} IS NULL AND (EXISTS (SELECT 1 FROM {listing} vis_listing"
        " WHERE vis_listing.project_id = {pk}"
        f" AND vis_listing.node_id IN ({VISIBLE_NODE_IDS_SQL}))"
        f" OR NOT EXISTS (SELECT 1 FROM {listing} vis_listing WHERE vis_listing.project_id = {{pk}})))"
    )


# ProjectQuerySet.published()'s rule on the home measure (or, without one, the listings).
_VISIBLE_PROJECT_SQL = _visible_project_sql()

# "{project} is a project ProjectQuerySet.published() keeps", for a SqlCondition of
# the rows that hang on projects: a correlated EXISTS, checked only for the rows at hand.
_VISIBLE_PROJECT_ID_SQL = (
    f"EXISTS (SELECT 1 FROM {Project._meta.db_table} vis_project"
    f" INNER JOIN {Plan._meta.db_table} vis_project_plan"
    " ON vis_project_plan.id = vis_project.plan_id"
    " WHERE vis_project.id = {project}"
    f" AND vis_project.status = {PUBLISHED_SQL} AND vis_project_plan.status = {PUBLISHED_SQL}"
    f" AND ({_VISIBLE_PROJECT_SQL.format(home='vis_project.home_node_id', pk='vis_project.id')}))"
)


class YearlyTarget(models.Model):
    """One printed cell of a project's target table (事業内容・目標).

    Only filled cells are stored; an empty cell after a filled one is that
    cell's continuation (a merged cell), decided by ``projects.target_table``.
    """

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="targets", verbose_name=_("事業")
    )
    line = models.PositiveSmallIntegerField(
        _("行"),
        default=0,
        help_text=_("一つの事業の表が複数行に分かれている場合の行番号（0から）。"),
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"))
    after_period = models.BooleanField(
        _("以降"), default=False, help_text=_("計画期間の翌年度以降の列（例：2014年度以降）。")
    )
    text = models.TextField(
        _("内容・目標"), help_text=_("印刷どおりに。「→」だけなら前年度と同じという意味です。")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("年度別の目標")
        verbose_name_plural = _("年度別の目標")
        ordering = ["project", "line", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "line", "fiscal_year"], name="target_unique_cell"
            )
        ]

    def __str__(self):
        return f"{self.project} {self.fiscal_year}"

    @property
    def column(self) -> Column:
        return Column(self.fiscal_year, self.after_period)

    def clean(self):
        project = getattr(self, "project", None)  # also a project being added with its targets
        if project is None or not project.plan_id:
            return
        columns = project.columns
        if columns and self.column not in columns:
            first, last = columns[0].fiscal_year, columns[-2].fiscal_year
            raise ValidationError(
                {
                    "fiscal_year": _(
                        "年度は計画期間（%(first)s～%(last)s年度）か、翌年度以降（%(after)s年度以降）にしてください。"
                    )
                    % {"first": first, "last": last, "after": last + 1}
                }
            )


class TargetRevision(models.Model):
    """A revised yearly target (目標変更): decided in a fiscal year, for a reason.

    The printed target (``YearlyTarget``) is never overwritten; a cell revised
    twice keeps both revisions, the later decision being the one in force.
    """

    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        related_name="target_revisions",
        verbose_name=_("事業"),
    )
    line = models.PositiveSmallIntegerField(
        _("行"), default=0, help_text=_("変更する目標の、表の行番号（0から）。")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("目標の年度"))
    after_period = models.BooleanField(
        _("以降"), default=False, help_text=_("計画期間の翌年度以降の列の目標を変更する場合。")
    )
    text = models.TextField(_("変更後の内容・目標"))
    decided_in = models.PositiveSmallIntegerField(
        _("変更を決めた年度"), validators=fiscal_year_validators
    )
    reason = models.TextField(_("変更の理由"))

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("目標変更")
        verbose_name_plural = _("目標変更")
        ordering = ["project", "line", "fiscal_year", "decided_in", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["project", "line", "fiscal_year", "decided_in"],
                name="revision_unique_decision",
            )
        ]

    def __str__(self):
        return f"{self.project} {self.fiscal_year}（{self.decided_in}年度変更）"

    @property
    def column(self) -> Column:
        return Column(self.fiscal_year, self.after_period)

    def as_revision(self) -> Revision:
        return Revision(self.column, self.text, self.decided_in, self.reason)

    def clean(self):
        errors = {}
        if not self.text.strip():
            errors["text"] = _("変更後の内容・目標を入れてください。")
        if not self.reason.strip():
            errors["reason"] = _("変更の理由を入れてください。")
        if self.project_id:
            columns = self.project.columns
            if columns and self.column not in columns:
                first, last = columns[0].fiscal_year, columns[-2].fiscal_year
                errors["fiscal_year"] = _(
                    "目標の年度は計画期間（%(first)s～%(last)s年度）か、翌年度以降（%(after)s年度以降）にしてください。"
                ) % {"first": first, "last": last, "after": last + 1}
            span = self.project.plan.fiscal_year_span()
            if self.decided_in and span and not span[0] <= self.decided_in <= span[1]:
                errors["decided_in"] = _(
                    "変更を決めた年度は計画期間（%(first)s～%(last)s年度）の中にしてください。"
                ) % {"first": span[0], "last": span[1]}
        if errors:
            raise ValidationError(errors)


def target_prefetches(path: str = "") -> list[models.Prefetch]:
    """Prefetches of the yearly targets and revisions of projects (``path`` leads to them:
    "project__" from a listing), in the order the target table reads them. The models'
    ordering starts with the project, ordered by its plan: two joins a query to sort rows
    a prefetch groups by project anyway."""
    return [
        models.Prefetch(f"{path}targets", YearlyTarget.objects.order_by("line", "fiscal_year")),
        models.Prefetch(
            f"{path}target_revisions",
            TargetRevision.objects.order_by("line", "fiscal_year", "decided_in", "pk"),
        ),
    ]


class ProjectResultQuerySet(PublishableQuerySet):
    def published(self):
        return super().published().filter(ProjectQuerySet.published_for("project"))

    def publish(self) -> int:
        """Publish these results, except those an evaluation workflow still holds back
        (a result under evaluation becomes public only once approved)."""
        held = progress.held_back(self).values("pk")
        return PublishableQuerySet.publish(self.exclude(pk__in=held))


class ProjectResult(Publishable):
    """A project's actual result (実績) for one fiscal year, with the explanation of its
    evaluation; the levels of the plan's criteria for that year are ``EvaluationValue``s."""

    project = models.ForeignKey(
        Project, on_delete=models.CASCADE, related_name="results", verbose_name=_("事業")
    )
    fiscal_year = models.PositiveSmallIntegerField(_("年度"), validators=fiscal_year_validators)
    actual = models.TextField(_("実績"), blank=True)
    comment = models.TextField(
        _("評価の説明"), blank=True, help_text=_("評価の理由や今後の方向性。")
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = ProjectResultQuerySet.as_manager()

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("実績と評価")
        verbose_name_plural = _("実績と評価")
        ordering = ["project", "fiscal_year"]
        constraints = [
            models.UniqueConstraint(fields=["project", "fiscal_year"], name="result_unique_year")
        ]

    def __str__(self):
        return f"{self.project} {self.fiscal_year}"

    def clean(self):
        project = getattr(self, "project", None)  # also a project being added with its results
        if project is None or not project.plan_id:
            return
        if self.fiscal_year:
            check_plan_year(project.plan, self.fiscal_year)
        if self.is_published() and progress.is_held(self.project_id, self.fiscal_year):
            raise ValidationError(_("評価作業で承認されるまで、この実績は公開できません。"))


class ImportJob(models.Model):
    """A confirmed import too big for a web request, run by the task queue
    (``projects.tasks.run_plan_import``). The file waits here, not in a host's
    cache, so that a worker on any host reads it; it is dropped once imported."""

    plan = models.ForeignKey(
        Plan, on_delete=models.CASCADE, related_name="import_jobs", verbose_name=_("計画")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("取り込んだ職員"),
    )
    file_name = models.CharField(_("ファイル名"), max_length=255)
    content = models.BinaryField(_("ファイル"))
    under = models.ForeignKey(
        PolicyNode,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("取り込む先の項目"),
    )
    publish = models.BooleanField(_("新しい事業を公開する"), default=False)
    overwrite_newer = models.BooleanField(
        _("書き出した後に変更された事業も上書きする"), default=False
    )
    seen_versions = models.JSONField(_("確認した版"), default=dict)
    created_at = models.DateTimeField(_("登録日時"), auto_now_add=True)
    # Set in the import's own transaction: counts, or the problems that refused it.
    outcome = models.JSONField(_("結果"), null=True)

    class Meta:
        verbose_name = _("取り込みジョブ")
        verbose_name_plural = _("取り込みジョブ")

    def __str__(self):
        return self.file_name

    def finish(self, outcome: dict) -> None:
        self.outcome = outcome
        self.content = b""
        self.save(update_fields=["outcome", "content"])


class EvaluationValueQuerySet(PublishableQuerySet):
    def published(self):
        return (
            super()
            .published()
            .filter(
                ProjectQuerySet.published_for("project") | PolicyNodeQuerySet.published_for("node")
            )
        )

    def publish(self) -> int:
        """Publish these values, except those an evaluation workflow still holds back."""
        held = progress.held_back(self).values("pk")
        return PublishableQuerySet.publish(self.exclude(pk__in=held))

    def with_levels(self):
        return self.select_related("criterion", "level", "period")


class EvaluationValue(Publishable):
    """One criterion's level for a project or a node, at one time, with its explanation.

    The time is a fiscal year (a yearly criterion), a period of the plan (a
    mid-term or period-end criterion: 中間評価 / 期末評価 of that period), or —
    for a sheet that names only its own year — the sheet's label as written.
    The criterion is one of the plan's scheme (``Plan.scheme``), the level one
    of the criterion's scale.
    """

    criterion = models.ForeignKey(
        Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("評価項目")
    )
    level = models.ForeignKey(
        CriterionLevel, on_delete=models.PROTECT, related_name="+", verbose_name=_("評価")
    )
    project = models.ForeignKey(
        Project,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evaluation_values",
        verbose_name=_("事業"),
    )
    node = models.ForeignKey(
        PolicyNode,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="evaluation_values",
        verbose_name=_("項目"),
    )
    fiscal_year = models.PositiveSmallIntegerField(
        _("評価する年度"), null=True, blank=True, validators=fiscal_year_validators
    )
    period = models.ForeignKey(
        PlanPeriod,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("計画期間"),
        help_text=_("中間評価・期末評価の項目で、評価する計画期間。"),
    )
    sheet_label = models.CharField(
        _("シートの表記"),
        max_length=100,
        blank=True,
        help_text=_("評価する年度がわからないときのシートの表記（例：令和4年度評価シート）。"),
    )
    explanation = models.TextField(_("説明"), blank=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = EvaluationValueQuerySet.as_manager()
    history = HistoricalRecords()

    WHEN_FIELDS = ("fiscal_year", "period", "sheet_label")

    class Meta:
        verbose_name = _("評価")
        verbose_name_plural = _("評価")
        ordering = ["criterion__position", "fiscal_year", "period", "sheet_label", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(project__isnull=True, node__isnull=False)
                | Q(project__isnull=False, node__isnull=True),
                name="evaluationvalue_one_subject",
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year__isnull=False, period__isnull=True, sheet_label="")
                | Q(fiscal_year__isnull=True, period__isnull=False, sheet_label="")
                | (Q(fiscal_year__isnull=True, period__isnull=True) & ~Q(sheet_label="")),
                name="evaluationvalue_one_time",
            ),
        ] + [
            models.UniqueConstraint(
                fields=["criterion", subject, when],
                condition=Q(**{f"{subject}__isnull": False})
                & (
                    ~Q(sheet_label="") if when == "sheet_label" else Q(**{f"{when}__isnull": False})
                ),
                name=f"evaluationvalue_unique_{subject}_{when}",
            )
            for subject in ("project", "node")
            for when in ("fiscal_year", "period", "sheet_label")
        ]

    def __str__(self):
        return f"{self.subject} {self.when_label} {self.criterion} {self.level.code}"

    @property
    def subject(self):
        return self.project if self.project_id else self.node

    @property
    def when_label(self) -> str:
        """The time as the sheets say it: 平成25年度 (2013), 第3期実施計画 期末評価, or the sheet's label."""
        if self.fiscal_year:
            return dual_label(self.fiscal_year)
        if self.period_id:
            return f"{self.period.name} {self.criterion.get_timing_display()}"
        return self.sheet_label

    def clean(self):
        self.sheet_label = self.sheet_label.strip()
        subject = self.project if self.project_id else (self.node if self.node_id else None)
        if subject is None or not self.criterion_id:
            raise ValidationError(_("事業か項目のどちらか一方と、評価項目を選んでください。"))
        if self.project_id and self.node_id:
            raise ValidationError(_("事業か項目のどちらか一方だけを選んでください。"))
        errors = check_evaluation(
            subject.plan,
            self.criterion,
            on_project=bool(self.project_id),
            level=self.level if self.level_id else None,
            fiscal_year=self.fiscal_year,
            period=self.period if self.period_id else None,
            sheet_label=self.sheet_label,
        )
        if errors:
            raise ValidationError(errors)
        if (
            self.is_published()
            and self.project_id
            and self.fiscal_year
            and progress.is_held(self.project_id, self.fiscal_year)
        ):
            raise ValidationError(_("評価作業で承認されるまで、この評価は公開できません。"))


def check_evaluation(
    plan, criterion, *, on_project, level, fiscal_year, period, sheet_label, scheme=None
) -> dict:
    """What is wrong with an evaluation value, by field: the one rule of the admin and of
    files. A criterion of the plan's scheme, rating what it rates, a level of its scale,
    and one time — a year of the plan, a period of the plan, or a sheet's label — that
    fits the criterion's timing."""
    errors: dict[str, str] = {}
    scheme = scheme or plan.scheme  # a caller checking many rows passes it, read once
    if scheme is None or criterion.scheme_id != scheme.pk:
        errors["criterion"] = _(
            "「%(criterion)s」は、この計画の評価の方式（%(scheme)s）の評価項目ではありません。"
        ) % {
            "criterion": criterion.name,
            "scheme": scheme.name if scheme else "—",
        }
        return errors
    if criterion.on_project != on_project:
        errors["criterion"] = _("「%(criterion)s」は%(subject)sを評価する項目です。") % {
            "criterion": criterion.name,
            "subject": criterion.get_subject_display(),
        }
    if level is None:
        errors["level"] = _("評価の区分を選んでください。")
    elif level.criterion_id != criterion.pk:
        errors["level"] = _("「%(code)s」は「%(criterion)s」の区分ではありません。") % {
            "code": level.code,
            "criterion": criterion.name,
        }
    times = [bool(fiscal_year), period is not None, bool(sheet_label)]
    if sum(times) != 1:
        errors["fiscal_year"] = _(
            "評価する年度、計画期間、シートの表記のどれか一つを入れてください。"
        )
    elif fiscal_year:
        if criterion.by_period:
            errors["fiscal_year"] = _(
                "「%(criterion)s」は計画期間ごと（%(timing)s）の項目です。計画期間を選んでください。"
            ) % {
                "criterion": criterion.name,
                "timing": criterion.get_timing_display(),
            }
        else:
            try:
                check_plan_year(plan, fiscal_year)
            except ValidationError as error:
                errors.update({key: " ".join(value) for key, value in error.message_dict.items()})
    elif period is not None:
        if not criterion.by_period:
            errors["period"] = _("「%(criterion)s」は毎年度の項目です。年度を入れてください。") % {
                "criterion": criterion.name
            }
        elif period.plan_id != plan.pk:
            errors["period"] = _("「%(period)s」はこの計画の計画期間ではありません。") % {
                "period": period.name
            }
    return errors
