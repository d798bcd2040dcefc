"""Exchange by file of a plan's indicators (成果指標) and revised targets (目標変更).

The layouts are ``projects.indicator_layout``'s; the bytes are read by
``projects.plan_import.TableFile`` (CSV with or without a BOM, Shift_JIS,
.xlsx). As for project tables, an import is all-or-nothing: the whole file is
read and every row checked first — the node and project each row names, the
model's own rules (``Indicator.clean``, ``IndicatorValue.clean``,
``TargetRevision.clean``), and the user's scope — and every problem is reported
with the file, the row and the column. Only a file without one is written, in
one transaction. A row that says what is stored writes nothing, so the same
file imported twice changes nothing, and an export read back changes nothing.

What a file may change, by role: the indicators, values and revisions the
user's scope covers (``planportal.permissions.editable``), with the model
permissions to add or change them. New indicators are drafts unless the user
may publish and asks for it; an existing one keeps its status. An import
deletes no indicator and no revision; for an indicator it lists, the file is
the truth of its yearly values (a year left empty is removed). A revision
never touches the printed target it revises.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _

from planportal.permissions import can_publish, editable
from planportal.publication import PublicationStatus
from policies.models import Indicator, IndicatorValue, Plan
from projects import export
from projects import indicator_layout as lay
from projects.layout import NODE_PATH, PROJECT_NAME, NodePaths, guard_formula
from projects.models import Project, TargetRevision
from projects.plan_import import (
    LAYOUT_CSV,
    LAYOUT_XLSX,
    OLE_MAGIC,
    XLSX_MAGIC,
    TableFile,
    check_size,
)
from projects.target_table import ProjectName, parse_project_name

INDICATOR_PERMISSIONS = ("policies.add_indicator", "policies.change_indicator")
VALUE_PERMISSIONS = (
    "policies.add_indicatorvalue",
    "policies.change_indicatorvalue",
    "policies.delete_indicatorvalue",
)
REVISION_PERMISSIONS = ("projects.add_targetrevision", "projects.change_targetrevision")


def _labels(choices) -> dict[str, str]:
    """The labels a file writes (Japanese, whatever the user's language) → values."""
    with translation.override("ja"):
        return {str(label): value for value, label in choices}


# The model field each column fills, for the model's own messages.
INDICATOR_COLUMNS = {
    "node": NODE_PATH,
    "project": PROJECT_NAME,
    "name": lay.INDICATOR_NAME,
    "part_of": lay.PART_OF,
    "kind": lay.KIND,
    "unit": lay.UNIT,
    "direction": lay.DIRECTION,
    "source": lay.SOURCE,
    "note": lay.NOTE,
    "baseline_text": lay.BASELINE,
    "baseline_year": lay.BASELINE_WHEN,
    "baseline_label": lay.BASELINE_WHEN,
}
REVISION_COLUMNS = {
    "line": lay.TABLE_LINE,
    "fiscal_year": lay.TARGET_YEAR,
    "after_period": lay.TARGET_YEAR,
    "text": lay.REVISED,
    "decided_in": lay.DECIDED_IN,
    "reason": lay.REASON,
}


def _plan(plan: Plan) -> Plan:
    return Plan.objects.prefetch_related("periods").get(pk=plan.pk)


def _printed(project: Project) -> str:
    return ProjectName(project.name, project.each_ward, False).printed


# --- export --------------------------------------------------------------------------


def scoped_indicators(plan: Plan, user):
    """The indicators of ``plan`` that ``user`` may change, in the plan's order."""
    of_plan = Indicator.objects.filter(Q(node__plan=plan) | Q(project__plan=plan))
    return editable(user, of_plan)


def scoped_revisions(plan: Plan, user):
    return editable(user, TargetRevision.objects.filter(project__plan=plan))


def indicator_file(plan: Plan, indicators) -> tuple[list[str], list[list]]:
    """The header and rows of ``indicators`` (of ``plan``): nodes in printed order, then
    each node's projects; on each, the indicators in their order, parts after theirs."""
    with translation.override("ja"):  # the labels of 種類 and 望ましい方向
        return _indicator_file(_plan(plan), indicators)


def _indicator_file(plan: Plan, indicators) -> tuple[list[str], list[list]]:
    paths = NodePaths(plan.nodes.only("pk", "parent_id", "code", "title"))
    order = {
        pk: index
        for index, pk in enumerate(plan.nodes.in_printed_order().values_list("pk", flat=True))
    }
    indicators = list(indicators.select_related("project", "part_of").prefetch_related("values"))
    by_pk = {indicator.pk: indicator for indicator in indicators}

    def owner_key(indicator):
        node_id = indicator.node_id or indicator.project.home_node_id
        return (order.get(node_id, len(order)), indicator.project_id or 0)

    def sort_key(indicator):
        head = by_pk.get(indicator.part_of_id, indicator)
        return (
            *owner_key(head),
            head.position,
            head.pk,
            indicator.part_of_id is not None,
            indicator.position,
            indicator.pk,
        )

    indicators.sort(key=sort_key)
    span = plan.fiscal_year_span()
    years = set(range(span[0], span[1] + 1)) if span else set()
    years |= {value.fiscal_year for indicator in indicators for value in indicator.values.all()}
    years = sorted(years)
    rows = []
    for indicator in indicators:
        project = indicator.project
        node_id = indicator.node_id or (project.home_node_id if project else None)
        record = lay.IndicatorRecord(
            line=0,
            node_path=paths.path(node_id) if node_id else "",
            project_name=_printed(project) if project else "",
            name=indicator.name,
            part_of=indicator.part_of.name if indicator.part_of_id else "",
            kind=indicator.get_kind_display(),
            unit=indicator.unit,
            direction=indicator.get_direction_display(),
            source=indicator.source,
            note=indicator.note,
            baseline=indicator.baseline_written,
            baseline_when=indicator.baseline_when,
            values={
                value.fiscal_year: (value.target_written, value.actual_written)
                for value in indicator.values.all()
            },
        )
        rows.append(record.row(years))
    return lay.indicator_headers(years), rows


def revision_file(plan: Plan, revisions) -> tuple[list[str], list[list]]:
    """The header and rows of ``revisions``: by project, line, column and decision."""
    paths = NodePaths(plan.nodes.only("pk", "parent_id", "code", "title"))
    revisions = revisions.select_related("project").prefetch_related("project__targets")
    rows = []
    for revision in revisions.order_by(
        "project__pk", "line", "after_period", "fiscal_year", "decided_in", "pk"
    ):
        project = revision.project
        original = next(
            (
                target.text
                for target in project.targets.all()
                if (target.line, target.fiscal_year, target.after_period)
                == (revision.line, revision.fiscal_year, revision.after_period)
            ),
            "",
        )
        record = lay.RevisionRecord(
            line=0,
            node_path=paths.path(project.home_node_id) if project.home_node_id else "",
            project_name=_printed(project),
            table_line=revision.line + 1,
            column=revision.column,
            original=original,
            text=revision.text,
            decided_in=revision.decided_in,
            reason=revision.reason,
        )
        rows.append(record.row())
    return lay.REVISION_HEADERS, rows


def to_csv(header: list[str], rows: list[list]) -> bytes:
    """UTF-8 with a BOM (Excel reads the Japanese as such), formulas guarded."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([guard_formula(str(cell)) for cell in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(header: list[str], rows: list[list], title: str) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    sheet.freeze_panes = "A2"
    export.set_widths(sheet, [36, 30, 30] + [16] * (len(header) - 3))
    sheet.append(export.xlsx_cells(sheet, header, bold=True))
    for row in rows:
        sheet.append(export.xlsx_cells(sheet, row))
    return export.saved(workbook)


# --- import --------------------------------------------------------------------------


@dataclass
class Change:
    """One indicator or revision the file adds or changes, for the preview."""

    label: str
    created: bool
    fields: list[str] = field(default_factory=list)  # the columns that change


@dataclass
class _Planned:
    """An indicator row read and checked: the indicator (new or stored, its fields set)
    and its yearly values to write or remove."""

    record: lay.IndicatorRecord
    indicator: Indicator
    key: tuple  # (node id, project id, name)
    values: list[tuple[int, str, str]] = field(default_factory=list)  # year, target, actual


@dataclass
class ExchangeReport:
    file_name: str
    layout: str  # indicator_layout.INDICATORS or REVISIONS
    rows: int
    dry_run: bool
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0

    @property
    def created(self) -> list[Change]:
        return [change for change in self.changes if change.created]

    @property
    def updated(self) -> list[Change]:
        return [change for change in self.changes if not change.created]


class _Reader(TableFile):
    def __init__(self, plan: Plan, file_name: str, user, publish: bool):
        super().__init__(file_name)
        self.plan = _plan(plan)
        self.user = user
        self.publish = publish and can_publish(user)
        self.paths = NodePaths(self.plan.nodes.only("pk", "parent_id", "code", "title", "plan_id"))
        for node in self.paths.nodes.values():
            node.plan = self.plan
        self._projects = None

    def rows(self, content: bytes) -> list[tuple[int, list[str]]]:
        check_size(self.file_name, len(content))
        if content.startswith(XLSX_MAGIC) or self.file_name.lower().endswith(".xlsx"):
            self.file_format = LAYOUT_XLSX
            rows = self.xlsx_rows(content)
        elif content.startswith(OLE_MAGIC):
            self.fail(
                None, "", _("古いExcel形式（.xls）は読めません。.xlsx か CSV で保存してください。")
            )
            rows = []
        else:
            self.file_format = LAYOUT_CSV
            text = self.decode(content)
            self.raise_problems()
            rows = self.csv_rows(text)
        self.raise_problems()
        return [(number, cells) for number, cells in rows if any(c.strip() for c in cells)]

    # -- the node and project a row names --

    def node(self, record):
        found = self.paths.find(record.node_path)
        if len(found) != 1:
            message = (
                _("この計画にない項目です: %(path)s")
                if not found
                else _("「%(path)s」に当たる項目が複数あります。階層パスで書いてください。")
            )
            self.fail(record.line, NODE_PATH, message % {"path": record.node_path})
            return None
        return found[0]

    def project(self, record, node):
        if self._projects is None:
            self._projects = {}
            projects = self.plan.projects.prefetch_related("listings", "targets")
            for project in projects:
                project.plan = self.plan
                for listing in project.listings.all():
                    key = (listing.node_id, project.name, project.each_ward)
                    self._projects[key] = project
        name = parse_project_name(record.project_name)
        project = self._projects.get((node.pk, name.name, name.each_ward))
        if project is None:
            self.fail(
                record.line,
                PROJECT_NAME,
                _("「%(path)s」に載っている事業ではありません: %(name)s")
                % {"path": record.node_path, "name": record.project_name},
            )
        return project

    def model_errors(self, error: ValidationError, line: int, columns: dict, fallback: str = ""):
        for name, messages in error.message_dict.items():
            column = columns.get(name, fallback) if name != NON_FIELD_ERRORS else fallback
            for message in messages:
                self.fail(line, column, message)

    # -- indicators --

    def indicators(self, header, data):
        years, errors = lay.read_indicator_header(header, 1)
        self.add_row_errors(errors)
        self.raise_problems()
        records, errors = lay.read_indicator_rows(
            data, years, guarded=self.file_format == LAYOUT_CSV
        )
        self.add_row_errors(errors)
        allowed_nodes = set(editable(self.user, self.plan.nodes.all()).values_list("pk", flat=True))
        allowed_projects = set(
            editable(self.user, self.plan.projects.all()).values_list("pk", flat=True)
        )
        stored = {
            (indicator.node_id, indicator.project_id, indicator.name): indicator
            for indicator in Indicator.objects.filter(
                Q(node__plan=self.plan) | Q(project__plan=self.plan)
            ).prefetch_related("values")
        }
        allowed_stored = set(scoped_indicators(self.plan, self.user).values_list("pk", flat=True))
        planned: list[_Planned] = []
        seen = {}
        for record in records:
            node = self.node(record)
            if node is None:
                continue
            project = self.project(record, node) if record.project_name else None
            if record.project_name and project is None:
                continue
            key = (None, project.pk, record.name) if project else (node.pk, None, record.name)
            if not self.first_time(
                seen,
                key,
                record.line,
                lay.INDICATOR_NAME,
                _("%(line)d行目と同じ指標です。一つの行にまとめてください。"),
            ):
                continue
            may = self.user.has_perms(INDICATOR_PERMISSIONS + VALUE_PERMISSIONS)
            indicator = stored.get(key)
            if indicator is None:
                in_scope = project.pk in allowed_projects if project else node.pk in allowed_nodes
                if not (in_scope and may):
                    self.fail(
                        record.line, NODE_PATH, _("この項目・事業に指標を加える権限がありません。")
                    )
                    continue
                indicator = Indicator(
                    node=None if project else node,
                    project=project,
                    status=PublicationStatus.PUBLISHED if self.publish else PublicationStatus.DRAFT,
                )
            elif indicator.pk not in allowed_stored or not may:
                self.fail(
                    record.line, lay.INDICATOR_NAME, _("この指標を変更する権限がありません。")
                )
                continue
            else:
                indicator.node, indicator.project = (None, project) if project else (node, None)
            planned.append(_Planned(record, indicator, key))
        in_file = {item.key: item for item in planned}
        changes, unchanged, checked = [], 0, []
        for item in planned:
            changed = self.fill_indicator(item, in_file, stored)
            values = self.fill_values(item) if changed is not None else None
            if changed is None or values is None:
                continue
            item.values = [
                (year, target, actual) for column, year, target, actual in values if column
            ]
            value_columns = [column for column, *_rest in values if column]
            if item.indicator.pk is None or changed or value_columns:
                record = item.record
                label = " ".join(
                    part for part in (record.node_path, record.project_name, record.name) if part
                )
                changes.append(Change(label, item.indicator.pk is None, changed + value_columns))
                checked.append(item)
            else:
                unchanged += 1
        self.raise_problems()
        return changes, unchanged, checked

    def fill_indicator(self, item: _Planned, in_file: dict, stored: dict) -> list[str] | None:
        """Set the row's fields on its indicator; the columns changed, or None if wrong.

        A part's whole is looked up among the file's rows first, then among the stored
        indicators; it may not be a part itself (in the file, or as stored)."""
        record, indicator, key = item.record, item.indicator, item.key
        kinds, directions = _labels(Indicator.Kind.choices), _labels(Indicator.Direction.choices)
        kind = kinds.get(record.kind) if record.kind else Indicator.Kind.OUTCOME
        direction = (
            directions.get(record.direction) if record.direction else Indicator.Direction.HIGHER
        )
        problems = False
        if kind is None:
            self.fail(
                record.line,
                lay.KIND,
                _("「%(value)s」は種類にありません。次のどれかにしてください: %(choices)s")
                % {"value": record.kind, "choices": "、".join(kinds)},
            )
            problems = True
        if direction is None:
            self.fail(
                record.line,
                lay.DIRECTION,
                _("「%(value)s」は望ましい方向にありません。次のどれかにしてください: %(choices)s")
                % {"value": record.direction, "choices": "、".join(directions)},
            )
            problems = True
        part_of = None
        if record.part_of:
            whole_key = (*key[:2], record.part_of)
            whole = in_file.get(whole_key)
            part_of = whole.indicator if whole else stored.get(whole_key)
            whole_is_part = (
                bool(whole.record.part_of) if whole else bool(part_of and part_of.part_of_id)
            )
            if part_of is None or part_of is indicator:
                self.fail(
                    record.line,
                    lay.PART_OF,
                    _("同じ項目・事業に「%(name)s」という指標がありません。")
                    % {"name": record.part_of},
                )
                problems = True
        if problems:
            return None
        year, label = lay.read_when(record.baseline_when)
        new = {
            "name": record.name,
            "kind": kind,
            "unit": record.unit,
            "direction": direction,
            "source": record.source,
            "note": record.note,
        }
        changed = [
            INDICATOR_COLUMNS[name]
            for name, value in new.items()
            if getattr(indicator, name) != value
        ]
        if (indicator.part_of_id or None) != (part_of.pk if part_of else None) or (
            part_of is not None and part_of.pk is None
        ):
            changed.append(lay.PART_OF)
        if indicator.baseline_written != record.baseline:
            changed.append(lay.BASELINE)
            indicator.baseline_text, indicator.baseline_value = record.baseline, None
        if indicator.baseline_when != record.baseline_when:
            changed.append(lay.BASELINE_WHEN)
            indicator.baseline_year, indicator.baseline_label = year, label
        for name, value in new.items():
            setattr(indicator, name, value)
        indicator.part_of = part_of
        saved_part_of = indicator.part_of
        try:
            indicator.clean_fields(exclude=["node", "project", "part_of", "status", "published_at"])
            indicator.part_of = None  # checked below, against the file's own rows too
            indicator.clean()
        except ValidationError as error:
            self.model_errors(error, record.line, INDICATOR_COLUMNS, lay.INDICATOR_NAME)
            return None
        finally:
            indicator.part_of = saved_part_of
        if part_of is not None and whole_is_part:
            self.fail(
                record.line,
                lay.PART_OF,
                _("複合指標の一部にできるのは、一部ではない指標だけです。"),
            )
            return None
        if part_of is not None and self.keeps_parts(indicator, in_file, stored):
            self.fail(
                record.line, lay.PART_OF, _("一部を持つ指標は、ほかの指標の一部にできません。")
            )
            return None
        return changed

    @staticmethod
    def keeps_parts(indicator, in_file: dict, stored: dict) -> bool:
        """Does a stored part of ``indicator`` stay a part (the file leaves it out, or its
        row still names a whole)?"""
        for part in stored.values():
            if indicator.pk is None or part.part_of_id != indicator.pk:
                continue
            row = in_file.get((part.node_id, part.project_id, part.name))
            if row is None or row.record.part_of:
                return True
        return False

    def fill_values(self, item: _Planned):
        """(column changed or "", year, target text, actual text) for each year of the file
        and of the indicator: what to write, keep (no column) or remove (both empty)."""
        record, indicator = item.record, item.indicator
        stored = (
            {value.fiscal_year: value for value in indicator.values.all()} if indicator.pk else {}
        )
        planned = []
        ok = True
        for year in sorted(set(record.values) | set(stored)):
            target, actual = record.values.get(year, ("", ""))
            value = stored.get(year)
            if value is not None and (value.target_written, value.actual_written) == (
                target,
                actual,
            ):
                planned.append(("", year, None, None))  # as stored: keep
                continue
            column = f"{year}{lay.TARGET_SUFFIX}"
            if not (target or actual):
                planned.append((column, year, "", ""))  # remove
                continue
            candidate = IndicatorValue(
                indicator=indicator, fiscal_year=year, target_text=target, actual_text=actual
            )
            try:
                candidate.clean_fields(exclude=["indicator"])
                candidate.clean()
            except ValidationError as error:
                columns = {
                    "fiscal_year": f"{year}{lay.ACTUAL_SUFFIX}" if actual else column,
                    "target_text": column,
                    "target": column,
                    "actual_text": f"{year}{lay.ACTUAL_SUFFIX}",
                    "actual": f"{year}{lay.ACTUAL_SUFFIX}",
                }
                self.model_errors(error, record.line, columns, column)
                ok = False
                continue
            planned.append((column, year, target, actual))
        return planned if ok else None

    # -- revisions --

    def revisions(self, data):
        records, errors = lay.read_revision_rows(data, guarded=self.file_format == LAYOUT_CSV)
        self.add_row_errors(errors)
        allowed = set(editable(self.user, self.plan.projects.all()).values_list("pk", flat=True))
        may = self.user.has_perms(REVISION_PERMISSIONS)
        stored = {
            (revision.project_id, revision.line, revision.column, revision.decided_in): revision
            for revision in TargetRevision.objects.filter(project__plan=self.plan)
        }
        planned, changes, unchanged, seen = [], [], 0, {}
        for record in records:
            node = self.node(record)
            project = self.project(record, node) if node is not None else None
            if project is None:
                continue
            if project.pk not in allowed or not may:
                self.fail(
                    record.line, PROJECT_NAME, _("この事業の目標変更を登録する権限がありません。")
                )
                continue
            key = (project.pk, record.table_line - 1, record.column, record.decided_in)
            if not self.first_time(
                seen,
                key,
                record.line,
                lay.DECIDED_IN,
                _("%(line)d行目と同じ目標変更です。一つの行にまとめてください。"),
            ):
                continue
            revision = stored.get(key) or TargetRevision(
                project=project,
                line=record.table_line - 1,
                fiscal_year=record.column.fiscal_year,
                after_period=record.column.after_period,
                decided_in=record.decided_in,
            )
            changed = [
                column
                for column, name, value in (
                    (lay.REVISED, "text", record.text),
                    (lay.REASON, "reason", record.reason),
                )
                if getattr(revision, name) != value
            ]
            revision.text, revision.reason = record.text, record.reason
            try:
                revision.full_clean(
                    exclude=["project"], validate_unique=False, validate_constraints=False
                )
            except ValidationError as error:
                self.model_errors(error, record.line, REVISION_COLUMNS, lay.REVISED)
                continue
            if revision.pk is None or changed:
                label = f"{record.project_name} {lay.target_year_text(record.column)}（{record.decided_in}年度）"
                changes.append(Change(label, revision.pk is None, changed))
                planned.append(revision)
            else:
                unchanged += 1
        self.raise_problems()
        return changes, unchanged, planned


def import_exchange(
    *,
    plan: Plan,
    file_name: str,
    content: bytes,
    user,
    dry_run: bool = False,
    publish: bool = False,
) -> ExchangeReport:
    """Read an indicators or revisions file and write it all, or raise PlanImportError
    with every problem (file, row, column) and write nothing. ``dry_run``: only say
    what it would write."""
    reader = _Reader(plan, file_name, user, publish)
    rows = reader.rows(content)
    if not rows:
        reader.fail(None, "", _("行がありません。"))
        reader.raise_problems()
    (_line, header), data = rows[0], rows[1:]
    kind = lay.layout_of(header)
    if kind is None:
        reader.fail(
            rows[0][0],
            "",
            _(
                "見出しが成果指標の表（%(indicators)s …）でも目標変更の表（%(revisions)s）でもありません。"
            )
            % {
                "indicators": "、".join(lay.INDICATOR_HEADERS),
                "revisions": "、".join(lay.REVISION_HEADERS),
            },
        )
        reader.raise_problems()
    if kind == lay.INDICATORS:
        changes, unchanged, planned = reader.indicators(header, data)
        write = _write_indicators
    else:
        changes, unchanged, planned = reader.revisions(data)
        write = _write_revisions
    report = ExchangeReport(file_name, kind, len(data), dry_run, changes, unchanged)
    if not dry_run and changes:
        with transaction.atomic():
            write(planned)
    return report


def _write_indicators(planned: list[_Planned]) -> None:
    """Wholes before their parts, so that a new part links to its saved whole."""
    for item in sorted(planned, key=lambda item: bool(item.record.part_of)):
        indicator = item.indicator
        indicator.save()
        for year, target, actual in item.values:
            values = IndicatorValue.objects.filter(indicator=indicator, fiscal_year=year)
            if not (target or actual):
                values.delete()
                continue
            value = values.first() or IndicatorValue(indicator=indicator, fiscal_year=year)
            value.target_text, value.actual_text = target, actual
            value.target = value.actual = None
            value.target_condition = ""
            value.read_numbers()
            value.save()


def _write_revisions(planned) -> None:
    for revision in planned:
        revision.save()
