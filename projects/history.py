"""One timeline per project: the changes of its targets, listings, results and evaluation
values with it.

The rows of a project's inlines keep their own history (django-simple-history);
the project's history page shows it too, so that a deleted target cell can be
found there and restored.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from projects.models import (
    EvaluationValue,
    Project,
    ProjectListing,
    ProjectResult,
    YearlyTarget,
)

# model name → (model, foreign keys shown by name)
PARTS = {
    "yearlytarget": (YearlyTarget, []),
    "projectlisting": (ProjectListing, ["node"]),
    "projectresult": (ProjectResult, []),
    "evaluationvalue": (EvaluationValue, ["criterion", "level", "period"]),
}
SHOWN = 300  # the newest changes; older ones stay in each row's own history

RESTORE_REFUSED = _("この行は復元できません（すでに存在するか、同じ位置に別の行があります）。")


@dataclass
class Change:
    field: str
    old: object
    new: object


@dataclass
class PartChange:
    """One historical record of a target, listing or result, with what it changed."""

    record: object
    model_name: str
    kind: str  # what the row is: 年度別の目標, 掲載箇所, …
    changes: list[Change]
    restorable: bool = False


def _value(record, field):
    return getattr(record, field.name) if field.is_relation else getattr(record, field.attname)


def _tracked_fields(model):
    return [f for f in model._meta.concrete_fields if f.name not in ("id", "project")]


def part_history(project: Project) -> list[PartChange]:
    """The history of the project's targets, listings and results, newest first."""
    entries = []
    for model_name, (model, related) in PARTS.items():
        records = list(
            model.history.filter(project_id=project.pk)
            .select_related("history_user", *related)
            .order_by("id", "history_date", "history_id")
        )
        existing = set(model._default_manager.filter(project=project).values_list("pk", flat=True))
        fields = _tracked_fields(model)
        previous = {}
        for record in records:
            before = previous.get(record.id)
            changes = []
            if before is not None and record.history_type == "~":
                for field in fields:
                    old, new = _value(before, field), _value(record, field)
                    if old != new:
                        changes.append(Change(str(field.verbose_name), old, new))
            entries.append(
                PartChange(
                    record,
                    model_name,
                    str(model._meta.verbose_name),
                    changes,
                    restorable=record.history_type == "-" and record.id not in existing,
                )
            )
            previous[record.id] = record
    entries.sort(key=lambda entry: entry.record.history_date, reverse=True)
    return entries[:SHOWN]


@transaction.atomic
def restore_part(project: Project, model_name: str, history_id: int, user):
    """Bring back a deleted target, listing or result as it was when deleted."""
    model, _related = PARTS[model_name]
    record = model.history.filter(project_id=project.pk, history_id=history_id).first()
    if record is None or record.history_type != "-":
        raise ValidationError(RESTORE_REFUSED)
    if model._default_manager.filter(pk=record.id).exists():
        raise ValidationError(RESTORE_REFUSED)
    restored = record.instance
    restored._state.adding = True
    restored._history_user = user
    try:
        restored.validate_unique()
        restored.validate_constraints()
    except ValidationError as error:
        raise ValidationError(RESTORE_REFUSED) from error
    restored.save(force_insert=True)
    return restored
