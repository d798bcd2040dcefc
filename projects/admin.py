"""The staff workplace for projects: inline yearly targets and 再掲 listings."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from policies.admin import PublishableAdminMixin
from policies.models import Strategy, Ward
from policies.permissions import ScopedInlineMixin
from policies.staff_admin import ContentAdmin
from projects.models import Project, ProjectListing, YearlyTarget


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

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return (queryset.distinct() if may_have_duplicates else queryset), False

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
