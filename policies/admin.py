"""The staff workplace for plans, their trees and the cross-cutting lists."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.db import models
from django.db.models import Count
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from mptt.admin import DraggableMPTTAdmin
from mptt.exceptions import InvalidMove

from planportal.admin_base import (
    BASE_VERSION_FIELD,
    ContentAdmin,
    PublishableAdminMixin,
    ReferenceAdmin,
    changes_nothing,
    current_form_data,
    keep_refused_edits_in,
    refused_fields,
)
from planportal.params import parse_id
from planportal.permissions import ScopedInlineMixin, is_unrestricted
from policies import tree
from policies.models import (
    BasicGoal,
    Bureau,
    Criterion,
    CriterionLevel,
    Division,
    EditConflict,
    EvaluationScheme,
    Indicator,
    IndicatorValue,
    MeasureEvaluation,
    Municipality,
    NodeText,
    Plan,
    PlanLevel,
    PolicyNode,
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
    list_display = ["name", "slug", "data_licence"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Ward)
class WardAdmin(ReferenceAdmin):
    list_display = ["name", "municipality", "position"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
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
    list_display = ["name", "bureau", "phone", "email"]
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
        (_("進行管理"), {"fields": ["evaluation_scheme"]}),
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

    def get_list_display(self, request):
        """Drag handles only for those who may move nodes; the others keep the
        expand/collapse toggles."""
        fields = super().get_list_display(request)
        if can_restructure_tree(request.user):
            return fields
        return ["tree_toggle" if name == "tree_actions" else name for name in fields]

    @admin.display(description="")
    def tree_toggle(self, item):
        return format_html(
            '<div class="tree-node" data-pk="{}" data-level="{}"></div>', item.pk, item.level
        )

    def get_form(self, request, obj=None, **kwargs):
        """Levels, strategies and wards of the node's plan only (on add, the plan the
        form or its link names); with no plan known yet, each level names its plan."""
        form = super().get_form(request, obj, **kwargs)
        plan = obj.plan if obj is not None else self.plan_of_new_node(request)
        if plan is not None:
            choices = {
                "level_label": PlanLevel.objects.filter(plan=plan),
                "strategies": Strategy.objects.filter(plan__municipality=plan.municipality),
                "wards": Ward.objects.filter(municipality=plan.municipality),
            }
            for name, queryset in choices.items():
                if name in form.base_fields:  # not when read-only for this user
                    form.base_fields[name].queryset = queryset
        elif "level_label" in form.base_fields:
            field = form.base_fields["level_label"]
            field.queryset = PlanLevel.objects.select_related("plan")
            field.label_from_instance = lambda level: f"{level.name}（{level.plan}）"
        return form

    def get_changeform_initial_data(self, request):
        """``?parent=`` on the add link preselects the parent's plan too; an id that is
        no id (``?parent=①``) preselects nothing."""
        initial = super().get_changeform_initial_data(request)
        for name in ("plan", "parent"):
            if name in initial and parse_id(initial[name]) is None:
                del initial[name]
        plan = self.plan_of_new_node(request)
        if plan is not None:
            initial["plan"] = plan.pk
        return initial

    @staticmethod
    def plan_of_new_node(request):
        """The plan of a node being added: the form's plan, else its parent's (posted,
        or named by ``?plan=`` / ``?parent=`` on the add link)."""
        data = request.POST if request.method == "POST" else request.GET
        if (plan_id := parse_id(data.get("plan"))) is not None:
            return Plan.objects.filter(pk=plan_id).select_related("municipality").first()
        if (parent_id := parse_id(data.get("parent"))) is not None:
            parent = PolicyNode.objects.filter(pk=parent_id).select_related("plan").first()
            return parent.plan if parent is not None else None
        return None

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
        if not changes_nothing(form, change):
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


# --- progress management: evaluation schemes and indicators ----------------------


def limit_fiscal_years(form_class, plan, field: str = "fiscal_year") -> None:
    """Offer only the plan's fiscal years, in both calendars, in ``form_class``'s ``field``."""
    span = plan.fiscal_year_span() if plan else None
    if not span or field not in form_class.base_fields:
        return
    original = form_class.base_fields[field]
    form_class.base_fields[field] = forms.TypedChoiceField(
        label=original.label,
        coerce=int,
        required=original.required,
        empty_value=None,
        choices=[("", "---------")]
        + [(year, dual_label(year)) for year in range(span[0], span[1] + 1)],
        help_text=_("計画期間の年度から選びます。"),
    )


class CriterionInline(admin.TabularInline):
    """A scheme's criteria; each criterion's page holds its levels."""

    model = Criterion
    extra = 0
    fields = ["position", "name", "subject", "timing", "level_codes"]
    readonly_fields = ["level_codes"]
    show_change_link = True

    @admin.display(description=_("区分"))
    def level_codes(self, criterion):
        return "・".join(level.code for level in criterion.levels.all()) or "—"


@admin.register(EvaluationScheme)
class EvaluationSchemeAdmin(ReferenceAdmin):
    """How a plan evaluates; Kawasaki's 達成度 1–5 and 評価結果 A–H is the default."""

    list_display = ["name", "is_default"]
    search_fields = ["name"]
    inlines = [CriterionInline]


class CriterionLevelInline(admin.TabularInline):
    model = CriterionLevel
    extra = 0
    fields = ["position", "code", "group", "label"]


@admin.register(Criterion)
class CriterionAdmin(ReferenceAdmin):
    """A criterion and its scale's levels (ordered: 1 … 5, A … H, Ⅰ … Ⅴ, 優る … 劣る)."""

    list_display = ["name", "scheme", "subject", "timing"]
    list_filter = ["scheme", "subject", "timing"]
    search_fields = ["name", "scheme__name"]
    fields = ["scheme", "position", "name", "subject", "timing"]
    inlines = [CriterionLevelInline]


class IndicatorValueInline(ScopedInlineMixin, admin.TabularInline):
    """Targets and actuals as written; the numbers are read from the texts when left empty.
    Years after the plan's are open to targets (a 2030 goal), so the year is typed."""

    model = IndicatorValue
    extra = 1
    fields = ["fiscal_year", "target_text", "target", "target_condition", "actual_text", "actual"]


@admin.register(Indicator)
class IndicatorAdmin(PublishableAdminMixin, ContentAdmin):
    """Indicators (成果指標 / KPI / 数値目標 / 市民の実感指標) of a node or a project,
    with yearly targets and actuals as written."""

    list_display = ["name", "owner", "kind", "unit", "part_of", "status", "updated_at"]
    list_filter = ["node__plan", "project__plan", "kind", "direction", "status"]
    list_select_related = ["node__plan", "project", "part_of"]
    search_fields = ["name", "node__title", "node__code", "project__name", "source"]
    autocomplete_fields = ["node", "project", "part_of"]
    readonly_fields = ["published_at", "updated_at"]
    inlines = [IndicatorValueInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("node", "project"),
                    "part_of",
                    "kind",
                    "name",
                    "unit",
                    "direction",
                    "source",
                    "note",
                    "position",
                ]
            },
        ),
        (
            _("基準値"),
            {"fields": ["baseline_text", "baseline_value", ("baseline_year", "baseline_label")]},
        ),
        (_("公開"), {"fields": ["status", "published_at", "updated_at"]}),
    ]

    @admin.display(description=_("項目・事業"))
    def owner(self, indicator):
        return indicator.owner


@admin.register(MeasureEvaluation)
class MeasureEvaluationAdmin(PublishableAdminMixin, ContentAdmin):
    """A measure's evaluation sheet for a fiscal year (or by the sheet's own label)."""

    list_display = ["node", "fiscal_year", "sheet_label", "is_priority", "status", "updated_at"]
    list_filter = ["node__plan", "fiscal_year", "is_priority", "status"]
    list_select_related = ["node__plan"]
    search_fields = ["node__title", "node__code", "sheet_label", "issues", "overview", "goal"]
    autocomplete_fields = ["node", "author_division", "related_divisions"]
    readonly_fields = ["published_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["node", ("fiscal_year", "sheet_label"), "is_priority"]}),
        (_("所管"), {"fields": ["author_division", "related_divisions"]}),
        (_("内容"), {"fields": ["issues", "overview", "goal", "outcome", "explanation"]}),
        (_("公開"), {"fields": ["status", "published_at", "updated_at"]}),
    ]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            limit_fiscal_years(form, obj.node.plan)
            if "related_divisions" in form.base_fields:
                form.base_fields["related_divisions"].queryset = Division.objects.filter(
                    bureau__municipality=obj.node.plan.municipality
                )
        return form


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
    """Refused edits: editors see their own, administrators all.

    The page shows, field by field, what the editor started from, what is stored
    now and what they typed; "re-apply" saves the fields they changed on top of
    the stored version, if nobody saved again meanwhile.
    """

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
    ]
    readonly_fields = fields
    change_form_template = "admin/policies/editconflict/change_form.html"

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

    def get_urls(self):
        view = self.admin_site.admin_view(self.reapply_view)
        return [
            path("<path:object_id>/reapply/", view, name="policies_editconflict_reapply"),
            *super().get_urls(),
        ]

    def _target(self, request, conflict):
        """The edited object now and its admin, or (None, None) if it is gone."""
        model = conflict.content_type.model_class()
        model_admin = self.admin_site._registry.get(model)
        obj = model_admin.get_object(request, conflict.object_id) if model_admin else None
        return (obj, model_admin) if obj is not None else (None, None)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        conflict = self.get_object(request, unquote(object_id))
        extra_context = dict(extra_context or {})
        if conflict is not None:
            obj, model_admin = self._target(request, conflict)
            if obj is not None:
                rows = refused_fields(
                    request, model_admin, obj, conflict.submitted, conflict.base_version
                )
                extra_context.update(
                    refused_fields=rows,
                    current_version=getattr(obj, "version", None),
                    may_reapply=any(row.edited for row in rows)
                    and model_admin.has_change_permission(request, obj),
                )
        return super().change_view(request, object_id, form_url, extra_context)

    def reapply_view(self, request, object_id):
        """Save the refused edits on top of the stored version, through its change form
        (same checks, same scope); invalid input comes back in that form, filled in."""
        conflict = self.get_object(request, unquote(object_id))
        if request.method != "POST" or conflict is None:
            raise Http404
        obj, model_admin = self._target(request, conflict)
        back = reverse("admin:policies_editconflict_change", args=[conflict.pk])
        if obj is None:
            raise Http404
        if str(getattr(obj, "version", "")) != request.POST.get("version"):
            self.message_user(
                request,
                _("その後さらに保存されています。最新の内容と見比べてから、もう一度どうぞ。"),
                messages.ERROR,
            )
            return redirect(back)
        rows = refused_fields(request, model_admin, obj, conflict.submitted, conflict.base_version)
        data = current_form_data(request, model_admin, obj)
        for row in rows:
            if row.edited:
                data[row.name] = row.value
        data[BASE_VERSION_FIELD] = str(obj.version)
        posted = QueryDict(mutable=True)
        for key, value in data.items():
            posted.setlist(key, [str(v) for v in (value if isinstance(value, list) else [value])])
        request.POST = posted
        return model_admin.changeform_view(request, str(obj.pk))

    @admin.display(description=_("対象"))
    def object_link(self, conflict):
        model = conflict.content_type.model_class()
        url = reverse(
            f"admin:{model._meta.app_label}_{model._meta.model_name}_change",
            args=[conflict.object_id],
        )
        return format_html('<a href="{}">{}</a>', url, conflict.object_repr)
