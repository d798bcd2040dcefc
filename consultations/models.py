"""Public comment (パブリックコメント) on draft plans.

Staff open a comment period on a plan, listing the sections (policy nodes)
that may be commented on. During the period citizens send comments, each with
a receipt number. Staff moderate them, group similar ones into topics (論点)
and write the city's answer (市の考え方); once the period has closed they
publish the summary of comments and the answers.

A comment's name and e-mail address are personal data: never shown on a
public page or in a public export, and purged after the period
(``services.shredder``).
"""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from consultations.text import MAX_COMMENT_LENGTH, MAX_NAME_LENGTH
from planportal.publication import PublicationStatus, Publishable, PublishableQuerySet
from policies.models import Plan, PolicyNode


class CommentPeriodQuerySet(PublishableQuerySet):
    def published(self):
        """Published periods of published plans: what citizens see."""
        return self.filter(
            status=PublicationStatus.PUBLISHED, plan__status=PublicationStatus.PUBLISHED
        )

    def schedule_instants(self) -> list:
        """When published periods open and close: pages showing them change then."""
        pairs = self.published().values_list("opens_at", "closes_at")
        return [moment for pair in pairs for moment in pair]

    def covering(self, node: PolicyNode):
        """Periods in which ``node`` may be commented on: it or one of its ancestors is listed."""
        return self.filter(
            sections__in=PolicyNode.objects.around(node, include_self=True),
        ).distinct()


class CommentPeriod(Publishable):
    """A comment period (意見募集) on a draft plan."""

    class State(models.TextChoices):
        UPCOMING = "upcoming", _("募集前")
        OPEN = "open", _("意見募集中")
        CLOSED = "closed", _("募集終了")

    plan = models.ForeignKey(
        Plan, on_delete=models.PROTECT, related_name="comment_periods", verbose_name=_("計画")
    )
    title = models.CharField(
        _("件名"),
        max_length=200,
        help_text=_("例：「これからのコミュニティ施策の基本的考え方（素案）」に関する意見募集"),
    )
    explanation = models.TextField(
        _("説明"), blank=True, help_text=_("意見募集の趣旨や、意見の取扱いについての説明。")
    )
    opens_at = models.DateTimeField(_("募集開始日時"), help_text=_("日本時間。"))
    closes_at = models.DateTimeField(
        _("募集終了日時"), help_text=_("日本時間。この時刻以降は意見を受け付けません。")
    )
    sections = models.ManyToManyField(
        PolicyNode,
        blank=True,
        related_name="comment_periods",
        verbose_name=_("意見を受け付ける章・節"),
        help_text=_(
            "選んだ項目とその下の項目に意見を出せます。"
            "空欄なら素案全体についての意見だけを受け付けます。"
        ),
    )
    draft_url = models.URLField(
        _("素案の資料のURL"),
        blank=True,
        help_text=_(
            "市のウェブサイトで公表した素案（PDFなど）。"
            "空欄なら、このポータルが作る素案のPDFを案内します。"
        ),
    )
    postal_address = models.TextField(
        _("郵送先"),
        blank=True,
        help_text=_("郵便番号、住所、宛先（課の名前）。空欄なら郵送の案内を表示しません。"),
    )
    fax_number = models.CharField(
        _("FAX番号"), max_length=30, blank=True, help_text=_("空欄ならFAXの案内を表示しません。")
    )
    in_person = models.TextField(
        _("持参先"),
        blank=True,
        help_text=_("場所と、受け付ける曜日・時間。空欄なら持参の案内を表示しません。"),
    )
    offline_deadline = models.CharField(
        _("郵送・FAX・持参の締切"),
        max_length=200,
        blank=True,
        help_text=_("例：募集最終日の消印有効／最終日の17時必着。"),
    )
    is_demonstration = models.BooleanField(
        _("デモ用"),
        default=False,
        help_text=_("機能を試すための意見募集。公開ページに「デモ用」と表示します。"),
    )
    results_published = models.BooleanField(
        _("意見の概要と市の考え方を公表"),
        default=False,
        help_text=_("募集終了後に、公表するとした意見とその市の考え方を公開します。"),
    )
    personal_data_purged_at = models.DateTimeField(
        _("個人情報の削除日時"), null=True, blank=True, editable=False
    )
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = CommentPeriodQuerySet.as_manager()

    class Meta:
        verbose_name = _("意見募集")
        verbose_name_plural = _("意見募集")
        ordering = ["-opens_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="commentperiod_closes_after_opening",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("consultations:period", args=[self.pk])

    def clean(self):
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise ValidationError({"closes_at": _("募集終了日時は開始日時より後にしてください。")})
        if self.results_published and self.closes_at and self.closes_at > timezone.now():
            raise ValidationError(
                {"results_published": _("意見の概要と市の考え方は、募集終了後に公表できます。")}
            )

    @property
    def has_offline_channels(self) -> bool:
        """Whether the period takes comments on paper too (郵送・FAX・持参)."""
        return bool(self.postal_address or self.fax_number or self.in_person)

    def days_left(self, today=None) -> int:
        """Whole days after ``today`` up to the last day of the period (0: closes today)."""
        today = today or timezone.localdate()
        last_day = timezone.localtime(self.closes_at - timedelta(microseconds=1)).date()
        return (last_day - today).days

    def state(self, moment=None) -> str:
        moment = moment or timezone.now()
        if moment < self.opens_at:
            return self.State.UPCOMING
        if moment < self.closes_at:
            return self.State.OPEN
        return self.State.CLOSED

    def is_open(self, moment=None) -> bool:
        return self.state(moment) == self.State.OPEN

    def has_closed(self, moment=None) -> bool:
        return self.state(moment) == self.State.CLOSED


class CommentTopic(models.Model):
    """A topic (論点): similar comments grouped by staff, answered once."""

    period = models.ForeignKey(
        CommentPeriod, on_delete=models.CASCADE, related_name="topics", verbose_name=_("意見募集")
    )
    section = models.ForeignKey(
        PolicyNode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("章・節"),
        help_text=_("空欄なら素案全体についての論点です。"),
    )
    summary = models.TextField(
        _("意見の概要"), help_text=_("まとめた意見の趣旨。公表ページにこのまま表示します。")
    )
    answer = models.TextField(_("市の考え方"), blank=True)
    position = models.PositiveSmallIntegerField(_("表示順"), default=0)

    class Meta:
        verbose_name = _("論点")
        verbose_name_plural = _("論点")
        ordering = ["period", "position", "pk"]

    def __str__(self):
        return self.summary[:60]

    def clean(self):
        if self.section_id and self.period_id and self.section.plan_id != self.period.plan_id:
            raise ValidationError({"section": _("この意見募集の計画の項目を選んでください。")})


class CommentQuerySet(models.QuerySet):
    def to_publish(self):
        return self.filter(status=Comment.Status.PUBLISH)

    def with_personal_data(self):
        return self.exclude(name="", email="")


class Comment(models.Model):
    """One comment sent by a citizen during a period, about one section or the whole draft."""

    class Status(models.TextChoices):
        NEW = "new", _("未確認")
        PUBLISH = "publish", _("公表する")
        WITHHOLD = "withhold", _("公表しない")

    class AgeGroup(models.TextChoices):
        UNDER_20 = "under20", _("19歳以下")
        TWENTIES = "20s", _("20代")
        THIRTIES = "30s", _("30代")
        FORTIES = "40s", _("40代")
        FIFTIES = "50s", _("50代")
        SIXTIES = "60s", _("60代")
        OVER_70 = "70plus", _("70歳以上")

    period = models.ForeignKey(
        CommentPeriod,
        on_delete=models.PROTECT,
        related_name="comments",
        verbose_name=_("意見募集"),
    )
    section = models.ForeignKey(
        PolicyNode,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("章・節"),
        help_text=_("空欄なら素案全体についての意見です。"),
    )
    sequence = models.PositiveIntegerField(_("受付順"), editable=False)
    receipt_number = models.CharField(_("受付番号"), max_length=20, unique=True, editable=False)
    submitted_at = models.DateTimeField(_("受付日時"), default=timezone.now, editable=False)
    text = models.TextField(_("意見"), max_length=MAX_COMMENT_LENGTH, editable=False)
    name = models.CharField(_("氏名"), max_length=MAX_NAME_LENGTH, blank=True, editable=False)
    email = models.EmailField(_("メールアドレス"), blank=True, editable=False)
    residence = models.CharField(_("お住まい"), max_length=20, blank=True, editable=False)
    age_group = models.CharField(
        _("年代"), max_length=10, choices=AgeGroup.choices, blank=True, editable=False
    )
    acknowledged_at = models.DateTimeField(
        _("受付確認メールの送信日時"), null=True, blank=True, editable=False
    )
    status = models.CharField(
        _("公表"),
        max_length=10,
        choices=Status.choices,
        default=Status.NEW,
        db_index=True,
        help_text=_(
            "誹謗中傷、個人情報、本件と関係のない内容などを含むものは「公表しない」にします。"
        ),
    )
    summary = models.TextField(
        _("意見の概要"),
        blank=True,
        help_text=_("公表ページには、これがあればこれを、なければ意見の全文を表示します。"),
    )
    topic = models.ForeignKey(
        CommentTopic,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="comments",
        verbose_name=_("論点"),
        help_text=_("論点にまとめた意見には、論点の市の考え方が示されます。"),
    )
    answer = models.TextField(_("市の考え方"), blank=True)
    updated_at = models.DateTimeField(_("更新日時"), auto_now=True)

    objects = CommentQuerySet.as_manager()

    class Meta:
        verbose_name = _("意見")
        verbose_name_plural = _("意見")
        ordering = ["period", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["period", "sequence"], name="comment_unique_sequence")
        ]
        permissions = [("view_personal_data", _("意見提出者の氏名・メールアドレスを見る"))]

    def __str__(self):
        return self.receipt_number

    def clean(self):
        if self.topic_id and self.topic.period_id != self.period_id:
            raise ValidationError({"topic": _("同じ意見募集の論点を選んでください。")})
        if self.section_id and self.section.plan_id != self.period.plan_id:
            raise ValidationError({"section": _("この意見募集の計画の項目を選んでください。")})

    @property
    def public_summary(self) -> str:
        return self.summary or self.text


class SubmissionCounter(models.Model):
    """How many comments one client sent in its current rate-limit window
    (``consultations.throttle``, when the cache is not Redis). The key is a keyed hash
    of the address; rows are deleted once their window has passed."""

    key = models.CharField(max_length=64, unique=True)
    window_started = models.DateTimeField(db_index=True)
    count = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.key[:8]}…: {self.count}"
