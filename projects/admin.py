"""The staff workplace for projects: inline yearly targets and 再掲 listings."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from policies.admin import PublishableAdminMixin
from policies.models import Strategy, Ward
from projects.models import Project, ProjectListing, YearlyTarget


class YearlyTargetInline(admin.TabularInline):
    model = YearlyTarget
    extra = 0
    fields = ["line", "fiscal_year", "after_period", "text"]


class ProjectListingInline(admin.TabularInline):
    model = ProjectListing
    extra = 0
    autocomplete_fields = ["node"]
    fields = ["node", "position"]
    verbose_name = _("掲載箇所（本来の施策と再掲）")
    verbose_name_plural = _("掲載箇所（本来の施策と再掲）")


@admin.register(Project)
class ProjectAdmin(PublishableAdminMixin, admin.ModelAdmin):
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
    inlines = [YearlyTargetInline, ProjectListingInline]
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
            form.base_fields["wards"].queryset = Ward.objects.filter(municipality=municipality)
            form.base_fields["strategies"].queryset = Strategy.objects.filter(
                plan__municipality=municipality
            )
        return form


@admin.register(ProjectListing)
class ProjectListingAdmin(admin.ModelAdmin):
    list_display = ["project", "node", "position", "relisting"]
    list_filter = ["project__plan"]
    list_select_related = ["project", "node"]
    search_fields = ["project__name", "node__title", "node__code"]
    autocomplete_fields = ["project", "node"]

    @admin.display(description=_("再掲"), boolean=True)
    def relisting(self, listing):
        return listing.is_relisting


@admin.register(YearlyTarget)
class YearlyTargetAdmin(admin.ModelAdmin):
    list_display = ["project", "line", "fiscal_year", "after_period", "text"]
    list_filter = ["project__plan", "fiscal_year", "after_period"]
    list_select_related = ["project"]
    search_fields = ["project__name", "text"]
    autocomplete_fields = ["project"]
