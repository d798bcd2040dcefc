"""The staff workplace for projects: inline yearly targets and 再掲 listings."""

from functools import partial

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from planportal.admin_base import ContentAdmin, PublishableAdminMixin
from planportal.params import parse_id
from planportal.permissions import (
    DENIED_MESSAGE,
    ScopedInlineMixin,
    can_edit,
    is_unrestricted,
    scope_of,
)
from policies import admin as plan_admin
from policies.admin import limit_fiscal_years
from policies.models import Criterion, CriterionLevel, Plan, PolicyNode, Strategy, Ward
from projects import publishing
from projects.admin_evaluations import export_view, files_view
from projects.admin_import import can_import, import_job_view, import_view
from projects.history import PARTS, part_history, restore_part
from projects.indicator_admin import can_exchange, exchange_view
from projects.models import (
    EvaluationValue,
    Project,
    ProjectListing,
    ProjectResult,
    TargetRevision,
    YearlyTarget,
)
from projects.services import list_under_home


class YearlyTargetInline(ScopedInlineMixin, admin.TabularInline):
    model = YearlyTarget
    extra = 0
    fields = ["line", "fiscal_year", "after_period", "text"]


class TargetRevisionInline(ScopedInlineMixin, admin.TabularInline):
    """目標変更: the printed target stays; each revision adds its year of decision and reason."""

    model = TargetRevision
    extra = 0
    fields = ["line", "fiscal_year", "after_period", "text", "decided_in", "reason"]

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            limit_fiscal_years(formset.form, obj.plan, field="decided_in")
        return formset


class ProjectListingForm(forms.ModelForm):
    """A new listing's position starts empty: left so, it goes last under its measure."""

    position = forms.IntegerField(
        label=_("掲載順"),
        required=False,
        min_value=0,
        help_text=_("空欄なら、その施策の最後に載せます。"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance._state.adding and self.instance.position == 0:
            self.instance.position = None  # not the model's default: last, once saved


class ProjectListingInline(ScopedInlineMixin, admin.TabularInline):
    model = ProjectListing
    form = ProjectListingForm
    extra = 0
    autocomplete_fields = ["node"]
    fields = ["node", "position"]
    verbose_name = _("掲載箇所（本来の施策と再掲）")
    verbose_name_plural = _("掲載箇所（本来の施策と再掲）")


def limit_to_scheme(form_class, plan) -> None:
    """Offer only the criteria and levels of the scheme ``plan`` evaluates with, and
    its periods (the model checks each value against its own criterion)."""
    scheme = plan.scheme
    fields = form_class.base_fields
    fields["criterion"].queryset = Criterion.objects.filter(scheme=scheme)
    fields["level"].queryset = CriterionLevel.objects.filter(
        criterion__scheme=scheme
    ).select_related("criterion")
    fields["level"].label_from_instance = lambda level: f"{level.criterion}：{level}"
    fields["period"].queryset = plan.periods.all()


class ResultRowForm(forms.ModelForm):
    """A result row is checked against its own scope rule too, not only its project's:
    a result under evaluation, once submitted, is planning's to change."""

    editor = None  # the signed-in user; set by ProjectResultInline.get_formset

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.has_changed() and not can_edit(self.editor, self.instance):
            raise ValidationError(
                _("この年度の実績は評価作業で提出・承認済みのため、ここでは変更できません。")
            )
        return cleaned


class ProjectResultInline(ScopedInlineMixin, admin.StackedInline):
    """A year's actual result and evaluation, entered on the project."""

    model = ProjectResult
    extra = 0
    fields = [("fiscal_year", "status"), "actual", "comment"]
    verbose_name = _("年度別の実績と評価の説明")
    verbose_name_plural = _("年度別の実績と評価の説明")

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = type("ResultRowForm", (ResultRowForm,), {"editor": request.user})
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            limit_fiscal_years(formset.form, obj.plan)
        return formset


class EvaluationValueInline(ScopedInlineMixin, admin.TabularInline):
    """The project's level on each criterion of its plan's scheme: per fiscal year, per
    period (中間評価・期末評価), or by the sheet's label."""

    model = EvaluationValue
    fk_name = "project"
    extra = 0
    fields = ["criterion", "fiscal_year", "period", "sheet_label", "level", "explanation", "status"]
    verbose_name = _("評価項目ごとの評価")
    verbose_name_plural = _("評価項目ごとの評価")

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = type("EvaluationRowForm", (ResultRowForm,), {"editor": request.user})
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None:
            limit_fiscal_years(formset.form, obj.plan)
            limit_to_scheme(formset.form, obj.plan)
        return formset


class PossiblyInWardFilter(admin.SimpleListFilter):
    """Projects to confirm for a ward: those whose texts name one of its places but that
    are neither tagged with it nor (各区) (as its public page suggests them)."""

    title = _("区の地名を含む（区の登録なし）")
    parameter_name = "possibly_in_ward"

    def lookups(self, request, model_admin):
        wards = Ward.objects.select_related("municipality")
        return [(ward.pk, f"{ward.municipality.name} {ward.name}") for ward in wards]

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        ward = Ward.objects.filter(pk=parse_id(self.value())).first()
        return queryset.possibly_in(ward) if ward is not None else queryset.none()


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
        PossiblyInWardFilter,
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
    inlines = [
        YearlyTargetInline,
        TargetRevisionInline,
        ProjectResultInline,
        EvaluationValueInline,
        ProjectListingInline,
    ]
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

    object_history_template = "admin/projects/project/object_history.html"
    actions = [*PublishableAdminMixin.actions, "tag_with_filtered_ward"]

    @admin.display(description=_("事業名"), ordering="name")
    def display_name(self, project):
        return project.display_name

    @admin.action(description=_("選択した事業を絞り込み中の区に登録する"), permissions=["change"])
    def tag_with_filtered_ward(self, request, queryset):
        """Confirm suggestions of 「区の地名を含む」: each selected project must still match
        the rule and be one the user may change, else nothing is tagged."""
        ward_id = parse_id(request.GET.get(PossiblyInWardFilter.parameter_name, ""))
        ward = Ward.objects.filter(pk=ward_id).first() if ward_id is not None else None
        if ward is None:
            message = _("先に「%(filter)s」で区を選んでから、事業を選択してください。")
            self.message_user(
                request, message % {"filter": PossiblyInWardFilter.title}, messages.ERROR
            )
            return
        projects = list(queryset.possibly_in(ward))
        selected = set(request.POST.getlist(helpers.ACTION_CHECKBOX_NAME))
        in_rule = len(projects) == queryset.count() and (
            request.POST.get("select_across") == "1" or len(projects) == len(selected)
        )
        if not in_rule:
            message = _(
                "選択した事業の中に、%(ward)sの地名を含まないもの、またはすでに登録済みのものがあります。何も変更していません。"
            )
            self.message_user(request, message % {"ward": ward.name}, messages.ERROR)
            return
        if not all(self.has_change_permission(request, project) for project in projects):
            self.message_user(request, DENIED_MESSAGE, messages.ERROR)
            return
        with transaction.atomic():
            for project in projects:
                project.tag_with_ward(ward)
        message = _("%(count)d件の事業を%(ward)sに登録しました。")
        self.message_user(request, message % {"count": len(projects), "ward": ward.name})

    def get_urls(self):
        view = self.admin_site.admin_view(self.restore_part_view)
        restore = "<path:object_id>/history/restore/<str:model_name>/<int:history_id>/"
        return [path(restore, view, name="projects_project_restore_part"), *super().get_urls()]

    def history_view(self, request, object_id, extra_context=None):
        """The project's history with its targets', listings' and results' (one timeline)."""
        project = self.get_object(request, unquote(object_id))
        if project is not None:
            extra_context = {
                **(extra_context or {}),
                "part_history": part_history(project),
                "may_restore": self.has_change_permission(request, project),
            }
        return super().history_view(request, object_id, extra_context)

    def restore_part_view(self, request, object_id, model_name, history_id):
        """Bring back a deleted target, listing or result from the project's history."""
        project = self.get_object(request, unquote(object_id))
        if request.method != "POST" or project is None or model_name not in PARTS:
            raise Http404
        allowed = self.has_change_permission(request, project) and request.user.has_perm(
            f"projects.add_{model_name}"
        )
        if not allowed:
            raise PermissionDenied
        try:
            restored = restore_part(project, model_name, history_id, request.user)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
        else:
            self.message_user(request, _("「%(row)s」を復元しました。") % {"row": restored})
        return redirect(reverse("admin:projects_project_history", args=[project.pk]))

    def save_model(self, request, obj, form, change):
        stored = Project.objects.filter(pk=obj.pk).values_list("home_node", flat=True)
        obj._previous_home_id = stored.first() if change else None
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        """After the listings inline: the home listing follows the home measure."""
        super().save_related(request, form, formsets, change)
        project = form.instance
        if "home_node" in form.changed_data:
            list_under_home(project, getattr(project, "_previous_home_id", None))

    def get_form(self, request, obj=None, **kwargs):
        """Offer what the project's city has; a scoped editor adds to their city's plans only."""
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            municipality_id = obj.plan.municipality_id
        elif not is_unrestricted(request.user):
            municipality_id = scope_of(request.user).municipality_id
        else:
            return form
        choices = {
            "plan": Plan.objects.filter(municipality_id=municipality_id),
            "wards": Ward.objects.filter(municipality_id=municipality_id),
            "strategies": Strategy.objects.filter(plan__municipality_id=municipality_id),
        }
        for name, queryset in choices.items():
            if name in form.base_fields:  # not when read-only for this user
                form.base_fields[name].queryset = queryset
        return form


@admin.register(ProjectListing)
class ProjectListingAdmin(ContentAdmin):
    form = ProjectListingForm
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


@admin.register(TargetRevision)
class TargetRevisionAdmin(ContentAdmin):
    list_display = ["project", "fiscal_year", "after_period", "decided_in", "text"]
    list_filter = ["project__plan", "decided_in"]
    list_select_related = ["project"]
    search_fields = ["project__name", "text", "reason"]
    autocomplete_fields = ["project"]


@admin.register(ProjectResult)
class ProjectResultAdmin(PublishableAdminMixin, ContentAdmin):
    """Every project's results by fiscal year: filter a year, publish its evaluations at once."""

    list_display = ["project", "fiscal_year", "status", "updated_at"]
    list_filter = ["project__plan", "fiscal_year", "status"]
    list_select_related = ["project"]
    search_fields = ["project__name", "actual", "comment"]
    autocomplete_fields = ["project"]
    readonly_fields = ["published_at", "updated_at"]
    fields = ["project", "fiscal_year", "actual", "comment", "status", "published_at", "updated_at"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            limit_fiscal_years(form, obj.project.plan)
        return form


@admin.register(EvaluationValue)
class EvaluationValueAdmin(PublishableAdminMixin, ContentAdmin):
    """Every evaluation value of projects and nodes: filter a criterion or a year, publish
    at once; the file exchange (書き出し・取り込み) is on the list page."""

    list_display = ["subject", "criterion", "when_label", "level", "status", "updated_at"]
    list_filter = ["criterion__scheme", "criterion", "fiscal_year", "status"]
    list_select_related = ["project", "node", "criterion", "level", "period"]
    search_fields = ["project__name", "node__title", "node__code", "explanation", "sheet_label"]
    autocomplete_fields = ["project", "node"]
    readonly_fields = ["published_at", "updated_at"]
    fields = [
        ("project", "node"),
        "criterion",
        ("fiscal_year", "period", "sheet_label"),
        "level",
        "explanation",
        ("status", "published_at", "updated_at"),
    ]

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = type("EvaluationRowForm", (ResultRowForm,), {"editor": request.user})
        form = super().get_form(request, obj, **kwargs)
        if obj is not None:
            plan = obj.subject.plan
            limit_fiscal_years(form, plan)
            limit_to_scheme(form, plan)
        return form

    @admin.display(description=_("評価する時点"))
    def when_label(self, value):
        return value.when_label

    def get_urls(self):
        """The file exchange: a plan's values as CSV or Excel, and their import."""
        files = self.admin_site.admin_view(partial(files_view, model_admin=self))
        export = self.admin_site.admin_view(partial(export_view, model_admin=self))
        return [
            path("files/", files, name="projects_evaluationvalue_files"),
            path("files/<int:plan_id>/", files, name="projects_evaluationvalue_files"),
            path(
                "files/<int:plan_id>/export.<str:file_format>",
                export,
                name="projects_evaluationvalue_export",
            ),
        ] + super().get_urls()


# --- the plan and its tree, with their projects ---------------------------------
# Publishing a plan or a section publishes the projects in it, and a plan's
# project tables are imported from its page: the plan admins of policies are
# extended here, where projects are known (Django's pattern for extending an
# admin registered by another app).
admin.site.unregister([Plan, PolicyNode])


class SectionPublishingMixin:
    """Report a publication of a plan or a section, and what still hides it; offer
    the import of the plan's project tables only to those who may import."""

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            plan = obj if isinstance(obj, Plan) else obj.plan
            context["can_import"] = can_import(request, self.admin_site._registry[Plan], plan)
            context["can_exchange_indicators"] = can_exchange(request.user)
        return super().render_change_form(request, context, add, change, form_url, obj)

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
        """Adds the import page (upload → preview → confirm) of a plan's project tables,
        the page of a queued import, and the indicators' file exchange."""
        view = self.admin_site.admin_view(partial(import_view, model_admin=self))
        job_view = self.admin_site.admin_view(partial(import_job_view, model_admin=self))
        exchange = self.admin_site.admin_view(partial(exchange_view, model_admin=self))
        return [
            path("<int:plan_id>/import/", view, name="policies_plan_import"),
            path(
                "<int:plan_id>/import/jobs/<int:job_id>/",
                job_view,
                name="policies_plan_import_job",
            ),
            path("<int:plan_id>/indicators/", exchange, name="policies_plan_indicators"),
            *super().get_urls(),
        ]

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
