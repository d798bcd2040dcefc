"""The staff pages of a round, served under the admin site (see ``RoundAdmin.get_urls``).

- the grid (``grid_view``): a bureau's tasks for the year, editable row by
  row, saved in one submit; planning approves or returns selected rows there;
- the dashboard (``dashboard_view``): bureaus × statuses, overdue bureaus,
  projects without a bureau, publishing;
- the exports of the whole round.

Every write goes through ``rounds.services``, which checks permission and
scope; the pages offer only what the user may do.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from planportal import pending_uploads
from planportal.caching import bump_plan, invalidation_muted
from planportal.pending_uploads import PendingFile
from planportal.permissions import can_publish
from planportal.publication import PublicationStatus
from policies.models import Bureau
from projects.models import EvaluationValue, ProjectResult, YearlyTarget
from projects.progress import year_targets
from rounds import exchange, services
from rounds.forms import AssignBureauForm, ScaleChoices, TaskRowForm
from rounds.models import STATUS_LABELS, Round, Task
from rounds.services import RoundError, RowRefused
from rounds.workflow import PLANNING_ACTIONS, Action, Status

GRID_PAGE_SIZE = 200
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
REVIEW_BUTTONS = {action.value: action for action in PLANNING_ACTIONS}  # name="action" values


def get_round(round_id) -> Round:
    return get_object_or_404(
        Round.objects.select_related("plan__municipality", "plan__evaluation_scheme", "node"),
        pk=round_id,
    )


def admin_context(request, model_admin, round, title) -> dict:
    return {
        **model_admin.admin_site.each_context(request),
        "opts": Round._meta,
        "round": round,
        "title": title,
        "is_nav_sidebar_enabled": False,  # the grid needs the whole width
        "may_see_dashboard": services.may_review(request.user),
    }


# --- the grid -------------------------------------------------------------------


@dataclass
class GridRow:
    task: Task
    result: ProjectResult | None
    levels: list  # the year's EvaluationValue (or None) of each yearly criterion
    targets: list[str]
    form: TaskRowForm | None  # None: read-only for this user or in this status
    error: str = ""


def grid_tasks(request, round):
    """The tasks the user works on in this round, filtered by the page's bureau and status."""
    tasks = services.visible_tasks(request.user, round.tasks.all())
    bureau, status = request.GET.get("bureau", ""), request.GET.get("status", "")
    if bureau == "none":
        tasks = tasks.filter(project__bureau__isnull=True)
    elif bureau.isdigit():
        tasks = tasks.filter(project__bureau_id=int(bureau))
    if status in {member.value for member in Status}:
        tasks = tasks.filter(status=status)
    return tasks.order_by("project__bureau__name", "project__division__name", "project_id")


def load_rows(round, tasks, scales, *, user, bound=None, errors=None) -> list[GridRow]:
    """The rows of ``tasks`` with their results and that year's targets, in a fixed
    number of queries; ``bound`` forms and ``errors`` (by task id) of a refused save
    take the place of fresh forms."""
    bound, errors = bound or {}, errors or {}
    tasks = list(
        tasks.select_related(
            "project__plan", "project__home_node", "project__bureau", "project__division"
        ).prefetch_related(
            Prefetch("project__targets", queryset=YearlyTarget.objects.order_by("line")),
            "project__target_revisions",
        )
    )
    project_ids = [task.project_id for task in tasks]
    results = {
        result.project_id: result
        for result in ProjectResult.objects.filter(
            project_id__in=project_ids, fiscal_year=round.fiscal_year
        )
    }
    values: dict[int, list] = {}
    for value in EvaluationValue.objects.filter(
        project_id__in=project_ids, fiscal_year=round.fiscal_year
    ).select_related("level"):
        values.setdefault(value.project_id, []).append(value)
    may_edit = services.may_change_tasks(user)
    rows = []
    for task in tasks:
        task.round = round
        result = results.get(task.project_id)
        year_values = values.get(task.project_id, [])
        form = None
        if may_edit and task.is_editable:
            form = bound.get(task.pk) or scales.form(
                prefix=f"t{task.pk}", initial=scales.initial_for(task, result, year_values)
            )
        by_criterion = {value.criterion_id: value for value in year_values}
        levels = [by_criterion.get(criterion.pk) for criterion in scales.criteria]
        targets = year_targets(task.project).get(round.fiscal_year, [])
        rows.append(GridRow(task, result, levels, targets, form, errors.get(task.pk, "")))
    return rows


@transaction.atomic
def save_grid(request, round, scales) -> tuple[dict, dict, int]:
    """Save every changed row posted: (bound forms with errors, refusals, rows saved).

    One transaction (each row in its own savepoint), and one bump of the page
    cache for the whole page instead of one per row.
    """
    posted = [int(pk) for pk in request.POST.getlist("row") if pk.isdigit()]
    bound, errors, saved = {}, {}, 0
    with invalidation_muted():
        saved = _save_rows(request, round, scales, posted, bound, errors)
    if saved:
        bump_plan(round.plan.slug)
    refused_elsewhere = set(posted) - set(
        Task.objects.filter(round=round, pk__in=posted).values_list("pk", flat=True)
    )
    if refused_elsewhere:
        messages.error(request, _(services.OUT_OF_SCOPE))
    return bound, errors, saved


def _save_rows(request, round, scales, posted, bound, errors) -> int:
    saved = 0
    for task in Task.objects.filter(round=round, pk__in=posted).order_by("pk"):
        form = scales.form(request.POST, prefix=f"t{task.pk}")
        if not form.has_changed():
            continue
        if not form.is_valid():
            bound[task.pk] = form
            continue
        try:
            services.record_row(
                task.pk,
                form.row_values(),
                user=request.user,
                base_version=form.cleaned_data["version"],
            )
        except RowRefused as refusal:
            errors[task.pk] = refusal.message
        else:
            saved += 1
    return saved


def grid_view(request, round_id, *, model_admin):
    """The tasks of a round as one editable grid (GET), and its save and actions (POST)."""
    if not request.user.has_perm("rounds.view_task"):
        raise PermissionDenied
    round = get_round(round_id)
    scales = ScaleChoices(round.plan.yearly_criteria())
    tasks = grid_tasks(request, round)
    bound, errors = {}, {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        selected = [int(pk) for pk in request.POST.getlist("selected") if pk.isdigit()]
        if action in ("save", "submit"):
            bound, errors, saved = save_grid(request, round, scales)
            if saved:
                messages.success(request, _("%(count)d件を保存しました。") % {"count": saved})
            if bound or errors:
                messages.error(
                    request,
                    _("%(count)d件は保存していません。行ごとの理由を見てください。")
                    % {"count": len(bound) + len(errors)},
                )
            if action == "submit":
                _act(
                    request,
                    [pk for pk in selected if pk not in bound and pk not in errors],
                    Action.SUBMIT,
                )
        elif action in REVIEW_BUTTONS:
            _act(request, selected, REVIEW_BUTTONS[action], request.POST.get("comment", ""))
        if not (bound or errors):
            return redirect(request.get_full_path())
    page = Paginator(tasks, GRID_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = load_rows(round, page.object_list, scales, user=request.user, bound=bound, errors=errors)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        **admin_context(request, model_admin, round, _("評価の作業")),
        "rows": rows,
        "criteria": scales.criteria,
        "page": page,
        "query": query.urlencode(),
        "status_choices": [(status.value, label) for status, label in STATUS_LABELS.items()],
        "current_status": request.GET.get("status", ""),
        "current_bureau": request.GET.get("bureau", ""),
        "bureaus": Bureau.objects.filter(municipality_id=round.plan.municipality_id)
        if services.may_review(request.user)
        else [],
        "may_edit": any(row.form for row in rows),
        "may_change_tasks": services.may_change_tasks(request.user),
        "may_review": services.may_review(request.user) and round.is_open,
    }
    return TemplateResponse(request, "admin/rounds/grid.html", context)


def _act(request, task_ids, action, comment=""):
    try:
        count = services.act_on(task_ids, action, user=request.user, comment=comment)
    except RoundError as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("%(count)d件を「%(action)s」しました。")
            % {"count": count, "action": services.action_label(action)},
        )


# --- the dashboard ----------------------------------------------------------------


@dataclass
class BureauRow:
    bureau: Bureau | None
    counts: list[int]  # per status, in STATUS_LABELS order
    total: int
    approved_unpublished: int = 0

    @property
    def done(self) -> int:
        return self.count(Status.SUBMITTED) + self.count(Status.APPROVED)

    def count(self, status) -> int:
        return self.counts[list(STATUS_LABELS).index(status)]

    def cells(self):
        return [
            (status, number, round(100 * number / self.total) if self.total else 0)
            for status, number in zip(STATUS_LABELS, self.counts, strict=True)
        ]


def dashboard_rows(round) -> tuple[list[BureauRow], BureauRow]:
    """Bureaus × statuses of the round (and a row for projects without a bureau)."""
    statuses = list(STATUS_LABELS)
    table: dict[int | None, list[int]] = {}
    for row in round.tasks.counts_by_bureau():
        counts = table.setdefault(row["project__bureau_id"], [0] * len(statuses))
        counts[statuses.index(Status(row["status"]))] += row["number"]
    unpublished: dict[int | None, int] = {}
    approved = round.tasks.filter(status=Status.APPROVED)
    drafts = (
        approved.results()
        .exclude(status=PublicationStatus.PUBLISHED)
        .values_list("project__bureau_id", flat=True)
    )
    for bureau_id in drafts:
        unpublished[bureau_id] = unpublished.get(bureau_id, 0) + 1
    bureaus = Bureau.objects.in_bulk([pk for pk in table if pk is not None])
    rows = [
        BureauRow(bureaus.get(pk), counts, sum(counts), unpublished.get(pk, 0))
        for pk, counts in table.items()
    ]
    rows.sort(key=lambda row: (row.bureau is None, row.bureau.name if row.bureau else ""))
    totals = [sum(row.counts[i] for row in rows) for i in range(len(statuses))]
    return rows, BureauRow(None, totals, sum(totals), sum(unpublished.values()))


def dashboard_view(request, round_id, *, model_admin):
    if not services.may_review(request.user):
        raise PermissionDenied
    round = get_round(round_id)
    rows, totals = dashboard_rows(round)
    unassigned = (
        round.tasks.filter(project__bureau__isnull=True)
        .select_related("project__home_node")
        .order_by("project_id")
    )
    context = {
        **admin_context(request, model_admin, round, str(round)),
        "rows": rows,
        "totals": totals,
        "statuses": list(STATUS_LABELS.items()),
        "unassigned": unassigned,
        "assign_form": AssignBureauForm(round=round),
        "may_publish": can_publish(request.user),
        "may_assign": request.user.has_perm("projects.change_project"),
    }
    return TemplateResponse(request, "admin/rounds/dashboard.html", context)


def assign_view(request, round_id, *, model_admin):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    round = get_round(round_id)
    form = AssignBureauForm(request.POST, round=round)
    if not services.may_review(request.user):
        raise PermissionDenied
    if not form.is_valid():
        messages.error(request, _("所管局を選んでください。"))
    else:
        projects = [int(pk) for pk in request.POST.getlist("project") if pk.isdigit()]
        try:
            count = services.assign_bureau(
                round,
                projects,
                bureau=form.cleaned_data["bureau"],
                division=form.cleaned_data["division"],
                user=request.user,
            )
        except RoundError as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request,
                _("%(count)d件の事業の所管局を「%(bureau)s」にしました。")
                % {"count": count, "bureau": form.cleaned_data["bureau"]},
            )
    return redirect(reverse("admin:rounds_round_dashboard", args=[round.pk]))


def publish_view(request, round_id, *, model_admin):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    round = get_round(round_id)
    bureau = request.POST.get("bureau", "")
    try:
        count = services.publish_approved(
            round, user=request.user, bureau_id=int(bureau) if bureau.isdigit() else None
        )
    except RoundError as refusal:
        if refusal.message == _(services.NO_PERMISSION):
            raise PermissionDenied from None
        messages.error(request, refusal.message)
    else:
        messages.success(request, _("承認済みの実績%(count)d件を公開しました。") % {"count": count})
    return redirect(reverse("admin:rounds_round_dashboard", args=[round.pk]))


# --- files ------------------------------------------------------------------------

UPLOAD_PURPOSE = "round-upload"


class UploadForm(forms.Form):
    file = forms.FileField(
        label=_lazy("ファイル"),
        help_text=_lazy("この評価作業の作業画面から書き出したExcel（.xlsx）。10 MBまで。"),
    )


def export_view(request, round_id, fmt, *, model_admin):
    """The whole round as CSV or XLSX, for planning."""
    if not services.may_review(request.user):
        raise PermissionDenied
    round = get_round(round_id)
    if fmt == "csv":
        content, content_type = exchange.round_csv(round), "text/csv; charset=utf-8"
    elif fmt == "xlsx":
        content, content_type = exchange.round_xlsx(round), XLSX
    else:
        raise Http404
    return _download(content, content_type, f"round-{round.pk}-{round.fiscal_year}.{fmt}")


def workbook_view(request, round_id, *, model_admin):
    """The tasks of the grid (with its filters) as a workbook to fill in."""
    if not services.may_change_tasks(request.user):
        raise PermissionDenied
    round = get_round(round_id)
    content = exchange.task_workbook(round, grid_tasks(request, round), user=request.user)
    return _download(content, XLSX, f"round-{round.pk}-{round.fiscal_year}-tasks.xlsx")


def upload_view(request, round_id, *, model_admin):
    """Upload a filled-in workbook → preview of every changed cell → confirm."""
    if not services.may_change_tasks(request.user):
        raise PermissionDenied
    round = get_round(round_id)
    context = admin_context(request, model_admin, round, _("Excelから取り込む"))
    if pending_uploads.is_confirmation(request):
        return _confirm_upload(request, round, context)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = (
            upload.read()
            if upload.size <= exchange.MAX_UPLOAD_BYTES
            else b"x" * (exchange.MAX_UPLOAD_BYTES + 1)
        )
        try:
            report = exchange.read_workbook(
                round, content, user=request.user, file_name=upload.name
            )
        except exchange.WorkbookError as error:
            context["problems"] = error.problems
        else:
            token = pending_uploads.hold(
                request, UPLOAD_PURPOSE, round.pk, PendingFile(upload.name, content)
            )
            context.update(report=report, token=token)
    context["form"] = form
    return TemplateResponse(request, "admin/rounds/upload.html", context)


def _confirm_upload(request, round, context):
    pending = pending_uploads.take(request, UPLOAD_PURPOSE, round.pk)
    if pending is None:
        return pending_uploads.expired(
            request, reverse("admin:rounds_round_upload", args=[round.pk])
        )
    try:
        report = exchange.read_workbook(
            round, pending.content, user=request.user, file_name=pending.name
        )
        count = exchange.apply_changes(report, user=request.user)
    except exchange.WorkbookError as error:  # something changed since the preview
        context.update(problems=error.problems, form=UploadForm())
        return TemplateResponse(request, "admin/rounds/upload.html", context)
    messages.success(
        request,
        _("「%(name)s」から%(count)d件を保存しました。") % {"name": pending.name, "count": count},
    )
    return redirect(reverse("admin:rounds_round_tasks", args=[round.pk]))


def _download(content: bytes, content_type: str, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
