"""Base classes for the staff admin: scopes, history and optimistic locking together.

``ContentAdmin`` is the ModelAdmin of plan content: scoped editing
(planportal.permissions), history with diffs and revert (django-simple-history),
and, for versioned models, no lost edits (planportal.versioning).
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
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from planportal.permissions import ScopedAdminMixin, can_edit
from planportal.versioning import Versioned, changes_since, locked_version

BASE_VERSION_FIELD = "base_version"

_conflict_log = []  # the model that keeps refused edits (policies.EditConflict)


def keep_refused_edits_in(model) -> None:
    """Record every refused edit as a row of ``model`` (see ``VersionCheckedForm``)."""
    _conflict_log[:] = [model]


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
        conflict_log = _conflict_log[0]
        conflict = conflict_log.objects.create(
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
                reverse(
                    f"admin:{conflict_log._meta.app_label}_{conflict_log._meta.model_name}_change",
                    args=[conflict.pk],
                ),
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


class PublishableAdminMixin:
    """Publish and unpublish as explicit, stamped actions (publishers only)."""

    actions = ["publish_selected", "unpublish_selected"]

    @admin.action(description=_("選択したものを公開する"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        count = queryset.publish()
        self.message_user(request, _("%(count)d件を公開しました。") % {"count": count})

    @admin.action(description=_("選択したものを下書きに戻す"), permissions=["publish"])
    def unpublish_selected(self, request, queryset):
        count = queryset.unpublish()
        self.message_user(request, _("%(count)d件を下書きに戻しました。") % {"count": count})


class ContentAdmin(
    ScopedAdminMixin, OptimisticLockAdminMixin, HistoryGuardMixin, SimpleHistoryAdmin
):
    """The admin of plan content (see the module docstring)."""


class ReferenceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The admin of reference data: only plan administrators change it."""
