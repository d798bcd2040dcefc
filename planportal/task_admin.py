"""The task queue in the admin, in the staff's language: django-tasks-db's own
admin of its results, with Japanese labels (English on /en/).

The package's labels are English and untranslated. Its model and app names are
set here at start-up (display only: migrations read a model's declared options,
not these), and every column and field is shown through a display method with a
translated label, since changing its fields' verbose names would change its
migrations. Jobs are named by what they do (``task_queue.describe``).
"""

from __future__ import annotations

from django.apps import apps
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_tasks import TaskResultStatus
from django_tasks_db.admin import DBTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from planportal import task_queue

STATUS_LABELS = {
    TaskResultStatus.READY: _("待機中"),
    TaskResultStatus.RUNNING: _("実行中"),
    TaskResultStatus.SUCCESSFUL: _("完了"),
    TaskResultStatus.FAILED: _("失敗"),
}


class StatusFilter(admin.SimpleListFilter):
    title = _("状態")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return list(STATUS_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


class TaskResultAdmin(DBTaskResultAdmin):
    list_display = ("job", "state", "enqueued", "started", "finished", "attempts")
    list_display_links = ("job",)
    list_filter = (StatusFilter,)
    fields = readonly_fields = (
        "job",
        "state",
        "enqueued",
        "started",
        "finished",
        "attempts",
        "workers",
        "arguments",
        "result",
        "error",
        "error_details",
    )

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields

    def get_fields(self, request, obj=None):
        return self.fields

    @admin.display(description=_("ジョブ"), ordering="task_path")
    def job(self, obj):
        return task_queue.description(obj.task_path)

    @admin.display(description=_("状態"), ordering="status")
    def state(self, obj):
        return STATUS_LABELS.get(obj.status, obj.status)

    @admin.display(description=_("登録日時"), ordering="enqueued_at")
    def enqueued(self, obj):
        return obj.enqueued_at

    @admin.display(description=_("開始日時"), ordering="started_at")
    def started(self, obj):
        return obj.started_at

    @admin.display(description=_("終了日時"), ordering="finished_at")
    def finished(self, obj):
        return obj.finished_at

    @admin.display(description=_("試行回数"))
    def attempts(self, obj):
        return len(obj.worker_ids)

    @admin.display(description=_("実行したワーカー"))
    def workers(self, obj):
        return "、".join(obj.worker_ids)

    @admin.display(description=_("引数"))
    def arguments(self, obj):
        return format_html("<pre>{}</pre>", obj.args_kwargs)

    @admin.display(description=_("戻り値"))
    def result(self, obj):
        return obj.return_value

    @admin.display(description=_("エラー"))
    def error(self, obj):
        return obj.exception_class_path

    @admin.display(description=_("エラーの詳細"))
    def error_details(self, obj):
        return format_html("<pre>{}</pre>", obj.traceback) if obj.traceback else "-"


def register(site: admin.AdminSite) -> None:
    """Replace the package's admin (after autodiscovery registered it) and name it."""
    apps.get_app_config(DBTaskResult._meta.app_label).verbose_name = _("タスクキュー")
    DBTaskResult._meta.verbose_name = _("タスク結果")
    DBTaskResult._meta.verbose_name_plural = _("タスク結果")
    if site.is_registered(DBTaskResult):
        site.unregister(DBTaskResult)
    site.register(DBTaskResult, TaskResultAdmin)
