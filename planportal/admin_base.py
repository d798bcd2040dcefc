"""Base classes for the staff admin: scopes, history and optimistic locking together.

``ContentAdmin`` is the ModelAdmin of plan content: scoped editing
(planportal.permissions), history with diffs and revert (django-simple-history),
and, for versioned models, no lost edits (planportal.versioning).
``ReferenceAdmin`` serves reference data (wards, bureaus, SDG goals …) that only
plan administrators change. Inlines take ``ScopedInlineMixin``.
"""

from __future__ import annotations

from dataclasses import dataclass

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

from planportal.forms import normalise_text
from planportal.permissions import (
    ScopedAdminMixin,
    check_written,
    is_public,
    with_refusal,
)
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


class RevertForm(forms.ModelForm):
    """The form of a historical version: its many-to-many tags (wards, strategies,
    SDGs) are the version's too, not today's, so a revert restores them."""

    record = None  # the historical record being reverted to

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.record._history_m2m_fields:
            if field.name in self.fields:
                target = field.m2m_reverse_field_name()
                rows = getattr(self.record, field.name).values_list(target, flat=True)
                self.initial[field.name] = list(rows)


class HistoryGuardMixin:
    """A history revert is a change: same permission, same scope, same publishing
    rule (a non-publisher's revert keeps the stored status), one transaction."""

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        record = getattr(obj, "_history", None)
        if record is None or not hasattr(record, "_history_m2m_fields"):
            return form
        return type(form.__name__, (RevertForm, form), {"record": record})

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method != "POST":
            return super().history_form_view(request, object_id, version_id, extra_context)
        obj = self.get_object(request, unquote(object_id))
        if obj is None or not self.has_change_permission(request, obj):
            raise PermissionDenied
        was_public = is_public(obj)

        def revert():
            with transaction.atomic():
                response = super(HistoryGuardMixin, self).history_form_view(
                    request, object_id, version_id, extra_context
                )
                obj.refresh_from_db()
                check_written(request.user, obj, was_public)
            return response

        return with_refusal(request, revert)


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


def changes_nothing(form, change) -> bool:
    """An admin save of an unchanged form: no write, so no history entry and no new version.
    (A revert's form starts from the historical version: it changes the stored one.)"""
    reverting = getattr(form.instance, "_history", None) is not None
    return change and not reverting and not form.has_changed()


class ContentAdmin(
    ScopedAdminMixin, OptimisticLockAdminMixin, HistoryGuardMixin, SimpleHistoryAdmin
):
    """The admin of plan content (see the module docstring)."""

    def save_model(self, request, obj, form, change):
        if not changes_nothing(form, change):
            super().save_model(request, obj, form, change)


class ReferenceAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """The admin of reference data: only plan administrators change it."""


# --- refused edits: compared, field by field, and re-applied --------------------


def _as_posted(bound) -> str | list[str]:
    """A bound field's value as a browser would post it (text normalised)."""
    value = bound.value()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, list | tuple):
        return sorted(str(getattr(v, "pk", v)) for v in value)
    return normalise_text(str(value))


def _posted(data: dict, name: str, field) -> str | list[str]:
    value = data.get(name, "")
    multiple = (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)
    if isinstance(field, multiple) and not isinstance(value, list):
        value = [value] if value != "" else []  # one chosen value is kept as a string
    if isinstance(value, list):
        return sorted(str(v) for v in value)
    return normalise_text(str(value))


def _shown(field, value) -> str:
    """A posted value in words: choices by their labels, related objects by name."""
    values = value if isinstance(value, list) else [value]
    values = [v for v in values if v != ""]
    if not values:
        return ""
    if isinstance(field, forms.ModelChoiceField):
        key = field.to_field_name or "pk"
        try:
            found = field.queryset.filter(**{f"{key}__in": values})
        except (ValueError, ValidationError):
            return "、".join(values)
        return "、".join(str(obj) for obj in found)
    if isinstance(field, forms.BooleanField):
        return str(_("はい"))
    choices = getattr(field, "choices", None)
    if choices is not None:
        labels = {str(k): label for k, label in choices}
        return "、".join(str(labels.get(v, v)) for v in values)
    return "、".join(values)


@dataclass
class RefusedField:
    name: str
    label: str
    started_from: str  # what the editor's form showed when they began
    stored: str  # what is stored now
    refused: str  # what they submitted
    edited: bool  # the editor changed this field (re-applied)
    value: object  # the submitted value, as posted


def refused_fields(request, model_admin, obj, submitted: dict, base_version: int):
    """The page form's fields where the refused input differs from what is stored now,
    with what the editor started from. (Rows of inlines are not compared.)"""
    record = obj.history.filter(version__lte=base_version).first()
    started = record.instance if record is not None else obj
    stored_form = model_admin.get_form(request, obj, change=True)(instance=obj)
    started_form = model_admin.get_form(request, started, change=True)(instance=started)
    rows = []
    for name, field in stored_form.fields.items():
        if name == BASE_VERSION_FIELD:
            continue
        refused = _posted(submitted, name, field)
        stored, began = _as_posted(stored_form[name]), _as_posted(started_form[name])
        if refused == stored:
            continue
        rows.append(
            RefusedField(
                name=name,
                label=str(field.label),
                started_from=_shown(field, began),
                stored=_shown(field, stored),
                refused=_shown(field, refused),
                edited=refused != began,
                value=submitted.get(name, ""),
            )
        )
    return rows


def current_form_data(request, model_admin, obj) -> dict:
    """The data the change form of ``obj`` posts as it is rendered now, inlines included."""
    data = {}
    form = model_admin.get_form(request, obj, change=True)(instance=obj)
    for name in form.fields:
        _put_posted(data, form[name], name)
    for formset, _inline in model_admin.get_formsets_with_inlines(request, obj):
        prefix = formset.get_default_prefix()
        bound = formset(instance=obj, prefix=prefix, queryset=_inline.get_queryset(request))
        for key, value in bound.management_form.initial.items():
            data[f"{bound.prefix}-{key}"] = value
        for row in bound.forms:
            for name in row.fields:
                _put_posted(data, row[name], row.add_prefix(name))
    return data


def _put_posted(data, bound, key):
    value = _as_posted(bound)
    widget = bound.field.widget
    if hasattr(widget, "widgets") and value != "":
        for index, part in enumerate(widget.decompress(bound.value())):
            data[f"{key}_{index}"] = "" if part is None else str(part)
    elif value not in ("", []):
        data[key] = value
