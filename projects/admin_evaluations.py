"""The admin's file exchange of a plan's evaluation values: download (CSV, Excel), and
upload → preview → confirm, on the plan import's pattern (``planportal.pending_uploads``
and its template). The layout and its rules are ``projects.evaluation_exchange``'s."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from planportal import pending_uploads
from planportal.pending_uploads import PendingFile
from policies.models import Plan
from projects import evaluation_exchange
from projects.export import CSV_CONTENT_TYPE, XLSX_CONTENT_TYPE
from projects.models import EvaluationValue
from projects.plan_import import MAX_FILE_BYTES, PlanImportError, check_size

PENDING_PURPOSE = "evaluation-import"
IMPORT_PERMISSIONS = (
    "projects.add_evaluationvalue",
    "projects.change_evaluationvalue",
    "projects.delete_evaluationvalue",
)


class EvaluationUploadForm(forms.Form):
    file = forms.FileField(
        label=_("ファイル"),
        help_text=_(
            "このページで書き出したCSV（UTF-8、Shift_JISも可）かExcel（.xlsx）。%(max)d MBまで。"
        )
        % {"max": MAX_FILE_BYTES // 1024 // 1024},
    )


def _files_url(plan: Plan) -> str:
    return reverse("admin:projects_evaluationvalue_files", args=[plan.pk])


def files_view(request, plan_id: int | None = None, *, model_admin):
    """A plan's evaluation files: the downloads, and the upload with its preview."""
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": EvaluationValue._meta,
        "title": gettext("評価をファイルで書き出す・取り込む"),
    }
    if plan_id is None:
        context["plans"] = Plan.objects.select_related("municipality")
        return TemplateResponse(request, "admin/projects/evaluation_files.html", context)
    plan = get_object_or_404(Plan.objects.select_related("municipality"), pk=plan_id)
    may_import = request.user.has_perms(IMPORT_PERMISSIONS)
    context.update(plan=plan, may_import=may_import, criteria=_criteria(plan))
    if request.method == "POST":
        if not may_import:
            raise PermissionDenied
        if pending_uploads.is_confirmation(request):
            return _confirm(request, plan, context)
    form = EvaluationUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            check_size(upload.name, upload.size)
            content = upload.read()
            report = evaluation_exchange.import_evaluations(
                plan, upload.name, content, user=request.user, dry_run=True
            )
        except PlanImportError as error:
            context["problems"] = error.problems
        else:
            token = pending_uploads.hold(
                request, PENDING_PURPOSE, plan.pk, PendingFile(upload.name, content)
            )
            context.update(report=report, token=token)
    context["form"] = form
    return TemplateResponse(request, "admin/projects/import_evaluations.html", context)


def _criteria(plan: Plan):
    scheme = plan.scheme
    return list(scheme.criteria.prefetch_related("levels")) if scheme else []


def _confirm(request, plan, context):
    pending = pending_uploads.take(request, PENDING_PURPOSE, plan.pk)
    if pending is None:
        return pending_uploads.expired(request, _files_url(plan))
    try:
        report = evaluation_exchange.import_evaluations(
            plan, pending.name, pending.content, user=request.user
        )
    except PlanImportError as error:  # the portal changed since the preview
        context.update(problems=error.problems, form=EvaluationUploadForm())
        return TemplateResponse(request, "admin/projects/import_evaluations.html", context)
    messages.success(
        request,
        gettext(
            "「%(name)s」を取り込みました。追加 %(created)d 件、変更 %(changed)d 件、"
            "削除 %(deleted)d 件、変更なし %(unchanged)d 件。"
        )
        % {
            "name": report.file_name,
            "created": len(report.created),
            "changed": len(report.changed),
            "deleted": len(report.deleted),
            "unchanged": report.unchanged,
        },
    )
    return redirect(_files_url(plan))


def export_view(request, plan_id: int, file_format: str, *, model_admin):
    if not model_admin.has_view_permission(request):
        raise PermissionDenied
    plan = get_object_or_404(Plan, pk=plan_id)
    if file_format == "xlsx":
        content, content_type = evaluation_exchange.to_xlsx(plan, request.user), XLSX_CONTENT_TYPE
    else:
        content, content_type = evaluation_exchange.to_csv(plan, request.user), CSV_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="{plan.slug}-evaluations.{file_format}"'
    )
    return response
