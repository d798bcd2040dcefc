"""The staff workplace for projects: inline yearly targets and 再掲 listings."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from policies.admin import PublishableAdminMixin, limit_fiscal_years
from policies.models import ScaleLevel, Strategy, Ward
from policies.permissions import ScopedInlineMixin
from policies.staff_admin import ContentAdmin
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
