"""The staff workplace for projects: inline yearly targets and 再掲 listings."""

from functools import partial

from django.contrib import admin, messages
from django.urls import path
from django.utils.translation import gettext_lazy as _

from planportal.admin_base import ContentAdmin, PublishableAdminMixin
from planportal.permissions import ScopedInlineMixin
from policies import admin as plan_admin
from policies.admin import limit_fiscal_years
from policies.models import Plan, PolicyNode, ScaleLevel, Strategy, Ward
from projects import publishing
from projects.admin_import import import_view
from projects.models import Project, ProjectListing, ProjectResult, YearlyTarget


class YearlyTargetInline(ScopedInlineMixin, admin.TabularInline):
    model = YearlyTarget
    extra = 0
    fields = ["line", "fiscal_year", "after_period", "text"]


class ProjectListingInline(ScopedInlineMixin, admin.TabularInline):
    model = ProjectListing
    extra = 0
    autocomplete_fields = ["node"]
    fields = ["node", "position"]
    verbose_name = _("掲載箇所（本来の施策と再掲）")
    verbose_name_plural = _("掲載箇所（本来の施策と再掲）")


def limit_scale_levels(form_class, plan) -> None:
    """Offer only the levels of the scale set ``plan`` evaluates with."""
    scales = plan.scales
    for name, scale in (
        ("achievement", ScaleLevel.Scale.ACHIEVEMENT),
        ("review", ScaleLevel.Scale.REVIEW),
    ):
        form_class.base_fields[name].queryset = ScaleLevel.objects.filter(
            scale_set=scales, scale=scale
        )


class ProjectResultInline(ScopedInlineMixin, admin.StackedInline):
    """A year's actual result and evaluation, entered on the project."""

    model = ProjectResult
    extra = 0
    fields = [("fiscal_year", "status"), "actual", ("achievement", "review"), "comment"]
    verbose_name = _("年度別の実績と評価")
    verbose_name_plural = _("年度別の実績と評価")

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            limit_fiscal_years(formset.form, obj.plan)
            limit_scale_levels(formset.form, obj.plan)
        return formset


@admin.register(Project)
class ProjectAdmin(PublishableAdminMixin, ContentAdmin):
    list_display = [
        "display_name",
        "plan",
        "home_node",
        "bureau",
        "each_ward",
        "status",
        "updated_at",
    ]
    list_display_links = ["display_name"]
    list_filter = [
        "plan",
        "status",
        ("home_node", admin.RelatedOnlyFieldListFilter),
        "each_ward",
        "wards",
        "strategies",
        "bureau",
    ]
    list_select_related = ["plan", "home_node", "bureau"]
    search_fields = [
        "name",
        "summary",
        "baseline",
        "home_node__title",
        "home_node__code",
        "targets__text",
    ]
    autocomplete_fields = ["plan", "home_node", "bureau", "division"]
    filter_horizontal = ["wards", "strategies", "sdg_goals"]
    readonly_fields = ["published_at", "updated_at"]
    inlines = [YearlyTargetInline, ProjectResultInline, ProjectListingInline]
    fieldsets = [
        (None, {"fields": ["plan", "name", "each_ward", "home_node", "home_note"]}),
        (_("内容"), {"fields": ["summary", "baseline", "actions_in_period"]}),
        (_("所管"), {"fields": ["bureau", "division"]}),
        (
            _("横断的な分類"),
            {"fields": ["wards", "strategies", "sdg_goals"], "classes": ["collapse"]},
        ),
        (_("公開"), {"fields": ["status", "published_at", "updated_at"]}),
    ]

    @admin.display(description=_("事業名"), ordering="name")
    def display_name(self, project):
        return project.display_name

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            municipality = obj.plan.municipality
            choices = {
                "wards": Ward.objects.filter(municipality=municipality),
                "strategies": Strategy.objects.filter(plan__municipality=municipality),
            }
            for name, queryset in choices.items():
                if name in form.base_fields:  # not when read-only for this user
                    form.base_fields[name].queryset = queryset
        return form


@admin.register(ProjectListing)
class ProjectListingAdmin(ContentAdmin):
    list_display = ["project", "node", "position", "relisting"]
    list_filter = ["project__plan"]
    list_select_related = ["project", "node"]
    search_fields = ["project__name", "node__title", "node__code"]
    autocomplete_fields = ["project", "node"]

    @admin.display(description=_("再掲"), boolean=True)
    def relisting(self, listing):
        return listing.is_relisting


@admin.register(YearlyTarget)
class YearlyTargetAdmin(ContentAdmin):
    list_display = ["project", "line", "fiscal_year", "after_period", "text"]
    list_filter = ["project__plan", "fiscal_year", "after_period"]
    list_select_related = ["project"]
    search_fields = ["project__name", "text"]
    autocomplete_fields = ["project"]


@admin.register(ProjectResult)
class ProjectResultAdmin(PublishableAdminMixin, ContentAdmin):
    """Every project's results by fiscal year: filter a year, publish its evaluations at once."""

    list_display = ["project", "fiscal_year", "achievement", "review", "status", "updated_at"]
    list_filter = ["project__plan", "fiscal_year", "achievement", "review", "status"]
    list_select_related = ["project", "achievement", "review"]
    search_fields = ["project__name", "actual", "comment"]
    autocomplete_fields = ["project"]
    readonly_fields = ["published_at", "updated_at"]
    fields = [
        "project",
        "fiscal_year",
        "actual",
        "achievement",
        "review",
        "comment",
        "status",
        "published_at",
        "updated_at",
    ]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            limit_fiscal_years(form, obj.project.plan)
            limit_scale_levels(form, obj.project.plan)
        return form


# --- the plan and its tree, with their projects ---------------------------------
# Publishing a plan or a section publishes the projects in it, and a plan's
# project tables are imported from its page: the plan admins of policies are
# extended here, where projects are known (Django's pattern for extending an
# admin registered by another app).
admin.site.unregister([Plan, PolicyNode])


class SectionPublishingMixin:
    """Report a publication of a plan or a section, and what still hides it."""

    def report_published(self, request, result):
        self.message_user(
            request,
            _("計画%(plans)d件、項目%(nodes)d件、事業%(projects)d件を公開しました。")
            % {"plans": result.plans, "nodes": result.nodes, "projects": result.projects},
        )
        if result.still_hidden_by:
            self.message_user(
                request,
                _("次のものが下書きのため、まだ市民向けページには表示されません：%(names)s")
                % {"names": "、".join(result.still_hidden_by)},
                messages.WARNING,
            )


@admin.register(Plan)
class PlanAdmin(SectionPublishingMixin, plan_admin.PlanAdmin):
    actions = [*PublishableAdminMixin.actions, "publish_with_contents"]

    def get_urls(self):
        """Adds the import page (upload → preview → confirm) of a plan's project tables."""
        view = self.admin_site.admin_view(partial(import_view, model_admin=self))
        return [path("<int:plan_id>/import/", view, name="policies_plan_import")] + (
            super().get_urls()
        )

    @admin.action(
        description=_("選択した計画を、すべての項目と事業を含めて公開する"), permissions=["publish"]
    )
    def publish_with_contents(self, request, queryset):
        for plan in queryset:
            self.report_published(request, publishing.publish_plan(plan))


@admin.register(PolicyNode)
class PolicyNodeAdmin(SectionPublishingMixin, plan_admin.PolicyNodeAdmin):
    actions = [*PublishableAdminMixin.actions, "publish_section"]

    @admin.action(
        description=_("選択した項目を、その下の項目と事業を含めて公開する"),
        permissions=["publish"],
    )
    def publish_section(self, request, queryset):
        for node in queryset:
            self.report_published(request, publishing.publish_section(node))
