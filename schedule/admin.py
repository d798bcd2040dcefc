from django.contrib import admin
from django.db import models
from django.utils.translation import gettext_lazy as _

from planportal.admin_base import ContentAdmin, PublishableAdminMixin
from schedule.models import Milestone, PlanPeriod


@admin.register(PlanPeriod)
class PlanPeriodAdmin(ContentAdmin):
    list_display = ["name", "plan", "part", "phase", "fiscal_years", "span_note"]
    list_filter = ["plan", "part"]
    search_fields = ["name", "plan__title"]
    autocomplete_fields = ["plan"]

    @admin.display(description=_("期間"), ordering="start_fiscal_year")
    def fiscal_years(self, period):
        return period.label


@admin.register(Milestone)
class MilestoneAdmin(PublishableAdminMixin, ContentAdmin):
    """The drafting schedule: steps dated as the documents date them (4月中旬, 7～9月)."""

    list_display = ["when_label", "title", "plan", "kind", "progress", "status"]
    list_display_links = ["title"]
    list_filter = ["plan", "kind", "progress", "fiscal_year", "status"]
    list_select_related = ["plan"]
    search_fields = ["title", "details", "when"]
    autocomplete_fields = ["plan", "document"]
    readonly_fields = ["starts_on", "ends_on", "published_at"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["plan", "period", "fiscal_year", "when", "position"]}),
        (_("内容"), {"fields": ["title", "details", "kind", "progress"]}),
        (_("関連資料"), {"fields": ["document", "document_url", "document_title"]}),
        (_("公開"), {"fields": ["status", "published_at", "starts_on", "ends_on"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).chronological()

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            form.base_fields["period"].queryset = PlanPeriod.objects.filter(plan=obj.plan)
        return form

    @admin.display(description=_("時期"), ordering="fiscal_year")
    def when_label(self, milestone):
        return milestone.when_label
