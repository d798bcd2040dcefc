"""Optimistic locking: no staff edit silently overwrites another.

Versioned content carries a version number that every save raises. An admin
form remembers the version its editor started from; saving checks it against
the stored one under a row lock, inside the admin's transaction. When someone
else saved in between, the save is refused, the editor is told who changed
what, and the refused input is kept as an ``EditConflict`` that staff can open.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

from django.db import models
from django.db.models import F
from django.db.models.signals import post_delete, post_save
from django.utils.translation import gettext_lazy as _


class Versioned(models.Model):
    """A model whose every save raises ``version`` (also saves with ``update_fields``)."""

    version = models.PositiveIntegerField(_("版"), default=1, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            self.version = (self.version or 0) + 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "version"}
        super().save(*args, **kwargs)


def bump_version(model, pk) -> None:
    """Raise a row's version without saving it: its children changed, or it was
    published or moved by a bulk write."""
    model._default_manager.filter(pk=pk).update(version=F("version") + 1)


def locked_version(model, pk) -> int | None:
    """The stored version, locking the row until the transaction ends (PostgreSQL;
    SQLite's IMMEDIATE transactions already hold the database's write lock)."""
    return (
        model._default_manager.select_for_update()
        .filter(pk=pk)
        .values_list("version", flat=True)
        .first()
    )


def changes_since(obj, base_version: int) -> tuple[object | None, list[str]]:
    """Who saved ``obj`` last, and the names of the fields changed since ``base_version``.

    Reads the history (django-simple-history); the base is the newest record at
    or below that version.
    """
    history = getattr(obj, "history", None)
    if history is None:
        return None, []
    records = history.all()  # newest first
    latest = records.first()
    base = records.filter(version__lte=base_version).first()
    if latest is None or base is None:
        return latest, []
    delta = latest.diff_against(base)
    names = []
    for change in delta.changes:
        field = obj._meta.get_field(change.field)
        names.append(str(field.verbose_name))
    return latest, names


_owners_muted = threading.local()


@contextmanager
def owner_versions_muted():
    """Child rows written in this thread leave their owners' versions alone: for a
    bulk writer (the importer) that raises each owner's version once itself."""
    previous = getattr(_owners_muted, "on", False)
    _owners_muted.on = True
    try:
        yield
    finally:
        _owners_muted.on = previous


def _bump_owner(field_name):
    def bump(sender, instance, raw=False, **kwargs):
        owner_id = getattr(instance, f"{field_name}_id", None)
        if raw or owner_id is None or getattr(_owners_muted, "on", False):
            return
        bump_version(instance._meta.get_field(field_name).related_model, owner_id)

    return bump


def version_owner_on_child_change(child_model, field_name: str) -> None:
    """Raise the owner's version whenever one of its child rows (an inline) changes,
    so that a form of the owner opened before that change cannot overwrite it."""
    uid = f"version-owner-{child_model._meta.label}"
    receiver = _bump_owner(field_name)
    post_save.connect(receiver, sender=child_model, weak=False, dispatch_uid=uid + "-save")
    post_delete.connect(receiver, sender=child_model, weak=False, dispatch_uid=uid + "-delete")
