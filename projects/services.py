"""Write parsed project tables into a plan: projects, 再掲 listings and targets.

Used by the seed loader and by the importer, so both treat a table the same
way: a row without (再掲) is the project's home; a (再掲) row links the
existing project under another measure; the targets come from the home row,
and so do the bureau, section and wards where the table states them (a bureau
or section the city does not have yet is created). Writing the same rows twice
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction

from planportal.publication import PublicationStatus
from policies.models import Bureau, Division, Municipality, Plan, PolicyNode, Ward
from projects.models import Project, ProjectListing, YearlyTarget
from projects.table_format import Responsibility, TableRow
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
    new_bureaus: list[Bureau] = field(default_factory=list)
    new_divisions: list[Division] = field(default_factory=list)


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
    status: str = PublicationStatus.DRAFT,
) -> ApplyResult:
    """Create or update the projects of ``placed`` rows and their listings.

    ``home_note`` is recorded on a project that only 再掲 rows mention and
    that the plan does not have yet: its home lies outside the given tables.
    A project's bureau, section and wards are the home row's ``responsibility``
    (of the first 再掲 row for a project created from 再掲 rows only); a row
    without one leaves them as they are.
    """
    result = ApplyResult()
    organisation = _Organisation(plan.municipality, result)
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
        for project in Project.objects.filter(plan=plan)
        .select_related("plan", "bureau", "division")
        .prefetch_related("wards")
    }
    projects: dict[tuple[str, bool], Project] = {}
    for key, item in homes.items():
        projects[key] = _write_project(
            plan,
            existing.get(key),
            item,
            home=True,
            organisation=organisation,
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
            organisation=organisation,
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


def _write_project(plan, project, item, *, home, organisation, status, result, home_note=""):
    row = item.row
    values = {
        "summary": row.summary,
        "baseline": row.baseline,
        "actions_in_period": row.actions_in_period,
        "home_node": item.node if home else None,
        "home_note": "" if home else home_note,
    }
    wards = None
    if row.responsibility is not None:
        values["bureau"], values["division"] = organisation.bureau_and_division(row.responsibility)
        wards = organisation.wards(row.responsibility)
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
        if wards:
            project.wards.set(wards)
        result.created.append(project)
        changed = True
    else:
        changed = sync_fields(project, values)
        if wards is not None and set(wards) != set(project.wards.all()):
            if not changed:
                # A save raises the version, so a form opened before refuses to overwrite.
                project.save(update_fields=["updated_at"])
            project.wards.set(wards)
            changed = True
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


class _Organisation:
    """The city's bureaus, sections and wards by name, for the rows of one write.

    A bureau or section the city does not have yet is created (and noted in
    the result); a ward must exist. The importer has checked the names' length.
    """

    def __init__(self, municipality: Municipality, result: ApplyResult):
        self.municipality = municipality
        self.result = result
        self._bureaus = {bureau.name: bureau for bureau in municipality.bureaus.all()}
        self._divisions = {
            (division.bureau_id, division.name): division
            for division in Division.objects.filter(bureau__municipality=municipality)
        }
        self._wards = {ward.name: ward for ward in municipality.wards.all()}

    def bureau_and_division(
        self, responsibility: Responsibility
    ) -> tuple[Bureau | None, Division | None]:
        if not responsibility.bureau:
            if responsibility.division:
                raise ValidationError(f"所管課「{responsibility.division}」に所管局がありません。")
            return None, None
        bureau = self._bureaus.get(responsibility.bureau)
        if bureau is None:
            # get_or_create: an import running at the same time may create it too.
            bureau, created = Bureau.objects.get_or_create(
                municipality=self.municipality, name=responsibility.bureau
            )
            self._bureaus[bureau.name] = bureau
            if created:
                self.result.new_bureaus.append(bureau)
        if not responsibility.division:
            return bureau, None
        division = self._divisions.get((bureau.pk, responsibility.division))
        if division is None:
            division, created = Division.objects.get_or_create(
                bureau=bureau, name=responsibility.division
            )
            self._divisions[(bureau.pk, division.name)] = division
            if created:
                self.result.new_divisions.append(division)
        return bureau, division

    def wards(self, responsibility: Responsibility) -> list[Ward]:
        unknown = [name for name in responsibility.wards if name not in self._wards]
        if unknown:
            raise ValidationError(
                f"{self.municipality.name}に「{'、'.join(unknown)}」という区はありません。"
            )
        return [self._wards[name] for name in responsibility.wards]
