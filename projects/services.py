"""Write parsed project tables into a plan: projects, 再掲 listings and targets.

Used by the seed loader and by the importer, so both treat a table the same
way: a row without (再掲) is the project's home; a (再掲) row links the
existing project under another measure; the targets come from the home row.
Writing the same rows twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from policies.models import Bureau, Plan, PolicyNode, PublicationStatus
from projects.models import Project, ProjectListing, YearlyTarget
from projects.table_format import TableRow
from projects.target_table import Column


@dataclass
class PlacedRow:
    """A table row and the measure it was printed under."""

    node: PolicyNode
    row: TableRow


@dataclass
class ApplyResult:
    created: list[Project] = field(default_factory=list)
    updated: list[Project] = field(default_factory=list)
    unchanged: list[Project] = field(default_factory=list)
    listings_added: int = 0
    new_listings: list[ProjectListing] = field(default_factory=list)


def sync_fields(obj, values: dict) -> bool:
    """Set changed values on ``obj`` and save only those; True if anything changed."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.full_clean()
        obj.save(update_fields=changed + (["updated_at"] if hasattr(obj, "updated_at") else []))
    return bool(changed)


def project_key(row: TableRow) -> tuple[str, bool]:
    return row.project_name.name, row.project_name.each_ward


@transaction.atomic
def apply_table_rows(
    plan: Plan,
    placed: list[PlacedRow],
    *,
    home_note: str = "",
    bureaus: dict[str, Bureau] | None = None,
    status: str = PublicationStatus.DRAFT,
) -> ApplyResult:
    """Create or update the projects of ``placed`` rows and their listings.

    ``home_note`` is recorded on a project that only 再掲 rows mention and
    that the plan does not have yet: its home lies outside the given tables.
    ``bureaus`` maps a project name to its responsible bureau.
    """
    bureaus = bureaus or {}
    result = ApplyResult()
    homes: dict[tuple[str, bool], PlacedRow] = {}
    relisted_only: dict[tuple[str, bool], PlacedRow] = {}
    for item in placed:
        key = project_key(item.row)
        if item.row.project_name.relisted:
            relisted_only.setdefault(key, item)
        elif key in homes:
            raise ValidationError(
                f"{item.row.line}行目: 「{item.row.printed_name}」は{homes[key].row.line}行目にも"
                "（再掲）なしで載っています。再掲なら事業名に(再掲)を付けてください。"
            )
        else:
            homes[key] = item
    existing = {
        (project.name, project.each_ward): project
        for project in Project.objects.filter(plan=plan).select_related("plan")
    }
    projects: dict[tuple[str, bool], Project] = {}
    for key, item in homes.items():
        projects[key] = _write_project(
            plan,
            existing.get(key),
            item,
            home=True,
            bureau=bureaus.get(item.row.printed_name),
            status=status,
            result=result,
        )
    for key, item in relisted_only.items():
        if key in projects:
            continue
        if key in existing:
            projects[key] = existing[key]
            continue
        projects[key] = _write_project(
            plan,
            None,
            item,
            home=False,
            bureau=bureaus.get(item.row.printed_name),
            status=status,
            result=result,
            home_note=home_note,
        )
    positions: dict[int, int] = {}
    for item in placed:
        project = projects[project_key(item.row)]
        position = positions.get(item.node.pk, 0)
        positions[item.node.pk] = position + 1
        listing, created = ProjectListing.objects.get_or_create(
            project=project, node=item.node, defaults={"position": position}
        )
        if created:
            result.listings_added += 1
            result.new_listings.append(listing)
        elif listing.position != position:
            listing.position = position
            listing.save(update_fields=["position"])
    return result


def _write_project(plan, project, item, *, home, bureau, status, result, home_note=""):
    row = item.row
    values = {
        "summary": row.summary,
        "baseline": row.baseline,
        "actions_in_period": row.actions_in_period,
        "home_node": item.node if home else None,
        "home_note": "" if home else home_note,
    }
    if bureau is not None:
        values["bureau"] = bureau
    if project is None:
        project = Project(
            plan=plan,
            name=row.project_name.name,
            each_ward=row.project_name.each_ward,
            status=status,
            **values,
        )
        project.full_clean()
        project.save()
        result.created.append(project)
        changed = True
    else:
        changed = sync_fields(project, values)
    changed = _sync_targets(project, row) or changed
    if project not in result.created:
        (result.updated if changed else result.unchanged).append(project)
    return project


def _sync_targets(project: Project, row: TableRow) -> bool:
    wanted: dict[tuple[int, Column], str] = {
        (line, column): text
        for line, texts in enumerate(row.target_lines)
        for column, text in texts.items()
    }
    stored = {(target.line, target.column): target for target in project.targets.all()}
    changed = False
    for key, target in stored.items():
        if key not in wanted:
            target.delete()
            changed = True
        elif target.text != wanted[key]:
            target.text = wanted[key]
            target.save(update_fields=["text"])
            changed = True
    for (line, column), text in wanted.items():
        if (line, column) not in stored:
            target = YearlyTarget(
                project=project,
                line=line,
                fiscal_year=column.fiscal_year,
                after_period=column.after_period,
                text=text,
            )
            target.full_clean()
            target.save()
            changed = True
    return changed
