"""The admin's import page for a plan: upload → preview → confirm.

The preview is the import itself run as a dry run (``projects.plan_import``),
so it lists exactly what the confirmed import will create, update and link —
every changed field and cell, old → new, every deletion, every home that moves
— or every problem that rejects the file. Projects changed since the file was
exported are listed with who changed them; the import overwrites them only
when the user ticks the box for it, and only at the version the preview showed.
The uploaded file waits in the cache for the confirmation, bound to the user
and the plan (``PendingUpload``, which the evaluations' import page uses too).
Only users with the publish permission may publish new projects.
"""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from planportal.permissions import can_publish
from policies.models import Plan, PolicyNode
from projects.plan_import import MAX_FILE_BYTES, PlanImportError, check_size, import_plan

PENDING_TIMEOUT = 30 * 60
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


class PendingUpload:
    """An uploaded file (and its options) waiting in the cache between the preview and
    the confirmation, bound to the user and the plan it was previewed for."""

    def __init__(self, kind: str):
        self.kind = kind

    def _key(self, token: str) -> str:
        return f"{self.kind}:{token}"

    def stash(self, request, plan: Plan, **data) -> str:
        token = secrets.token_urlsafe(24)
        cache.set(
            self._key(token), {"user": request.user.pk, "plan": plan.pk, **data}, PENDING_TIMEOUT
        )
        return token

    def take(self, request, plan: Plan) -> dict | None:
        """The pending upload the posted token names, removed from the cache; None (and a
        message) when it expired or belongs to another user or plan."""
        token = request.POST.get("token", "")
        pending = cache.get(self._key(token)) if token else None
        cache.delete(self._key(token))
        if not pending or pending["user"] != request.user.pk or pending["plan"] != plan.pk:
            messages.error(
                request,
                gettext("取り込みの確認の期限が切れました。もう一度ファイルを選んでください。"),
            )
            return None
        return pending


PLAN_UPLOADS = PendingUpload("plan-import")


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
    }
    if request.method == "POST" and "token" in request.POST:
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
            token = PLAN_UPLOADS.stash(
                request,
                plan,
                name=upload.name,
                content=content,
                under=under.pk if under else None,
                publish=publish,
                seen_versions=report.seen_versions,
            )
            context.update(report=report, token=token, under=under, publish=publish)
    context["form"] = form
    return TemplateResponse(request, "admin/projects/import_plan.html", context)


def _confirm(request, plan, context):
    pending = PLAN_UPLOADS.take(request, plan)
    if pending is None:
        return redirect(reverse("admin:policies_plan_import", args=[plan.pk]))
    under = plan.nodes.filter(pk=pending["under"]).first() if pending["under"] else None
    try:
        report = import_plan(
            plan=plan,
            file_name=pending["name"],
            content=pending["content"],
            under=under,
            publish=pending["publish"],
            user=request.user,
            overwrite_newer=request.POST.get("overwrite_newer") == "on",
            seen_versions=pending["seen_versions"],
        )
    except PlanImportError as error:  # newer changes not to overwrite, or a plan changed since
        form = ImportUploadForm(plan=plan, may_publish=can_publish(request.user))
        context.update(problems=error.problems, form=form)
        return TemplateResponse(request, "admin/projects/import_plan.html", context)
    messages.success(
        request,
        gettext(
            "「%(name)s」を取り込みました。新規 %(created)d 件、更新 %(updated)d 件、"
            "掲載箇所の追加 %(listed)d 件、変更なし %(unchanged)d 件。"
        )
        % {
            "name": report.file_name,
            "created": len(report.created),
            "updated": len(report.updated),
            "listed": len(report.new_listings),
            "unchanged": len(report.unchanged),
        },
    )
    if report.new_bureaus or report.new_divisions:
        messages.success(
            request,
            gettext("所管局 %(bureaus)d 件と所管課 %(divisions)d 件を新しく作りました。")
            % {"bureaus": len(report.new_bureaus), "divisions": len(report.new_divisions)},
        )
    return redirect(reverse("admin:policies_plan_change", args=[plan.pk]))
