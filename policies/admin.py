"""The staff workplace for plans, their trees and the cross-cutting lists."""

from django import forms
from django.contrib import admin, messages
from django.db.models import Count
from django.http import HttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from mptt.admin import DraggableMPTTAdmin
from mptt.exceptions import InvalidMove

from planportal.admin_base import (
    BASE_VERSION_FIELD,
    ContentAdmin,
    PublishableAdminMixin,
    ReferenceAdmin,
    keep_refused_edits_in,
)
from planportal.permissions import ScopedInlineMixin, is_unrestricted
from policies import tree
from policies.models import (
    BasicGoal,
    Bureau,
    Division,
    EditConflict,
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
    StaffScope,
    Strategy,
    Ward,
)
from policies.scopes import can_restructure_tree
from schedule.fiscal import dual_label
from schedule.models import PlanPeriod


@admin.register(Municipality)
class MunicipalityAdmin(ReferenceAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Ward)
class WardAdmin(ReferenceAdmin):
    list_display = ["name", "municipality", "position"]
    list_filter = ["municipality"]
    list_editable = ["position"]
    search_fields = ["name", "slug"]


class DivisionInline(ScopedInlineMixin, admin.TabularInline):
    model = Division
    extra = 0


@admin.register(Bureau)
class BureauAdmin(ReferenceAdmin):
    list_display = ["name", "municipality"]
    list_filter = ["municipality"]
    search_fields = ["name"]
    inlines = [DivisionInline]


@admin.register(Division)
class DivisionAdmin(ReferenceAdmin):
    list_display = ["name", "bureau"]
    list_filter = ["bureau__municipality", "bureau"]
    search_fields = ["name", "bureau__name"]
    autocomplete_fields = ["bureau"]


@admin.register(SDGGoal)
class SDGGoalAdmin(ReferenceAdmin):
    list_display = ["number", "title", "title_en"]
    search_fields = ["title", "title_en"]


class PlanLevelInline(ScopedInlineMixin, admin.TabularInline):
    model = PlanLevel
    extra = 0


class BasicGoalInline(ScopedInlineMixin, admin.StackedInline):
    model = BasicGoal
    extra = 0


class PlanPeriodInline(ScopedInlineMixin, admin.TabularInline):
    model = PlanPeriod
    extra = 0


@admin.register(Plan)
class PlanAdmin(PublishableAdminMixin, ContentAdmin):
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


@admin.register(Strategy)
class StrategyAdmin(ContentAdmin):
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


class NodeTextInline(ScopedInlineMixin, admin.StackedInline):
    model = NodeText
    extra = 0
    fields = ["position", "kind", "heading", "body"]


@admin.register(PolicyNode)
class PolicyNodeAdmin(PublishableAdminMixin, ContentAdmin, DraggableMPTTAdmin):
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

    class Media:
        css = {"all": ["css/admin.css"]}

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
        """Indented by a class, not a style attribute: the CSP allows no inline styles."""
        return format_html('<div class="tree-indent-{}">{}</div>', min(item.level, 9), item)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            choices = {
                "level_label": PlanLevel.objects.filter(plan=obj.plan),
                "strategies": Strategy.objects.filter(plan__municipality=obj.plan.municipality),
                "wards": Ward.objects.filter(municipality=obj.plan.municipality),
            }
            for name, queryset in choices.items():
                if name in form.base_fields:  # not when read-only for this user
                    form.base_fields[name].queryset = queryset
        return form

    def has_add_permission(self, request):
        return super().has_add_permission(request) and can_restructure_tree(request.user)

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and can_restructure_tree(request.user)

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
        """Drag and drop: administrators only, inside one plan, under the tree lock."""
        try:
            ids = [int(request.POST.get(key, "")) for key in ("cut_item", "pasted_on")]
        except ValueError:
            ids = []
        nodes = PolicyNode.objects.in_bulk(ids)
        if not ids or any(i not in nodes for i in ids):
            self.message_user(request, _("移動する項目が見つかりません。"), messages.ERROR)
            return HttpResponse("FAIL, invalid objects.")
        node, target = (nodes[i] for i in ids)
        if not (can_restructure_tree(request.user) and self.has_change_permission(request, node)):
            self.message_user(request, _("項目を移動する権限がありません。"), messages.ERROR)
            return HttpResponse("FAIL, no permission.", status=403)
        try:
            tree.move_node(node, target, request.POST.get("position", ""))
        except InvalidMove as error:
            self.message_user(request, str(error), messages.ERROR)
            return HttpResponse("FAIL, invalid move.")
        self.log_change(request, node, [{"changed": {"fields": ["parent"]}}])
        self.message_user(request, _("「%(node)s」を移動しました。") % {"node": node})
        return HttpResponse("OK, moved.")


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
class ScaleSetAdmin(ReferenceAdmin):
    """The scales a plan evaluates with; Kawasaki's 達成度 1–5 and 評価結果 A–H is the default."""

    list_display = ["name", "is_default"]
    search_fields = ["name"]
    inlines = [ScaleLevelInline]


class IndicatorValueInline(ScopedInlineMixin, admin.TabularInline):
    model = IndicatorValue
    extra = 1
    fields = ["fiscal_year", "target", "actual"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            limit_fiscal_years(formset.form, obj.node.plan)
        return formset


@admin.register(Indicator)
class IndicatorAdmin(PublishableAdminMixin, ContentAdmin):
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


# --- staff: scopes and refused edits -------------------------------------------


@admin.register(StaffScope)
class StaffScopeAdmin(ReferenceAdmin):
    list_display = ["user", "bureau", "division", "ward", "groups"]
    list_filter = ["bureau", "ward"]
    search_fields = ["user__username", "user__last_name", "user__first_name"]
    autocomplete_fields = ["user", "bureau", "division", "ward"]

    @admin.display(description=_("役割"))
    def groups(self, scope):
        return "、".join(group.name for group in scope.user.groups.all())

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("user", "bureau", "division__bureau", "ward")
        )


keep_refused_edits_in(EditConflict)


@admin.register(EditConflict)
class EditConflictAdmin(admin.ModelAdmin):
    """Refused edits, read-only: editors see their own, administrators all."""

    list_display = ["object_repr", "content_type", "user", "created_at", "changed_fields"]
    list_filter = ["content_type"]
    search_fields = ["object_repr"]
    fields = [
        "object_link",
        "user",
        "created_at",
        "base_version",
        "stored_version",
        "changed_fields",
        "submitted_values",
    ]
    readonly_fields = fields

    class Media:
        css = {"all": ["css/admin.css"]}

    def get_queryset(self, request):
        conflicts = super().get_queryset(request).select_related("user", "content_type")
        if is_unrestricted(request.user):
            return conflicts
        return conflicts.filter(user=request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("対象"))
    def object_link(self, conflict):
        model = conflict.content_type.model_class()
        url = reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_change",
            args=[conflict.object_id],
        )
        return format_html('<a href="{}">{}</a>', url, conflict.object_repr)

    @admin.display(description=_("保存できなかった入力"))
    def submitted_values(self, conflict):
        rows = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td>{}</td></tr>",
            (
                (key, "\n".join(value) if isinstance(value, list) else value)
                for key, value in conflict.submitted.items()
                if key != BASE_VERSION_FIELD
            ),
        )
        return format_html('<table class="submitted-values">{}</table>', rows)
