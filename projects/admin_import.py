"""The admin's import page for a plan: upload → preview → confirm.

The preview is the import itself run as a dry run (``projects.plan_import``),
so it lists exactly what the confirmed import will create, update and link —
every changed field and cell, old → new, every deletion, every home that moves
— or every problem that rejects the file. Projects changed since the file was
exported are listed with who changed them; the import overwrites them only
when the user ticks the box for it, and only at the version the preview showed.
The uploaded file waits for the confirmation (``planportal.pending_uploads``),
bound to the user and the plan. Only users with the publish permission may
publish new projects. A confirmed file of more than ``IMPORT_QUEUE_ROWS`` rows
is imported by the task queue (``projects.tasks.run_plan_import``); its page
shows the staff member where the job stands.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from planportal import pending_uploads
from planportal.pending_uploads import PendingFile
from planportal.permissions import can_publish
from policies.models import Plan, PolicyNode
from projects.models import ImportJob
from projects.plan_import import MAX_FILE_BYTES, PlanImportError, check_size, import_plan
from projects.tasks import JobState, import_state, run_plan_import

PENDING_PURPOSE = "plan-import"
IMPORT_PERMISSIONS = ("projects.add_project", "projects.change_project")


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("ファイル"),
        help_text=_(
            "このポータルから書き出したCSV・Excel（.xlsx）・JSON、または計画書の表の形式"
            "（タブ区切りのテキスト）。UTF-8 か Shift_JIS。%(max)d MBまで。"
        )
        % {"max": MAX_FILE_BYTES // 1024 // 1024},
    )
    under = forms.ModelChoiceField(
        queryset=PolicyNode.objects.none(),
        required=False,
        label=_("取り込む先の項目"),
        help_text=_(
            "計画書の表の形式では必須です（その施策の表として取り込みます）。"
            "このポータルの形式では、指定するとその項目の下の行だけを受け付けます。"
        ),
    )
    publish = forms.BooleanField(
        required=False,
        label=_("新しい事業を公開する"),
        help_text=_("チェックしなければ、新しい事業は下書きとして作られます。"),
    )

    def __init__(self, *args, plan: Plan, may_publish: bool, **kwargs):
        super().__init__(*args, **kwargs)
        if not may_publish:  # the publishing rule: new projects stay drafts
            del self.fields["publish"]
        nodes = plan.nodes.select_related("level_label").in_printed_order()
        self.fields["under"].queryset = nodes
        self.fields["under"].label_from_instance = lambda node: "　" * node.level + str(node)


def can_import(request, model_admin, plan: Plan) -> bool:
    return model_admin.has_change_permission(request, plan) and request.user.has_perms(
        IMPORT_PERMISSIONS
    )


def import_view(request, plan_id: int, *, model_admin):
    plan = get_object_or_404(Plan.objects.select_related("municipality"), pk=plan_id)
    if not can_import(request, model_admin, plan):
        raise PermissionDenied
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Plan._meta,
        "plan": plan,
        "title": gettext("事業の表を取り込む"),
        "jobs": plan.import_jobs.select_related("user").order_by("-created_at")[:5],
    }
    if pending_uploads.is_confirmation(request):
        return _confirm(request, plan, context)
    initial = {"under": request.GET.get("under")} if request.GET.get("under") else None
    form = ImportUploadForm(
        request.POST or None,
        request.FILES or None,
        plan=plan,
        may_publish=can_publish(request.user),
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        under, publish = form.cleaned_data["under"], form.cleaned_data.get("publish", False)
        try:
            check_size(upload.name, upload.size)
            content = upload.read()
            report = import_plan(
                plan=plan,
                file_name=upload.name,
                content=content,
                under=under,
                dry_run=True,
                publish=publish,
                user=request.user,
            )
        except PlanImportError as error:
            context["problems"] = error.problems
        else:
            options = {
                "under": under.pk if under else None,
                "publish": publish,
                "seen_versions": report.seen_versions,
                "rows": report.rows,
            }
            token = pending_uploads.hold(
                request, PENDING_PURPOSE, plan.pk, PendingFile(upload.name, content, options)
            )
            context.update(report=report, token=token, under=under, publish=publish)
    context["form"] = form
    return TemplateResponse(request, "admin/projects/import_plan.html", context)


def _confirm(request, plan, context):
    pending = pending_uploads.take(request, PENDING_PURPOSE, plan.pk)
    if pending is None:
        return pending_uploads.expired(
            request, reverse("admin:policies_plan_import", args=[plan.pk])
        )
    options = pending.options
    under = plan.nodes.filter(pk=options["under"]).first() if options["under"] else None
    overwrite_newer = request.POST.get("overwrite_newer") == "on"
    if options["rows"] > settings.IMPORT_QUEUE_ROWS:
        job = ImportJob.objects.create(
            plan=plan,
            user=request.user,
            file_name=pending.name,
            content=pending.content,
            under=under,
            publish=options["publish"],
            overwrite_newer=overwrite_newer,
            seen_versions=options["seen_versions"],
        )
        run_plan_import.enqueue(job_id=job.pk)
        return redirect(reverse("admin:policies_plan_import_job", args=[plan.pk, job.pk]))
    try:
        report = import_plan(
            plan=plan,
            file_name=pending.name,
            content=pending.content,
            under=under,
            publish=options["publish"],
            user=request.user,
            overwrite_newer=overwrite_newer,
            seen_versions=options["seen_versions"],
        )
    except PlanImportError as error:  # newer changes not to overwrite, or a plan changed since
        form = ImportUploadForm(plan=plan, may_publish=can_publish(request.user))
        context.update(problems=error.problems, form=form)
        return TemplateResponse(request, "admin/projects/import_plan.html", context)
    for message in done_messages(report.file_name, report.counts()):
        messages.success(request, message)
    return redirect(reverse("admin:policies_plan_change", args=[plan.pk]))


def done_messages(file_name: str, counts: dict[str, int]) -> list[str]:
    """What an import did, for the staff member who confirmed it."""
    done = [
        gettext(
            "「%(name)s」を取り込みました。新規 %(created)d 件、更新 %(updated)d 件、"
            "掲載箇所の追加 %(listed)d 件、変更なし %(unchanged)d 件。"
        )
        % {"name": file_name, **counts}
    ]
    if counts["bureaus"] or counts["divisions"]:
        done.append(
            gettext("所管局 %(bureaus)d 件と所管課 %(divisions)d 件を新しく作りました。") % counts
        )
    return done


def import_job_view(request, plan_id: int, job_id: int, *, model_admin):
    """Where a queued import stands: queued, running, done (what it did, or the
    problems that refused it) or failed (with the error); the page refreshes
    itself until the job ends."""
    plan = get_object_or_404(Plan, pk=plan_id)
    if not can_import(request, model_admin, plan):
        raise PermissionDenied
    job = get_object_or_404(ImportJob.objects.select_related("user"), pk=job_id, plan=plan)
    state, error = import_state(job)
    outcome = job.outcome or {}
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": Plan._meta,
        "plan": plan,
        "title": gettext("事業の表の取り込み（%(name)s）") % {"name": job.file_name},
        "job": job,
        "state": state.value,
        "ended": state in (JobState.DONE, JobState.FAILED),
        "error": error,
        "problems": outcome.get("problems", []),
        "done": done_messages(job.file_name, outcome) if "created" in outcome else [],
    }
    return TemplateResponse(request, "admin/projects/import_job.html", context)
