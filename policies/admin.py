"""The staff workplace for plans, their trees and the cross-cutting lists."""

from functools import partial

from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponse
from django.urls import path
from django.utils.translation import gettext_lazy as _
from mptt.admin import DraggableMPTTAdmin

from policies import tree
from policies.models import (
    BasicGoal,
    Bureau,
    Division,
    Municipality,
    NodeText,
    Plan,
    PlanLevel,
    PolicyNode,
    SDGGoal,
    Strategy,
    Ward,
)
from schedule.models import PlanPeriod


class PublishableAdminMixin:
    """Publish and unpublish as explicit, stamped actions."""

    actions = ["publish_selected", "unpublish_selected"]

    @admin.action(description=_("選択したものを公開する"))
    def publish_selected(self, request, queryset):
        count = queryset.publish()
        self.message_user(request, _("%(count)d件を公開しました。") % {"count": count})

    @admin.action(description=_("選択したものを下書きに戻す"))
    def unpublish_selected(self, request, queryset):
        count = queryset.unpublish()
        self.message_user(request, _("%(count)d件を下書きに戻しました。") % {"count": count})


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Ward)
class WardAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality", "position"]
    list_filter = ["municipality"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]


class DivisionInline(admin.TabularInline):
    model = Division
    extra = 0


@admin.register(Bureau)
class BureauAdmin(admin.ModelAdmin):
    list_display = ["name", "municipality"]
    list_filter = ["municipality"]
    search_fields = ["name"]
    inlines = [DivisionInline]


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ["name", "bureau"]
    list_filter = ["bureau__municipality", "bureau"]
    search_fields = ["name", "bureau__name"]
    autocomplete_fields = ["bureau"]


@admin.register(SDGGoal)
class SDGGoalAdmin(admin.ModelAdmin):
    list_display = ["number", "title", "title_en"]
    search_fields = ["title", "title_en"]


class PlanLevelInline(admin.TabularInline):
    model = PlanLevel
    extra = 0


class BasicGoalInline(admin.StackedInline):
    model = BasicGoal
    extra = 0


class PlanPeriodInline(admin.TabularInline):
    model = PlanPeriod
    extra = 0


@admin.register(Plan)
class PlanAdmin(PublishableAdminMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "municipality",
        "kind",
        "stage",
        "period_label",
        "status",
        "published_at",
    ]
    list_filter = ["municipality", "kind", "stage", "status"]
    search_fields = ["title", "slug", "summary"]
    autocomplete_fields = ["related_plan"]
    readonly_fields = ["published_at"]
    inlines = [PlanLevelInline, BasicGoalInline, PlanPeriodInline]
    fieldsets = [
        (None, {"fields": ["municipality", "title", "slug", "kind", "stage", "related_plan"]}),
        (_("計画期間"), {"fields": ["start_fiscal_year", "end_fiscal_year", "period_note"]}),
        (_("内容"), {"fields": ["vision", "summary", "strategy_set_name", "source"]}),
        (_("公開"), {"fields": ["status", "published_at", "position"]}),
    ]

    @admin.display(description=_("計画期間"))
    def period_label(self, plan):
        return plan.period_label

    def get_urls(self):
        """Adds the import page (upload → preview → confirm) of a plan's project tables."""
        from projects.admin_import import import_view

        view = self.admin_site.admin_view(partial(import_view, model_admin=self))
        return [path("<int:plan_id>/import/", view, name="policies_plan_import")] + (
            super().get_urls()
        )


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ["__str__", "plan", "position", "node_count", "project_count"]
    list_filter = ["plan"]
    search_fields = ["title", "label", "direction", "main_actions"]
    autocomplete_fields = ["plan"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("plan")
            .annotate(
                node_count=Count("nodes", distinct=True),
                project_count=Count("projects", distinct=True),
            )
        )

    @admin.display(description=_("政策体系の項目数"), ordering="node_count")
    def node_count(self, strategy):
        return strategy.node_count

    @admin.display(description=_("事業数"), ordering="project_count")
    def project_count(self, strategy):
        return strategy.project_count


class NodeTextInline(admin.StackedInline):
    model = NodeText
    extra = 0
    fields = ["position", "kind", "heading", "body"]


@admin.register(PolicyNode)
class PolicyNodeAdmin(PublishableAdminMixin, DraggableMPTTAdmin):
    """The plan tree: drag and drop reorders siblings in their printed order.

    Every structural write (save with a new parent, move, delete) goes
    through ``policies.tree`` under the tree lock.
    """

    list_display = ["tree_actions", "indented_title", "level_label", "plan", "status"]
    list_display_links = ["indented_title"]
    list_filter = ["plan", "status"]
    list_select_related = ["plan", "level_label"]
    search_fields = ["title", "code", "texts__body"]
    autocomplete_fields = ["parent"]
    filter_horizontal = ["strategies", "sdg_goals", "wards"]
    readonly_fields = ["published_at", "updated_at"]
    inlines = [NodeTextInline]
    fieldsets = [
        (None, {"fields": ["plan", "parent", "level_label", "code", "title"]}),
        (
            _("横断的な分類"),
            {"fields": ["strategies", "sdg_goals", "wards"], "classes": ["collapse"]},
        ),
        (_("公開"), {"fields": ["status", "published_at", "updated_at"]}),
    ]

    @admin.display(description=_("名称"))
    def indented_title(self, item):
        return super().indented_title(item)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            form.base_fields["level_label"].queryset = PlanLevel.objects.filter(plan=obj.plan)
            form.base_fields["strategies"].queryset = Strategy.objects.filter(
                plan__municipality=obj.plan.municipality
            )
            form.base_fields["wards"].queryset = Ward.objects.filter(
                municipality=obj.plan.municipality
            )
        return form

    def get_search_fields(self, request):
        """Autocomplete looks for a node by its code or title, not its texts."""
        if request.resolver_match and request.resolver_match.url_name == "autocomplete":
            return ["title", "code"]
        return super().get_search_fields(request)

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        return queryset.distinct() if may_have_duplicates else queryset, False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("plan", "level_label")

    def autocomplete_label(self, node):
        """Codes and titles repeat across plans: name the plan too."""
        return f"{node} ／ {node.plan.title}"

    def save_model(self, request, obj, form, change):
        tree.save_node(obj)

    def delete_model(self, request, obj):
        tree.delete_node(obj)

    def delete_queryset(self, request, queryset):
        for node in queryset.order_by("-level"):
            if PolicyNode.objects.filter(pk=node.pk).exists():
                tree.delete_node(node)

    def _move_node(self, request):
        """Drag and drop: moves stay inside one plan and take the tree lock."""
        ids = [request.POST.get("cut_item", ""), request.POST.get("pasted_on", "")]
        plans = PolicyNode.objects.filter(pk__in=[i for i in ids if i.isdigit()]).values_list(
            "plan_id", flat=True
        )
        if len(set(plans)) > 1:
            self.message_user(request, _("別の計画の項目の下へは移動できません。"), messages.ERROR)
            return HttpResponse("FAIL, invalid move.")
        with tree.tree_lock():
            return super()._move_node(request)
