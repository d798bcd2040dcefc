"""The staff workplace of evaluation rounds.

Planning opens a round with the admin's add form (which creates its tasks),
works from its dashboard and closes it; every staff user reaches the grid of
the tasks they work on. Tasks are read in the admin with their history; they
change only through the grid, the Excel upload and the workflow actions.
"""

from functools import partial

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from planportal.admin_base import ReferenceAdmin
from rounds import services, views
from rounds.models import Reminder, Round, Task, TaskEvent


@admin.register(Round)
class RoundAdmin(ReferenceAdmin):
    list_display = ["__str__", "deadline", "state", "work_links"]
    view_on_site = False  # its pages are the grid and the dashboard, linked in the list
    actions = ["close_selected"]
    list_filter = ["plan", "fiscal_year"]
    list_select_related = ["plan", "node"]
    autocomplete_fields = ["node"]
    fields = ["plan", "fiscal_year", "node", "deadline", "instructions", "reminder_days"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        return fields + ["plan", "fiscal_year", "node"] if obj is not None else fields

    @admin.display(description=_("状態"))
    def state(self, round):
        if not round.is_open:
            return _("終了")
        return _("期限超過") if round.is_overdue else _("実施中")

    @admin.display(description=_("作業"))
    def work_links(self, round):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:rounds_round_tasks", args=[round.pk]),
            _("作業画面"),
        )

    @admin.display(description=_("進み具合（局別）"))
    def dashboard_link(self, round):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:rounds_round_dashboard", args=[round.pk]),
            _("進み具合（局別）"),
        )

    def get_list_display(self, request):
        shown = list(super().get_list_display(request))
        return shown + ["dashboard_link"] if services.may_review(request.user) else shown

    @admin.action(description=_("選択した評価作業を終了する"), permissions=["change"])
    def close_selected(self, request, queryset):
        count = services.close_rounds(queryset)
        self.message_user(
            request,
            _("%(count)d件の評価作業を終了しました。入力・提出はできなくなります。")
            % {"count": count},
        )

    def get_urls(self):
        def view(function):
            return self.admin_site.admin_view(partial(function, model_admin=self))

        return [
            path("<int:round_id>/tasks/", view(views.grid_view), name="rounds_round_tasks"),
            path(
                "<int:round_id>/dashboard/",
                view(views.dashboard_view),
                name="rounds_round_dashboard",
            ),
            path("<int:round_id>/assign/", view(views.assign_view), name="rounds_round_assign"),
            path("<int:round_id>/publish/", view(views.publish_view), name="rounds_round_publish"),
            path(
                "<int:round_id>/export/<str:fmt>/",
                view(views.export_view),
                name="rounds_round_export",
            ),
            path(
                "<int:round_id>/workbook/", view(views.workbook_view), name="rounds_round_workbook"
            ),
            path("<int:round_id>/upload/", view(views.upload_view), name="rounds_round_upload"),
        ] + super().get_urls()

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        opened = services.open_round(obj, user=request.user)
        self.message_user(
            request, _("%(count)d件の事業の評価の作業を作りました。") % {"count": opened.tasks}
        )
        if opened.already_in_another_round:
            self.message_user(
                request,
                _("次の事業は同じ年度の別の評価作業に入っているため、含めていません：%(names)s")
                % {"names": services.project_names(opened.already_in_another_round)},
                messages.WARNING,
            )

    def response_add(self, request, obj, post_url_continue=None):
        return HttpResponseRedirect(reverse("admin:rounds_round_dashboard", args=[obj.pk]))


class TaskEventInline(admin.TabularInline):
    model = TaskEvent
    extra = 0
    fields = ["at", "user", "action", "from_label", "to_label", "comment"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("操作前の状況"))
    def from_label(self, event):
        return event.status_label(event.from_status)

    @admin.display(description=_("操作後の状況"))
    def to_label(self, event):
        return event.status_label(event.to_status)


@admin.register(Task)
class TaskAdmin(admin.ModelAdmin):
    """A task and its history (who did what, when), read-only."""

    list_display = ["project", "round", "status", "updated_by", "updated_at"]
    list_filter = ["round", "status", "project__bureau"]
    list_select_related = ["project", "round__plan", "updated_by"]
    search_fields = ["project__name"]
    fields = ["round", "project", "status", "return_comment", "updated_by", "updated_at"]
    readonly_fields = fields
    inlines = [TaskEventInline]

    def get_queryset(self, request):
        return services.visible_tasks(request.user, super().get_queryset(request))

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """The reminders sent, read-only: when, to which bureau, how many recipients."""

    list_display = ["round", "bureau", "kind", "key", "recipients", "sent_at"]
    list_filter = ["round", "kind", "bureau"]
    list_select_related = ["round__plan", "bureau"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
