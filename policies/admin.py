"""The staff workplace for plans, their trees and the cross-cutting lists."""

from functools import partial

from django import forms
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
    Indicator,
    IndicatorValue,
    Municipality,
    NodeText,
    Plan,
    PlanLevel,
    PolicyNode,
    ScaleLevel,
    ScaleSet,
    SDGGoal,
    Strategy,
    Ward,
)
from schedule.fiscal import dual_label
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
        (_("進行管理"), {"fields": ["scale_set"]}),
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

    expand_tree_by_default = True
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


# --- progress management: scales and indicators ------------------------------


def limit_fiscal_years(form_class, plan) -> None:
    """Offer only the plan's fiscal years, in both calendars, in ``form_class``'s fiscal_year."""
    span = plan.fiscal_year_span() if plan else None
    if not span:
        return
    field = form_class.base_fields["fiscal_year"]
    form_class.base_fields["fiscal_year"] = forms.TypedChoiceField(
        label=field.label,
        coerce=int,
        choices=[("", "---------")]
        + [(year, dual_label(year)) for year in range(span[0], span[1] + 1)],
        help_text=_("計画期間の年度から選びます。"),
    )


class ScaleLevelInline(admin.TabularInline):
    model = ScaleLevel
    extra = 0
    fields = ["scale", "position", "code", "group", "label"]


@admin.register(ScaleSet)
class ScaleSetAdmin(admin.ModelAdmin):
    """The scales a plan evaluates with; Kawasaki's 達成度 1–5 and 評価結果 A–H is the default."""

    list_display = ["name", "is_default"]
    search_fields = ["name"]
    inlines = [ScaleLevelInline]


class IndicatorValueInline(admin.TabularInline):
    model = IndicatorValue
    extra = 1
    fields = ["fiscal_year", "target", "actual"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            limit_fiscal_years(formset.form, obj.node.plan)
        return formset


@admin.register(Indicator)
class IndicatorAdmin(PublishableAdminMixin, admin.ModelAdmin):
    """Outcome indicators (成果指標 / KPI / 数値目標) of a node, with yearly targets and actuals."""

    list_display = ["name", "node", "kind", "unit", "direction", "status", "updated_at"]
    list_filter = ["node__plan", "kind", "direction", "status"]
    list_select_related = ["node__plan"]
    search_fields = ["name", "node__title", "node__code", "source"]
    autocomplete_fields = ["node"]
    readonly_fields = ["published_at", "updated_at"]
    inlines = [IndicatorValueInline]
    fieldsets = [
        (None, {"fields": ["node", "kind", "name", "unit", "direction", "source", "position"]}),
        (_("基準値"), {"fields": ["baseline_value", "baseline_year"]}),
        (_("公開"), {"fields": ["status", "published_at", "updated_at"]}),
    ]
