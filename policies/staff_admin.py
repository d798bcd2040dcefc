"""Base classes for the staff admin: scopes, history and optimistic locking together.

``ContentAdmin`` is the ModelAdmin of plan content: scoped editing
(policies.permissions), history with diffs and revert (django-simple-history),
and, for versioned models, no lost edits (policies.versioning).
``ReferenceAdmin`` serves reference data (wards, bureaus, SDG goals …) that only
plan administrators change. Inlines take ``ScopedInlineMixin``.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from policies.models import EditConflict, StaffScope
from policies.permissions import ScopedAdminMixin, can_edit, is_unrestricted
from policies.versioning import Versioned, changes_since, locked_version

BASE_VERSION_FIELD = "base_version"


class VersionCheckedForm(forms.ModelForm):
    """Remembers the version its editor started from and refuses a stale save.

    The check runs in ``clean()``, inside the admin's transaction, with the
    stored row locked until the save is done.
    """

    base_version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    editor = None  # the signed-in user; set by OptimisticLockAdminMixin.get_form

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        if instance.pk is not None:
            if getattr(instance, "_history", None) is not None:
                # Reverting to a historical version: the edit starts from the stored one.
                stored = type(instance)._default_manager.filter(pk=instance.pk)
                self.fields[BASE_VERSION_FIELD].initial = stored.values_list(
                    "version", flat=True
                ).first()
            else:
                self.fields[BASE_VERSION_FIELD].initial = instance.version

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        if instance.pk is None or instance._state.adding:
            return cleaned
        stored = locked_version(type(instance), instance.pk)
        base = cleaned.get(BASE_VERSION_FIELD)
        if stored is not None and base != stored:
            raise ValidationError(self._conflict_message(base, stored), code="edit_conflict")
        if stored is not None:
            instance.version = stored
        return cleaned

    def _conflict_message(self, base, stored):
        instance = self.instance
        latest, changed = changes_since(instance, base or 0)
        conflict = EditConflict.objects.create(
            content_type=ContentType.objects.get_for_model(type(instance)),
            object_id=str(instance.pk),
            object_repr=str(instance)[:300],
            user=self.editor if getattr(self.editor, "pk", None) else None,
            base_version=base or 0,
            stored_version=stored,
            changed_fields="、".join(changed)[:500],
            submitted=_submitted_data(self.data),
        )
        saved_by = getattr(latest, "history_user", None) if latest else None
        saved_at = timezone.localtime(latest.history_date) if latest else None
        return format_html(
            "{}<br>{}<br>{}",
            _(
                "この内容は、あなたが編集を始めた後に{user}が{when}に保存しました"
                "（変更された項目：{fields}）。"
            ).format(
                user=saved_by or _("ほかの職員"),
                when=saved_at.strftime("%Y-%m-%d %H:%M") if saved_at else _("先ほど"),
                fields="、".join(changed) or _("不明"),
            ),
            _("あなたの変更は保存していません。入力した内容は「編集の衝突」に控えてあります："),
            format_html(
                '<a href="{}">{}</a>　<a href="{}">{}</a>',
                reverse("admin:policies_editconflict_change", args=[conflict.pk]),
                _("控えを開く"),
                reverse(
                    f"admin:{instance._meta.app_label}_{instance._meta.model_name}_change",
                    args=[instance.pk],
                ),
                _("最新の内容を開き直す"),
            ),
        )


def _submitted_data(data) -> dict:
    """The POSTed form, without the CSRF token, as JSON-able lists."""
    return {
        key: values if len(values) > 1 else values[0]
        for key, values in data.lists()
        if key != "csrfmiddlewaretoken"
    }


class OptimisticLockAdminMixin:
    """Give a versioned model's admin form the version check."""

    def _is_versioned(self):
        return issubclass(self.model, Versioned)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if self._is_versioned() and "form" not in kwargs:
            kwargs["form"] = type(
                self.form.__name__, (VersionCheckedForm, self.form), {"editor": request.user}
            )
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if not self._is_versioned() or obj is None:
            return fieldsets
        if BASE_VERSION_FIELD in flatten_fieldsets(fieldsets):
            return fieldsets
        (name, options), *rest = fieldsets
        fields = [*options.get("fields", ()), BASE_VERSION_FIELD]
        return [(name, {**options, "fields": fields}), *rest]


class HistoryGuardMixin:
    """A history revert is a change: same permission, same scope, one transaction."""

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_change_permission(request, obj):
            raise PermissionDenied
        with transaction.atomic():
            response = super().history_form_view(request, object_id, version_id, extra_context)
            obj.refresh_from_db()
            if not can_edit(request.user, obj):
                raise PermissionDenied
        return response


class ContentAdmin(
    ScopedAdminMixin, OptimisticLockAdminMixin, HistoryGuardMixin, SimpleHistoryAdmin
):
    """The admin of plan content (see the module docstring)."""


class ReferenceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The admin of reference data: only plan administrators change it."""


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
