"""The admin's page for a plan's indicators and revised targets by file: download the
current files (what the user's scope covers), then upload → preview → confirm, as for
project tables (``projects.admin_import``).

The preview is the import run as a dry run (``projects.indicator_import``): it lists
every indicator or revision the file adds or changes, with the columns that change,
or every problem that rejects the file. The upload waits for the confirmation
(``planportal.pending_uploads``), bound to the user and the plan.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from planportal import pending_uploads
from planportal.pending_uploads import PendingFile
from planportal.permissions import can_publish
from policies.models import Plan
from projects import export, indicator_import
from projects.plan_import import MAX_FILE_BYTES, PlanImportError

# The files to download: name → (rows of the plan for the user, writer).
DOWNLOADS = {
    "indicators.csv": (indicator_import.indicator_file, indicator_import.scoped_indicators, "csv"),
    "indicators.xlsx": (
        indicator_import.indicator_file,
        indicator_import.scoped_indicators,
        "xlsx",
    ),
    "revisions.csv": (indicator_import.revision_file, indicator_import.scoped_revisions, "csv"),
    "revisions.xlsx": (indicator_import.revision_file, indicator_import.scoped_revisions, "xlsx"),
}


class ExchangeUploadForm(forms.Form):
    file = forms.FileField(
        label=_("ファイル"),
        help_text=_(
            "このページから書き出した成果指標または目標変更のCSV・Excel（.xlsx）。"
            "UTF-8 か Shift_JIS。%(max)d MBまで。"
        )
        % {"max": MAX_FILE_BYTES // 1024 // 1024},
    )
    publish = forms.BooleanField(
        required=False,
        label=_("新しい成果指標を公開する"),
        help_text=_("チェックしなければ、新しい成果指標は下書きとして作られます。"),
    )

    def __init__(self, *args, may_publish: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_publish:
            del self.fields["publish"]


def can_exchange(user) -> bool:
    """Staff who record indicators or revised targets; their scope limits the rows."""
    return user.has_perm("policies.change_indicator") or user.has_perm(
        "projects.change_targetrevision"
    )


PENDING_PURPOSE = "indicator-import"


def exchange_view(request, plan_id: int, *, model_admin):
    plan = get_object_or_404(Plan.objects.select_related("municipality"), pk=plan_id)
    if not can_exchange(request.user):
        raise PermissionDenied
    if "download" in request.GET:
        return _download(request, plan, request.GET["download"])
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Plan._meta,
        "plan": plan,
        "title": gettext("成果指標と目標変更をファイルで取り込む"),
        "downloads": list(DOWNLOADS),
    }
    if pending_uploads.is_confirmation(request):
        return _confirm(request, plan)
    may_publish = can_publish(request.user)
    form = ExchangeUploadForm(request.POST or None, request.FILES or None, may_publish=may_publish)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        publish = form.cleaned_data.get("publish", False)
        content = upload.read()
        try:
            report = indicator_import.import_exchange(
                plan=plan,
                file_name=upload.name,
                content=content,
                user=request.user,
                dry_run=True,
                publish=publish,
            )
        except PlanImportError as error:
            context["problems"] = error.problems
        else:
            token = pending_uploads.hold(
                request,
                PENDING_PURPOSE,
                plan.pk,
                PendingFile(upload.name, content, {"publish": publish}),
            )
            context.update(report=report, token=token)
    context["form"] = form
    return TemplateResponse(request, "admin/projects/import_indicators.html", context)


def _download(request, plan, name):
    if name not in DOWNLOADS:
        raise Http404
    build, scoped, kind = DOWNLOADS[name]
    header, rows = build(plan, scoped(plan, request.user))
    if kind == "csv":
        response = HttpResponse(
            indicator_import.to_csv(header, rows), content_type=export.CSV_CONTENT_TYPE
        )
    else:
        title = "成果指標" if name.startswith("indicators") else "目標変更"
        response = HttpResponse(
            indicator_import.to_xlsx(header, rows, title), content_type=export.XLSX_CONTENT_TYPE
        )
    response["Content-Disposition"] = content_disposition_header(True, f"{plan.slug}-{name}")
    return response


def _confirm(request, plan):
    here = reverse("admin:policies_plan_indicators", args=[plan.pk])
    pending = pending_uploads.take(request, PENDING_PURPOSE, plan.pk)
    if pending is None:
        return pending_uploads.expired(request, here)
    try:
        report = indicator_import.import_exchange(
            plan=plan,
            file_name=pending.name,
            content=pending.content,
            user=request.user,
            publish=pending.options["publish"],
        )
    except PlanImportError as error:  # the plan changed since the preview
        for problem in error.problems:
            messages.error(request, str(problem))
        return redirect(here)
    messages.success(
        request,
        gettext(
            "「%(name)s」を取り込みました。新規 %(created)d 件、更新 %(updated)d 件、変更なし %(unchanged)d 件。"
        )
        % {
            "name": report.file_name,
            "created": len(report.created),
            "updated": len(report.updated),
            "unchanged": report.unchanged,
        },
    )
    return redirect(here)
