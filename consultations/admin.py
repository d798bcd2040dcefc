"""The staff workplace for public comment: periods, moderation, topics, answers, exports.

Comments come only from citizens: staff cannot add them or change what was
written, only moderate (公表する / 公表しない), summarise, group and answer.
Names and e-mail addresses are shown, and exported, only to staff with the
``view_personal_data`` permission.
"""

from django import forms
from django.contrib import admin, messages
from django.db import models
from django.db.models import Count, Q
from django.db.models.constants import LOOKUP_SEP
from django.http import HttpResponse, HttpResponseRedirect
from django.template.defaultfilters import linebreaksbr
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from consultations.models import Comment, CommentPeriod, CommentTopic
from consultations.services import export
from consultations.services.shredder import PeriodNotClosedError, personal_data_purge
from consultations.similarity import most_similar
from planportal.admin_base import PublishableAdminMixin, ReferenceAdmin
from planportal.params import parse_id
from policies.models import PolicyNode

PERSONAL_DATA_PERMISSION = "consultations.view_personal_data"
PERSONAL_FIELDS = ("name", "email")
SIMILAR_SHOWN = 10


def can_see_personal_data(request) -> bool:
    return request is not None and request.user.has_perm(PERSONAL_DATA_PERMISSION)


class CommentPeriodForm(forms.ModelForm):
    class Meta:
        model = CommentPeriod
        fields = [
            "plan",
            "title",
            "explanation",
            "is_demonstration",
            "opens_at",
            "closes_at",
            "sections",
            "draft_url",
            "postal_address",
            "fax_number",
            "in_person",
            "offline_deadline",
            "status",
            "results_published",
        ]

    def clean(self):
        cleaned = super().clean()
        plan, sections = cleaned.get("plan"), cleaned.get("sections")
        if plan and sections and any(node.plan_id != plan.pk for node in sections):
            self.add_error("sections", _("この意見募集の計画の章・節だけを選んでください。"))
        return cleaned


@admin.register(CommentPeriod)
class CommentPeriodAdmin(PublishableAdminMixin, ReferenceAdmin):
    form = CommentPeriodForm
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "title",
        "plan",
        "opens_at",
        "closes_at",
        "state_label",
        "comment_count",
        "is_demonstration",
        "status",
        "results_published",
    ]
    list_filter = ["plan", "status", "is_demonstration", "results_published"]
    search_fields = ["title", "explanation"]
    autocomplete_fields = ["plan"]
    filter_horizontal = ["sections"]
    readonly_fields = ["published_at", "personal_data_purged_at"]
    actions = [*PublishableAdminMixin.actions, "publish_results", "purge_personal_data"]
    fieldsets = [
        (None, {"fields": ["plan", "title", "explanation", "is_demonstration"]}),
        (_("募集期間（日本時間）"), {"fields": ["opens_at", "closes_at"]}),
        (_("意見を受け付ける章・節"), {"fields": ["sections"]}),
        (_("素案の資料"), {"fields": ["draft_url"]}),
        (
            _("郵送・FAX・持参での受付"),
            {
                "fields": ["postal_address", "fax_number", "in_person", "offline_deadline"],
                "description": _(
                    "ウェブのほかに受け付ける方法。入力したものだけを意見募集のページに表示します。"
                ),
            },
        ),
        (
            _("公開"),
            {"fields": ["status", "published_at", "results_published", "personal_data_purged_at"]},
        ),
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("plan")
            .annotate(comment_count=Count("comments"))
        )

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        nodes = PolicyNode.objects.select_related("plan", "level_label")
        if obj is not None:
            nodes = nodes.filter(plan=obj.plan)
        form.base_fields["sections"].queryset = nodes
        return form

    @admin.display(description=_("状態"))
    def state_label(self, period):
        return CommentPeriod.State(period.state()).label

    @admin.display(description=_("意見数"), ordering="comment_count")
    def comment_count(self, period):
        url = reverse("admin:consultations_comment_changelist")
        return format_html(
            '<a href="{}?period__id__exact={}">{}</a>', url, period.pk, period.comment_count
        )

    @admin.action(description=_("選択した意見募集の「意見の概要と市の考え方」を公表する"))
    def publish_results(self, request, queryset):
        now = timezone.now()
        still_open = [period.title for period in queryset if not period.has_closed(now)]
        if still_open:
            self.message_user(
                request,
                _("募集が終わっていないため公表できません：%(titles)s")
                % {"titles": "、".join(still_open)},
                messages.ERROR,
            )
            return
        for period in queryset:
            period.results_published = True
            period.save(update_fields=["results_published"])
        self.message_user(request, _("%(count)d件を公表しました。") % {"count": len(queryset)})

    @admin.action(
        description=_("選択した意見募集の氏名・メールアドレスを削除する"),
        permissions=["purge"],
    )
    def purge_personal_data(self, request, queryset):
        for period in queryset:
            try:
                count = personal_data_purge(period=period)
            except PeriodNotClosedError as error:
                self.message_user(request, str(error), messages.ERROR)
            else:
                self.message_user(
                    request,
                    _("「%(period)s」：%(count)d件の意見から氏名・メールアドレスを削除しました。")
                    % {"period": period.title, "count": count},
                )

    def has_purge_permission(self, request):
        return can_see_personal_data(request) and request.user.has_perm(
            "consultations.change_comment"
        )


class TopicCommentInline(admin.TabularInline):
    """The comments grouped under a topic (read-only: regroup them from the comment)."""

    model = Comment
    fk_name = "topic"
    extra = 0
    can_delete = False
    fields = ["receipt_link", "section", "public_summary", "status"]
    readonly_fields = fields
    verbose_name_plural = _("この論点にまとめた意見")

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("受付番号"))
    def receipt_link(self, comment):
        url = reverse("admin:consultations_comment_change", args=[comment.pk])
        return format_html('<a href="{}">{}</a>', url, comment.receipt_number)

    @admin.display(description=_("意見の概要（なければ全文）"))
    def public_summary(self, comment):
        return comment.public_summary


@admin.register(CommentTopic)
class CommentTopicAdmin(ReferenceAdmin):
    list_display = ["__str__", "period", "section", "comment_count", "has_answer", "position"]
    list_filter = ["period"]
    list_editable = ["position"]
    search_fields = ["summary", "answer"]
    autocomplete_fields = ["period", "section"]
    inlines = [TopicCommentInline]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("period", "section")
            .annotate(comment_count=Count("comments"))
        )

    @admin.display(description=_("意見数"), ordering="comment_count")
    def comment_count(self, topic):
        return topic.comment_count

    @admin.display(description=_("市の考え方"), boolean=True)
    def has_answer(self, topic):
        return bool(topic.answer)


class SectionFilter(admin.SimpleListFilter):
    """Only the sections that have comments, not every node of every plan."""

    title = _("章・節")
    parameter_name = "section"

    def lookups(self, request, model_admin):
        nodes = PolicyNode.objects.filter(
            pk__in=Comment.objects.filter(section__isnull=False).values("section")
        ).select_related("level_label")
        return [("whole", _("素案全体について"))] + [
            (str(node.pk), node.heading) for node in nodes.in_printed_order()
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "whole":
            return queryset.filter(section__isnull=True)
        if (node_pk := parse_id(value)) is not None:
            return queryset.filter(section_id=node_pk)
        return queryset


class AnsweredFilter(admin.SimpleListFilter):
    title = _("市の考え方")
    parameter_name = "answered"

    def lookups(self, request, model_admin):
        return [("yes", _("あり")), ("no", _("なし"))]

    def queryset(self, request, queryset):
        answered = Q(answer__gt="") | Q(topic__answer__gt="")
        if self.value() == "yes":
            return queryset.filter(answered)
        if self.value() == "no":
            return queryset.exclude(answered)
        return queryset


class CommentAdminForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ["section", "status", "summary", "topic", "answer"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        period = self.instance.period
        listed = Q(comment_periods=period) | Q(pk=self.instance.section_id)
        if "section" in self.fields:  # absent when the form is read-only for this user
            self.fields["section"].queryset = (
                PolicyNode.objects.filter(listed).distinct().select_related("level_label")
            )
        if "topic" in self.fields:
            self.fields["topic"].queryset = period.topics.all()


@admin.register(Comment)
class CommentAdmin(ReferenceAdmin):
    form = CommentAdminForm
    list_display = [
        "receipt_number",
        "submitted_at",
        "period",
        "section_label",
        "excerpt",
        "status",
        "topic",
        "has_answer",
    ]
    list_filter = ["period", SectionFilter, "status", AnsweredFilter]
    list_select_related = ["period", "section__level_label", "topic"]
    search_fields = ["receipt_number", "text", "summary", "answer"]
    date_hierarchy = "submitted_at"
    actions = [
        "mark_publish",
        "mark_withhold",
        "group_into_topic",
        "export_csv",
        "export_xlsx",
    ]
    readonly_fields = [
        "receipt_number",
        "period",
        "submitted_at",
        "text_as_written",
        "residence",
        "age_group",
        "name",
        "email",
        "acknowledged_at",
        "similar_comments",
    ]

    def get_fieldsets(self, request, obj=None):
        received = ["receipt_number", "period", "submitted_at", "text_as_written"]
        about = ["residence", "age_group"]
        if can_see_personal_data(request):
            about += ["name", "email", "acknowledged_at"]
        return [
            (_("受け付けた意見"), {"fields": received}),
            (_("提出者について（公表しません）"), {"fields": about}),
            (_("対応"), {"fields": ["section", "status", "summary", "topic", "answer"]}),
            (_("似た意見"), {"fields": ["similar_comments"]}),
        ]

    def has_add_permission(self, request):
        return False

    # Filtering, searching or sorting by a name or an address tells its value as
    # surely as showing it (?email__startswith=a answers yes or no): all four
    # are for staff with the personal-data permission only.

    def lookup_allowed(self, lookup, value, request=None):
        if lookup.split(LOOKUP_SEP)[0] in PERSONAL_FIELDS and not can_see_personal_data(request):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_fields(self, request):
        fields = list(super().get_search_fields(request))
        return [*fields, *PERSONAL_FIELDS] if can_see_personal_data(request) else fields

    def get_list_display(self, request):
        columns = list(super().get_list_display(request))
        return [*columns, *PERSONAL_FIELDS] if can_see_personal_data(request) else columns

    def get_sortable_by(self, request):
        columns = super().get_sortable_by(request)
        if can_see_personal_data(request):
            return columns
        return [column for column in columns if column not in PERSONAL_FIELDS]

    @admin.display(description=_("意見の対象"))
    def section_label(self, comment):
        return comment.section.heading if comment.section_id else _("素案全体について")

    @admin.display(description=_("意見"))
    def excerpt(self, comment):
        return comment.text if len(comment.text) <= 60 else comment.text[:60] + "…"

    @admin.display(description=_("意見（原文）"))
    def text_as_written(self, comment):
        return linebreaksbr(comment.text, autoescape=True)

    @admin.display(description=_("市の考え方"), boolean=True)
    def has_answer(self, comment):
        return bool(comment.topic.answer if comment.topic_id else comment.answer)

    @admin.display(description=_("同じ意見募集の似た意見"))
    def similar_comments(self, comment):
        others = (
            Comment.objects.filter(period=comment.period_id)
            .exclude(pk=comment.pk)
            .select_related("topic")
            .only("pk", "receipt_number", "text", "topic__summary")
        )
        by_pk = {other.pk: other for other in others}
        similar = most_similar(comment.text, ((o.pk, o.text) for o in others))[:SIMILAR_SHOWN]
        if not similar:
            return _("ありません")
        return format_html(
            "<ul>{}</ul>",
            format_html_join(
                "",
                '<li><a href="{}">{}</a>（{}%）{}</li>',
                (
                    (
                        reverse("admin:consultations_comment_change", args=[pk]),
                        by_pk[pk].receipt_number,
                        round(score * 100),
                        _("論点：%(topic)s") % {"topic": by_pk[pk].topic}
                        if by_pk[pk].topic_id
                        else "",
                    )
                    for pk, score in similar
                ),
            ),
        )

    @admin.action(description=_("選択した意見を「公表する」にする"))
    def mark_publish(self, request, queryset):
        count = queryset.update(status=Comment.Status.PUBLISH, updated_at=timezone.now())
        self.message_user(request, _("%(count)d件を「公表する」にしました。") % {"count": count})

    @admin.action(description=_("選択した意見を「公表しない」にする"))
    def mark_withhold(self, request, queryset):
        count = queryset.update(status=Comment.Status.WITHHOLD, updated_at=timezone.now())
        self.message_user(request, _("%(count)d件を「公表しない」にしました。") % {"count": count})

    @admin.action(description=_("選択した意見を新しい論点にまとめる"))
    def group_into_topic(self, request, queryset):
        comments = list(queryset.select_related("period").order_by("sequence"))
        if len({comment.period_id for comment in comments}) != 1:
            self.message_user(
                request, _("論点にまとめられるのは、同じ意見募集の意見だけです。"), messages.ERROR
            )
            return None
        sections = {comment.section_id for comment in comments}
        first = comments[0]
        topic = CommentTopic.objects.create(
            period=first.period,
            section_id=sections.pop() if len(sections) == 1 else None,
            summary=first.public_summary,
        )
        queryset.update(topic=topic, updated_at=timezone.now())
        self.message_user(
            request,
            _(
                "%(count)d件の意見を新しい論点にまとめました。論点の概要と市の考え方を書いてください。"
            )
            % {"count": len(comments)},
        )
        return HttpResponseRedirect(
            reverse("admin:consultations_commenttopic_change", args=[topic.pk])
        )

    @admin.action(description=_("選択した意見をCSVで書き出す"))
    def export_csv(self, request, queryset):
        content = export.comments_csv(
            queryset, include_personal_data=can_see_personal_data(request)
        )
        return self._download(content, "text/csv; charset=utf-8", "csv")

    @admin.action(description=_("選択した意見をExcel（XLSX）で書き出す"))
    def export_xlsx(self, request, queryset):
        content = export.comments_xlsx(
            queryset, include_personal_data=can_see_personal_data(request)
        )
        return self._download(
            content,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "xlsx",
        )

    @staticmethod
    def _download(content: bytes, content_type: str, extension: str) -> HttpResponse:
        stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
        response = HttpResponse(content, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="comments-{stamp}.{extension}"'
        return response
