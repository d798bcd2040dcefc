"""Write parsed project tables into a plan: projects, 再掲 listings and targets.

Used by the seed loader and by the importer, so both treat a table the same
way: a row without (再掲) is the project's home; a (再掲) row links the
existing project under another measure; the targets come from the home row,
and so do the bureau, section and wards where the table states them (a bureau
or section the city does not have yet is created).

Three steps, so that the importer can look before it writes:

- ``check_rows``: the rules a table keeps (one home per project, a section
  with its bureau, wards the city has, names that fit), every breach a RowError;
- ``compare_rows``: what writing the rows would change, field by field and
  cell by cell (old → new). Texts are compared as the layout reads them (line
  ends, trailing and repeated spaces normalised) and target lines by their
  order, so rows that say what the plan holds change nothing;
- ``write_changes``: exactly those changes, in bulk, with their history rows,
  raising each changed project's version once and the cached pages' content
  version once.

``apply_table_rows`` runs the three.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalRecords
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from planportal.caching import bulk_changes_of
from planportal.publication import PublicationStatus
from planportal.versioning import owner_versions_muted
from policies.models import Bureau, Division, Municipality, Plan, PolicyNode, Ward
from projects import layout
from projects.models import Project, ProjectListing, YearlyTarget
from projects.table_format import Responsibility, RowError, TableRow, column_label
from projects.target_table import (
    Column,
    ProjectName,
    normalize_text,
    parse_project_name,
    plan_columns,
)

TEXT_FIELDS = ("summary", "baseline", "actions_in_period", "home_note")
LATER_LINE = gettext_lazy("%(column)s（%(line)d行目）")


@dataclass
class PlacedRow:
    """A table row and the measure it was printed under."""

    node: PolicyNode
    row: TableRow


def sync_fields(obj, values: dict) -> bool:
    """Set changed values on ``obj`` and save only those; True if anything changed."""
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    for name in changed:
        setattr(obj, name, values[name])
    if changed:
        obj.full_clean()
        obj.save(update_fields=changed + (["updated_at"] if hasattr(obj, "updated_at") else []))
    return bool(changed)


def name_key(name: str, each_ward: bool) -> tuple[str, bool]:
    """How rows and stored projects are matched: the name as an export prints it and
    the importer reads it back (width-folded, spaces collapsed, markers split off)."""
    parsed = parse_project_name(ProjectName(name, each_ward, False).printed)
    return parsed.name, parsed.each_ward


def project_key(row: TableRow) -> tuple[str, bool]:
    return name_key(row.project_name.name, row.project_name.each_ward)


# --- the rules ------------------------------------------------------------------


def check_rows(plan: Plan, placed: list[PlacedRow]) -> list[RowError]:
    """Every breach of the rules a table keeps, by line and column; none means writable."""
    errors: list[RowError] = []
    ward_names = list(plan.municipality.wards.values_list("name", flat=True))
    homes: dict[tuple[str, bool], TableRow] = {}
    for item in placed:
        row = item.row
        if not row.project_name.relisted:
            first = homes.setdefault(project_key(row), row)
            if first is not row:
                errors.append(
                    RowError(
                        row.line,
                        layout.PROJECT_NAME,
                        _(
                            "「%(name)s」は%(first)d行目にも（再掲）なしで載っています。"
                            "本来の施策以外での掲載なら、事業名に(再掲)を付けてください。"
                        )
                        % {"name": row.printed_name, "first": first.line},
                    )
                )
        if row.responsibility is not None:
            errors.extend(_responsibility_errors(plan, row, ward_names))
    return errors


def _responsibility_errors(plan, row: TableRow, ward_names: list[str]) -> Iterator[RowError]:
    responsibility = row.responsibility
    for column, name, model in (
        (layout.BUREAU, responsibility.bureau, Bureau),
        (layout.DIVISION, responsibility.division, Division),
    ):
        limit = model._meta.get_field("name").max_length
        if len(name) > limit:
            yield RowError(
                row.line,
                column,
                _("%(column)sの名前は%(max)d文字までです。") % {"column": column, "max": limit},
            )
    if responsibility.division and not responsibility.bureau:
        yield RowError(row.line, layout.DIVISION, _("所管課を書くときは、所管局も書いてください。"))
    unknown = [name for name in responsibility.wards if name not in ward_names]
    if unknown:
        city = plan.municipality.name
        if ward_names:
            message = _("%(city)sの区ではありません: %(unknown)s（%(city)sの区は %(wards)s）。") % {
                "city": city,
                "unknown": "、".join(unknown),
                "wards": "、".join(ward_names),
            }
        else:
            message = _("%(city)sには区がありません: %(unknown)s") % {
                "city": city,
                "unknown": "、".join(unknown),
            }
        yield RowError(row.line, layout.WARDS, message)


# --- what would change ------------------------------------------------------------


@dataclass(frozen=True)
class Difference:
    """One changed value of a project, as staff read it: "" is empty (or deleted)."""

    label: str
    old: str
    new: str

    @property
    def is_deletion(self) -> bool:
        return bool(self.old) and not self.new


@dataclass
class ProjectChange:
    """What the rows do to one project: create it, or change these fields and cells."""

    project: Project  # unsaved when created
    row: TableRow  # the row that states it: its home row, or its first 再掲 row
    created: bool = False
    fields: dict[str, object] = field(default_factory=dict)  # new values
    wards: list[Ward] | None = None  # the new set, when it changes
    new_targets: list[YearlyTarget] = field(default_factory=list)
    changed_targets: list[tuple[YearlyTarget, str]] = field(default_factory=list)
    deleted_targets: list[YearlyTarget] = field(default_factory=list)
    differences: list[Difference] = field(default_factory=list)
    moved_from: PolicyNode | None = None  # the old home, when the home moves

    @property
    def changes_project(self) -> bool:
        return bool(self.fields) or self.wards is not None

    @property
    def changes_targets(self) -> bool:
        return bool(self.new_targets or self.changed_targets or self.deleted_targets)

    @property
    def changes_anything(self) -> bool:
        return self.created or self.changes_project or self.changes_targets


@dataclass
class TableChanges:
    """Everything writing some rows would change, and nothing else."""

    plan: Plan
    projects: list[ProjectChange] = field(default_factory=list)  # each project the rows state
    new_listings: list[ProjectListing] = field(default_factory=list)
    new_bureaus: list[Bureau] = field(default_factory=list)
    new_divisions: list[Division] = field(default_factory=list)

    @property
    def created(self) -> list[Project]:
        return [change.project for change in self.projects if change.created]

    @property
    def changed(self) -> list[ProjectChange]:
        """The existing projects whose fields, wards or targets change."""
        return [
            change
            for change in self.projects
            if not change.created and (change.changes_project or change.changes_targets)
        ]

    @property
    def updated(self) -> list[Project]:
        return [change.project for change in self.changed]

    @property
    def unchanged(self) -> list[Project]:
        """Existing projects with a home row that changes nothing of them."""
        return [
            change.project
            for change in self.projects
            if not change.created
            and not change.row.project_name.relisted
            and not change.changes_anything
        ]

    @property
    def listings_added(self) -> int:
        return len(self.new_listings)

    @property
    def changes_anything(self) -> bool:
        return bool(
            self.new_listings
            or self.new_bureaus
            or self.new_divisions
            or any(change.changes_anything for change in self.projects)
        )


def compare_rows(
    plan: Plan,
    placed: list[PlacedRow],
    *,
    home_note: str = "",
    status: str = PublicationStatus.DRAFT,
    lock: bool = False,
) -> TableChanges:
    """What writing ``placed`` (rows that pass ``check_rows``) into ``plan`` would change.

    ``home_note`` is for a project that only 再掲 rows mention and that the plan
    does not have yet: its home lies outside the given tables. A project's
    bureau, section and wards are the home row's ``responsibility`` (of the
    first 再掲 row for a project created from 再掲 rows only); a row without one
    leaves them as they are. New listings go after a node's existing ones, in
    the rows' order. ``lock``: lock the plan's projects until the transaction ends.
    """
    changes = TableChanges(plan)
    homes: dict[tuple[str, bool], PlacedRow] = {}
    relisted_only: dict[tuple[str, bool], PlacedRow] = {}
    for item in placed:
        key = project_key(item.row)
        (relisted_only if item.row.project_name.relisted else homes).setdefault(key, item)
    stored = Project.objects.filter(plan=plan)
    if lock:
        stored = stored.select_for_update()
    existing = {name_key(project.name, project.each_ward): project for project in stored}
    keys = homes.keys() | relisted_only.keys()
    compare = _Comparison(
        plan,
        changes,
        [existing[key].pk for key in keys if key in existing],
        home_note=home_note,
        status=status,
    )
    projects: dict[tuple[str, bool], Project] = {}
    for key, item in homes.items():
        projects[key] = compare.project(existing.get(key), item, home=True)
    for key, item in relisted_only.items():
        if key not in projects:
            projects[key] = compare.project(existing.get(key), item, home=False)
    _compare_listings(placed, projects, compare.listed, changes)
    return changes


def in_batches(pks: list[int], size: int = 5000) -> Iterator[list[int]]:
    """Keys in slices that any database takes in one ``IN (…)``."""
    for start in range(0, len(pks), size):
        yield pks[start : start + size]


def _compare_listings(placed, projects, listed: set[tuple[int, int]], changes) -> None:
    last = dict(
        ProjectListing.objects.filter(node__in={item.node.pk for item in placed})
        .order_by()
        .values("node")
        .annotate(last=Max("position"))
        .values_list("node", "last")
    )
    planned = set()
    for item in placed:
        project = projects[project_key(item.row)]
        node = item.node
        if (project.pk, node.pk) in listed or (id(project), node.pk) in planned:
            continue
        planned.add((id(project), node.pk))
        position = last[node.pk] + 1 if node.pk in last else 0
        last[node.pk] = position
        changes.new_listings.append(ProjectListing(project=project, node=node, position=position))


class _Comparison:
    """Compares rows with the projects they name, collecting a TableChanges.

    What the named projects hold (targets, listings, wards) is read in a few
    queries up front, not through each project's related managers."""

    def __init__(
        self, plan: Plan, changes: TableChanges, pks: list[int], *, home_note: str, status: str
    ):
        self.plan = plan
        self.changes = changes
        self.home_note = home_note
        self.status = status
        self.targets: dict[int, list[YearlyTarget]] = defaultdict(list)
        self.wards: dict[int, set[int]] = defaultdict(set)
        self.listed: set[tuple[int, int]] = set()
        through = Project.wards.through
        for batch in in_batches(pks):
            for target in YearlyTarget.objects.filter(project__in=batch).order_by():
                self.targets[target.project_id].append(target)
            self.listed.update(
                ProjectListing.objects.filter(project__in=batch).values_list("project", "node")
            )
            for project_id, ward_id in through.objects.filter(project__in=batch).values_list(
                "project", "ward"
            ):
                self.wards[project_id].add(ward_id)
        # The cells a row can state; other stored cells are left alone.
        self.columns = (
            plan_columns(plan.start_fiscal_year, plan.end_fiscal_year)
            if plan.has_fiscal_period
            else []
        )
        self.organisation = _Organisation(plan.municipality, changes)

    def project(self, project: Project | None, item: PlacedRow, *, home: bool) -> Project:
        row = item.row
        if project is not None and not home:
            self.changes.projects.append(ProjectChange(project, row))
            return project
        values = {
            "summary": row.summary,
            "baseline": row.baseline,
            "actions_in_period": row.actions_in_period,
            "home_node": item.node if home else None,
            "home_note": "" if home else self.home_note,
        }
        wards = None
        if row.responsibility is not None:
            values["bureau"], values["division"] = self.organisation.bureau_and_division(
                row.responsibility
            )
            wards = self.organisation.wards(row.responsibility)
        if project is None:
            return self.create(row, values, wards)
        change = ProjectChange(project, row)
        self.changes.projects.append(change)
        self.compare_fields(change, values)
        stored_wards = self.wards[project.pk]
        if wards is not None and {ward.pk for ward in wards} != stored_wards:
            change.wards = wards
            change.differences.append(
                Difference(
                    _label("wards"),
                    layout.join_wards(self.organisation.ward_names(stored_wards)),
                    layout.join_wards(ward.name for ward in wards),
                )
            )
        self.compare_targets(change, row)
        return project

    def create(self, row: TableRow, values: dict, wards) -> Project:
        name, each_ward = project_key(row)
        project = Project(plan=self.plan, name=name, each_ward=each_ward, status=self.status)
        for field_name, value in values.items():
            setattr(project, field_name, value)
        change = ProjectChange(project, row, created=True, wards=wards)
        change.new_targets = [
            YearlyTarget(
                project=project,
                line=line,
                fiscal_year=column.fiscal_year,
                after_period=column.after_period,
                text=text,
            )
            for line, texts in enumerate(row.target_lines)
            for column, text in texts.items()
        ]
        self.changes.projects.append(change)
        return project

    def compare_fields(self, change: ProjectChange, values: dict) -> None:
        project = change.project
        for name in TEXT_FIELDS:
            old = getattr(project, name)
            if old != values[name] and normalize_text(old) != normalize_text(values[name]):
                change.fields[name] = values[name]
                change.differences.append(Difference(_label(name), old, values[name]))
        home = values["home_node"]
        if project.home_node_id != (home.pk if home else None):
            change.fields["home_node"] = home
            change.moved_from = project.home_node  # read only for a project that moves
            change.differences.append(
                Difference(_label("home_node"), _node(project.home_node), _node(home))
            )
        if "bureau" not in values:
            return
        # A new (unsaved) bureau or section equals nothing stored.
        stated = {"bureau": values["bureau"], "division": values["division"]}
        stored = self.organisation.stored(project)
        if stored == stated:
            return
        change.fields.update(stated)
        for name, new in stated.items():
            old = stored[name]
            if old != new:
                change.differences.append(
                    Difference(_label(name), old.name if old else "", new.name if new else "")
                )

    def compare_targets(self, change: ProjectChange, row: TableRow) -> None:
        """Cell by cell, lines by their order: a stored line keeps its number."""
        project = change.project
        stored = self.targets[project.pk]
        by_line: dict[int, dict[Column, YearlyTarget]] = {}
        for target in stored:
            if target.column in self.columns and normalize_text(target.text):
                by_line.setdefault(target.line, {})[target.column] = target
        lines = sorted(by_line)
        next_line = max((target.line for target in stored), default=-1) + 1
        for rank in range(max(len(lines), len(row.target_lines))):
            if rank < len(lines):
                line, old_cells = lines[rank], by_line[lines[rank]]
            else:
                line, old_cells, next_line = next_line, {}, next_line + 1
            new_cells = row.target_lines[rank] if rank < len(row.target_lines) else {}
            for column in self.columns:
                old, new = old_cells.get(column), new_cells.get(column, "")
                if (old.text if old else "") == new or (old and normalize_text(old.text) == new):
                    continue
                label = column_label(column)
                if rank:
                    label = LATER_LINE % {"column": label, "line": rank + 1}
                change.differences.append(Difference(label, old.text if old else "", new))
                if old is None:
                    change.new_targets.append(
                        YearlyTarget(
                            project=project,
                            line=line,
                            fiscal_year=column.fiscal_year,
                            after_period=column.after_period,
                            text=new,
                        )
                    )
                elif new:
                    change.changed_targets.append((old, new))
                else:
                    change.deleted_targets.append(old)


def _label(name: str) -> str:
    return str(Project._meta.get_field(name).verbose_name)


def _node(node: PolicyNode | None) -> str:
    return str(node) if node else ""


class _Organisation:
    """The city's bureaus, sections and wards by name, for the rows of one write.

    A bureau or section the city does not have yet is made (unsaved) and noted
    in the changes; the rows have passed ``check_rows``, so every ward exists.
    """

    def __init__(self, municipality: Municipality, changes: TableChanges):
        self.municipality = municipality
        self.changes = changes
        self._bureaus = {bureau.name: bureau for bureau in municipality.bureaus.all()}
        self._divisions = {
            (division.bureau.name, division.name): division
            for division in Division.objects.filter(
                bureau__municipality=municipality
            ).select_related("bureau")
        }
        self._wards = {ward.name: ward for ward in municipality.wards.all()}
        self._by_pk = {
            **{(Bureau, bureau.pk): bureau for bureau in self._bureaus.values()},
            **{(Division, division.pk): division for division in self._divisions.values()},
        }

    def stored(self, project: Project) -> dict[str, Bureau | Division | None]:
        """A project's bureau (its section's, where only that is set) and section."""
        division = self._get(Division, project.division_id, "division", project)
        bureau = self._get(Bureau, project.bureau_id, "bureau", project)
        return {"bureau": bureau or (division.bureau if division else None), "division": division}

    def _get(self, model, pk, name, project):
        if pk is None:
            return None
        # Another city's bureau would be a data error, but read it rather than fail.
        return self._by_pk.get((model, pk)) or getattr(project, name)

    def bureau_and_division(
        self, responsibility: Responsibility
    ) -> tuple[Bureau | None, Division | None]:
        if not responsibility.bureau:
            return None, None
        bureau = self._bureaus.get(responsibility.bureau)
        if bureau is None:
            bureau = Bureau(municipality=self.municipality, name=responsibility.bureau)
            self._bureaus[bureau.name] = bureau
            self.changes.new_bureaus.append(bureau)
        if not responsibility.division:
            return bureau, None
        key = (bureau.name, responsibility.division)
        division = self._divisions.get(key)
        if division is None:
            division = Division(bureau=bureau, name=responsibility.division)
            self._divisions[key] = division
            self.changes.new_divisions.append(division)
        return bureau, division

    def wards(self, responsibility: Responsibility) -> list[Ward]:
        return [self._wards[name] for name in responsibility.wards]

    def ward_names(self, pks) -> list[str]:
        """Names of the city's wards ``pks``, in the city's order."""
        return [ward.name for ward in self._wards.values() if ward.pk in pks]


# --- writing -------------------------------------------------------------------------


def write_changes(changes: TableChanges, *, user=None) -> None:
    """Write ``changes`` in one transaction with bulk statements and their history
    (recorded as ``user``'s); each touched project's version rises once, and the
    plan's cached pages and PDFs go stale once, at commit."""
    if not changes.changes_anything:
        return
    now = timezone.now()
    with bulk_changes_of(changes.plan.slug), transaction.atomic(), owner_versions_muted():
        # Each bulk_create takes the keys of the objects created before it
        # (a new section's bureau, a new target's project).
        Bureau.objects.bulk_create(changes.new_bureaus)
        Division.objects.bulk_create(changes.new_divisions)
        created = _create_projects(changes, now)
        updated = _update_projects(changes, now)
        _write_wards(changes)
        _write_targets(changes, user, now)
        bulk_create_with_history(
            changes.new_listings, ProjectListing, default_user=user, default_date=now
        )
        _record_history(created, update=False, user=user, now=now)
        _record_history(updated, update=True, user=user, now=now)
        touched = {change.project.pk for change in changes.changed} | {
            listing.project_id for listing in changes.new_listings
        }
        touched -= {project.pk for project in created + updated}
        for batch in in_batches(sorted(touched)):
            Project.objects.filter(pk__in=batch).update(version=F("version") + 1)


def _create_projects(changes: TableChanges, now) -> list[Project]:
    created = changes.created
    for project in created:
        project.published_at = now if project.is_published() else None
    Project.objects.bulk_create(created)
    return created


def _update_projects(changes: TableChanges, now) -> list[Project]:
    """Changed fields (and wards) of existing projects, version + 1: each field set
    only on the projects whose value changes (one bulk UPDATE per set of changed
    fields), the version and time in one plain UPDATE."""
    updated = [change for change in changes.changed if change.changes_project]
    by_fields: dict[tuple[str, ...], list[Project]] = defaultdict(list)
    for change in updated:
        project = change.project
        for name, value in change.fields.items():
            setattr(project, name, value)
        project.version += 1  # as the UPDATE below does, under compare_rows' lock
        project.updated_at = now
        if change.fields:
            by_fields[tuple(sorted(change.fields))].append(project)
    for names, projects in by_fields.items():
        Project.objects.bulk_update(projects, names)
    projects = [change.project for change in updated]
    for batch in in_batches([project.pk for project in projects]):
        Project.objects.filter(pk__in=batch).update(version=F("version") + 1, updated_at=now)
    return projects


def _write_wards(changes: TableChanges) -> None:
    through = Project.wards.through
    rewired = [change for change in changes.projects if change.wards is not None]
    for batch in in_batches([change.project.pk for change in rewired if not change.created]):
        through.objects.filter(project__in=batch).delete()
    through.objects.bulk_create(
        through(project_id=change.project.pk, ward_id=ward.pk)
        for change in rewired
        for ward in change.wards
    )


def _write_targets(changes: TableChanges, user, now) -> None:
    new, changed, deleted = [], [], []
    for change in changes.projects:
        new += change.new_targets
        for target, text in change.changed_targets:
            target.text = text
            changed.append(target)
        deleted += change.deleted_targets
    bulk_create_with_history(new, YearlyTarget, default_user=user, default_date=now)
    bulk_update_with_history(changed, YearlyTarget, ["text"], default_user=user, default_date=now)
    # One DELETE (per batch); django-simple-history records each deletion as it goes.
    for batch in in_batches([target.pk for target in deleted]):
        YearlyTarget.objects.filter(pk__in=batch).delete()


def _record_history(projects: list[Project], *, update: bool, user, now) -> None:
    """History rows for projects written in bulk, with their tags as they are now
    (django-simple-history's bulk helper leaves many-to-many snapshots out)."""
    records = Project.history.bulk_history_create(
        projects, update=update, default_user=user, default_date=now
    )
    if not records:
        return
    by_project = {record.id: record for record in records}
    for m2m_field in Project.history.model._history_m2m_fields:
        snapshot = HistoricalRecords.m2m_models[m2m_field]
        through = m2m_field.remote_field.through
        columns = [column.attname for column in through._meta.fields]
        for batch in in_batches(list(by_project)):
            snapshot.objects.bulk_create(
                snapshot(
                    history=by_project[row.project_id],
                    **{column: getattr(row, column) for column in columns},
                )
                for row in through.objects.filter(project__in=batch)
            )


def apply_table_rows(
    plan: Plan,
    placed: list[PlacedRow],
    *,
    home_note: str = "",
    status: str = PublicationStatus.DRAFT,
    user=None,
) -> TableChanges:
    """Check, compare and write ``placed`` into ``plan``; raises ValidationError
    with every breach of ``check_rows``. Writing the same rows twice changes nothing."""
    errors = check_rows(plan, placed)
    if errors:
        raise ValidationError([str(error) for error in errors])
    with transaction.atomic():
        changes = compare_rows(plan, placed, home_note=home_note, status=status, lock=True)
        write_changes(changes, user=user)
    return changes


def list_under_home(project: Project, previous_home_id: int | None) -> None:
    """The home listing follows the home measure (本来の施策): when the home is set or
    changes, the listing under the previous home moves there (placed last), or one is
    made; a 再掲 already under the new home becomes the home listing."""
    if project.home_node_id is None or project.listings.filter(node=project.home_node_id).exists():
        if previous_home_id and previous_home_id != project.home_node_id:
            project.listings.filter(node=previous_home_id).delete()
        return
    moved = project.listings.filter(node=previous_home_id).first() if previous_home_id else None
    if moved is None:
        moved = ProjectListing(project=project)
    moved.node_id = project.home_node_id
    moved.position = ProjectListing.next_position(project.home_node_id)
    moved.save()
