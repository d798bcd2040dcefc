"""A round's results in and out of files.

- ``round_table``/``round_csv``/``round_xlsx``: the whole round for planning
  (every task, its status, who touched it last, the result).
- ``task_workbook``: the tasks a user works on as an Excel workbook to fill
  in: the year's targets read-only (the sheet is protected, only the result
  cells are open), one column per yearly criterion of the plan's scheme (達成度,
  評価結果 …) as a drop-down of its levels' labels,
  and per row a hidden task number and version stamp. A hidden sheet names
  the round and the scope it was made for.
- ``read_workbook``: an uploaded workbook checked in full before anything is
  written (pretix-style: parse every row, collect every problem, then write all
  in one transaction); ``apply_changes`` writes it through ``record_row``.
  A file of another round or scope, a row outside the uploader's scope, a row
  changed in the portal since the download, an unknown level or a text over the
  limit: the whole file is refused, each problem named by row and column.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from planportal.caching import bump_rows, invalidation_muted
from planportal.permissions import scope_of
from policies.models import CriterionLevel
from projects.layout import guard_formula
from projects.models import EvaluationValue, Project, ProjectResult
from projects.progress import year_targets
from rounds import services
from rounds.models import Round, Task
from rounds.services import MAX_TEXT, RowRefused, RowValues
from schedule.fiscal import dual_label

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
META_SHEET = "_info"
LEVELS_SHEET = "_levels"
SHEET = "評価"
TASK_HEADER = "作業番号"
VERSION_HEADER = "版"
ACTUAL, COMMENT = "実績", "説明"


def editable_headers(criteria) -> list[str]:
    """The columns a bureau fills in: 実績, one per yearly criterion, 説明."""
    return [ACTUAL, *(criterion.name for criterion in criteria), COMMENT]


def level_label(level: CriterionLevel | None) -> str:
    return str(level) if level else ""


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _tasks_with_results(tasks, fiscal_year, criteria):
    """(task, result, {criterion id: level}) of each task."""
    tasks = list(
        tasks.select_related(
            "project__plan",
            "project__home_node",
            "project__bureau",
            "project__division",
            "updated_by",
        ).prefetch_related("project__targets", "project__target_revisions")
    )
    project_ids = [task.project_id for task in tasks]
    results = {
        result.project_id: result
        for result in ProjectResult.objects.filter(
            project_id__in=project_ids, fiscal_year=fiscal_year
        )
    }
    levels = year_levels(project_ids, fiscal_year, criteria)
    return [(task, results.get(task.project_id), levels.get(task.project_id, {})) for task in tasks]


def year_levels(project_ids, fiscal_year, criteria) -> dict[int, dict[int, CriterionLevel]]:
    """Per project, the level of each of ``criteria`` for the year."""
    by_pk = {level.pk: level for criterion in criteria for level in criterion.levels.all()}
    levels: dict[int, dict[int, CriterionLevel]] = {}
    for project_id, criterion_id, level_id in EvaluationValue.objects.filter(
        project_id__in=project_ids,
        fiscal_year=fiscal_year,
        criterion__in=[criterion.pk for criterion in criteria],
    ).values_list("project_id", "criterion_id", "level_id"):
        levels.setdefault(project_id, {})[criterion_id] = by_pk[level_id]
    return levels


# --- the whole round, for planning -------------------------------------------------


def round_headers(criteria) -> list[str]:
    return [
        "所管局",
        "所管課",
        "施策",
        "事業",
        "目標",
        *editable_headers(criteria),
        "状況",
        "最後に操作した職員",
        "最後の操作日時",
        "公開",
    ]


def round_table(round: Round, criteria) -> list[list[str]]:
    rows = []
    ordered = round.tasks.order_by("project__bureau__name", "project__division__name", "project_id")
    for task, result, levels in _tasks_with_results(ordered, round.fiscal_year, criteria):
        project = task.project
        rows.append(
            [
                project.bureau.name if project.bureau else "",
                project.division.name if project.division else "",
                str(project.home_node) if project.home_node else "",
                str(project),
                "\n".join(year_targets(project).get(round.fiscal_year, [])),
                result.actual if result else "",
                *(level_label(levels.get(criterion.pk)) for criterion in criteria),
                result.comment if result else "",
                task.get_status_display(),
                str(task.updated_by or ""),
                _local(task.updated_at),
                _("公開") if result and result.is_published() else "",
            ]
        )
    return rows


def round_csv(round: Round) -> bytes:
    """UTF-8 with a BOM for Excel; no cell is ever read as a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    criteria = round.plan.yearly_criteria()
    writer.writerow(round_headers(criteria))
    writer.writerows(
        [[guard_formula(value) for value in row] for row in round_table(round, criteria)]
    )
    return buffer.getvalue().encode("utf-8-sig")


def round_xlsx(round: Round) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    criteria = round.plan.yearly_criteria()
    _append_text(sheet, round_headers(criteria))
    for row in round_table(round, criteria):
        _append_text(sheet, row)
    sheet.freeze_panes = "A2"
    return _saved(workbook)


def _append_text(sheet, values) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING

    sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) for value in values])
    for cell in sheet[sheet.max_row]:
        if cell.value is not None and isinstance(cell.value, str):
            cell.data_type = TYPE_STRING  # never a formula, whatever the text begins with


def _saved(workbook) -> bytes:
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- the workbook a bureau fills in --------------------------------------------------


def scope_key(user) -> str:
    """Names the part of the round a workbook was made for: a scoped editor's file
    is theirs alone; planning's covers the whole round."""
    scope = scope_of(user)
    if scope.unrestricted:
        return "all"
    return f"bureau={scope.bureau_id or ''};division={scope.division_id or ''};ward={scope.ward_id or ''}"


def task_workbook(round: Round, tasks, *, user) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    criteria = round.plan.yearly_criteria()
    editable = editable_headers(criteria)

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    headers = [
        TASK_HEADER,
        "事業",
        "施策",
        "所管局・課",
        f"{dual_label(round.fiscal_year)}の目標",
        *editable,
        "状況",
        VERSION_HEADER,
    ]
    _append_text(sheet, headers)
    wrap = Alignment(wrap_text=True, vertical="top")
    open_cell = Protection(locked=False)
    editable_fill = PatternFill("solid", fgColor="FFF8E1")
    first_editable = headers.index(ACTUAL) + 1
    for task, result, levels in _tasks_with_results(tasks, round.fiscal_year, criteria):
        project = task.project
        owner = " ".join(
            part.name for part in (project.bureau, project.division) if part is not None
        )
        _append_text(
            sheet,
            [
                str(task.pk),
                str(project),
                str(project.home_node) if project.home_node else "",
                owner,
                "\n".join(year_targets(project).get(round.fiscal_year, [])),
                result.actual if result else "",
                *(level_label(levels.get(criterion.pk)) for criterion in criteria),
                result.comment if result else "",
                task.get_status_display(),
                str(task.version),
            ],
        )
        row = sheet.max_row
        for column in range(1, len(headers) + 1):
            sheet.cell(row, column).alignment = wrap
        task.round = round
        if task.is_editable:
            for column in range(first_editable, first_editable + len(editable)):
                sheet.cell(row, column).protection = open_cell
                sheet.cell(row, column).fill = editable_fill
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    widths = [8, 30, 24, 18, 36, 36, *(24 for _c in criteria), 36, 10, 6]
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    # the task number and version stamp: for the portal, not for people
    for column in (1, len(headers)):
        sheet.column_dimensions[get_column_letter(column)].hidden = True
    sheet.freeze_panes = "C2"
    sheet.protection.sheet = True  # targets and names read-only; result cells are unlocked
    sheet.protection.formatRows = False
    sheet.protection.formatColumns = False

    lists = workbook.create_sheet(LEVELS_SHEET)
    last = max(sheet.max_row, 2)
    for offset, criterion in enumerate(criteria, start=1):
        values = [level_label(level) for level in criterion.levels.all()]
        for index, label in enumerate(values, start=1):
            lists.cell(index, offset, label)
        if not values:
            continue
        letter = get_column_letter(offset)
        column = get_column_letter(first_editable + offset)
        validation = DataValidation(
            type="list",
            formula1=f"'{LEVELS_SHEET}'!${letter}$1:${letter}${len(values)}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_("評価区分"),
            error=_("一覧から選んでください。"),
        )
        validation.add(f"{column}2:{column}{last}")
        sheet.add_data_validation(validation)
    lists.sheet_state = "hidden"

    meta = workbook.create_sheet(META_SHEET)
    for key, value in (
        ("round", str(round.pk)),
        ("round_title", str(round)),
        ("scope", scope_key(user)),
        ("exported_at", _local(timezone.now())),
        ("exported_by", user.get_username()),
    ):
        meta.append([key, value])
    meta.sheet_state = "hidden"
    return _saved(workbook)


# --- reading an upload ------------------------------------------------------------


@dataclass
class CellChange:
    header: str
    old: str
    new: str


@dataclass
class RowChange:
    line: int
    task: Task
    values: RowValues
    cells: list[CellChange]


@dataclass
class UploadReport:
    file_name: str
    rows: int = 0
    changes: list[RowChange] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


class WorkbookError(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def read_workbook(round: Round, content: bytes, *, user, file_name: str = "") -> UploadReport:
    """Check an uploaded workbook against the round as it is now; raise WorkbookError
    with every problem, or return the changes it would make."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise WorkbookError([_("ファイルが大きすぎます（10 MBまで）。")])
    sheets = _load(content)
    meta = {row[0]: row[1] for row in sheets.get(META_SHEET, []) if len(row) >= 2 and row[0]}
    if SHEET not in sheets or "round" not in meta:
        raise WorkbookError(
            [
                _(
                    "このポータルで書き出した評価作業のファイルではありません。何も取り込んでいません。"
                )
            ]
        )
    if str(meta["round"]) != str(round.pk):
        raise WorkbookError(
            [
                _("別の評価作業（%(title)s）のファイルです。何も取り込んでいません。")
                % {"title": meta.get("round_title", meta["round"])}
            ]
        )
    if scope_key(user) not in ("all", meta.get("scope")):
        raise WorkbookError(
            [_("別の局・課・区のために書き出したファイルです。何も取り込んでいません。")]
        )
    rows = sheets[SHEET]
    header = [str(value or "").strip() for value in rows[0]] if rows else []
    criteria = round.plan.yearly_criteria()
    names = (TASK_HEADER, VERSION_HEADER, *editable_headers(criteria))
    missing = [name for name in names if name not in header]
    if missing:
        raise WorkbookError([_("列がありません：%(names)s") % {"names": "、".join(missing)}])
    index = {name: header.index(name) for name in names}
    report = UploadReport(file_name=file_name)
    parsed = []
    for line, row in enumerate(rows[1:], start=2):
        cells = [_text(value) for value in row] + [""] * len(header)
        if not any(cells):
            continue
        report.rows += 1
        parsed.append((line, {name: cells[position] for name, position in index.items()}))
    _check_rows(round, criteria, parsed, report, user=user)
    if report.problems:
        raise WorkbookError(report.problems)
    return report


def _load(content: bytes) -> dict[str, list[tuple]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise WorkbookError([_("Excel（.xlsx）のファイルとして読めません。")]) from None
    try:
        return {
            sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in workbook.worksheets
        }
    finally:
        workbook.close()


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _check_rows(round, criteria, parsed, report: UploadReport, *, user) -> None:
    ids = [int(cells[TASK_HEADER]) for _line, cells in parsed if cells[TASK_HEADER].isdigit()]
    tasks = {
        task.pk: task
        for task in Task.objects.filter(round=round, pk__in=ids).select_related(
            "project__plan", "updated_by"
        )
    }
    in_scope = (
        set(
            services.visible_tasks(user, Task.objects.filter(pk__in=tasks)).values_list(
                "pk", flat=True
            )
        )
        if services.may_change_tasks(user)
        else set()
    )
    project_ids = [task.project_id for task in tasks.values()]
    results = {
        result.project_id: result
        for result in ProjectResult.objects.filter(
            project_id__in=project_ids, fiscal_year=round.fiscal_year
        )
    }
    year = year_levels(project_ids, round.fiscal_year, criteria)
    lookup = {criterion.pk: _level_lookup(criterion.levels.all()) for criterion in criteria}
    seen = set()
    problems = report.problems
    for line, cells in parsed:
        where = _("%(line)d行目") % {"line": line}
        task = tasks.get(int(cells[TASK_HEADER])) if cells[TASK_HEADER].isdigit() else None
        if task is None:
            problems.append(
                _("%(where)s：この評価作業の事業ではありません（作業番号「%(value)s」）。")
                % {"where": where, "value": cells[TASK_HEADER]}
            )
            continue
        if task.pk in seen:
            problems.append(
                _("%(where)s：「%(project)s」が二度あります。")
                % {"where": where, "project": task.project}
            )
            continue
        seen.add(task.pk)
        if task.pk not in in_scope:
            problems.append(
                _("%(where)s：「%(project)s」はあなたの担当範囲外です。")
                % {"where": where, "project": task.project}
            )
            continue
        result = results.get(task.project_id)
        values, row_problems = _row_values(cells, criteria, lookup, where)
        if row_problems:
            problems.extend(row_problems)
            continue
        changed = _changed_cells(result, year.get(task.project_id, {}), values, criteria)
        if not changed:
            continue
        task.round = round
        try:
            services.check_row_editable(user, task)
        except RowRefused as refusal:
            problems.append(
                _("%(where)s：「%(project)s」%(message)s")
                % {"where": where, "project": task.project, "message": refusal.message}
            )
            continue
        if cells[VERSION_HEADER] != str(task.version):
            problems.append(f"{where}：{services.stale_message(task)}")
            continue
        report.changes.append(RowChange(line, task, values, changed))


def _level_lookup(levels) -> dict[str, CriterionLevel]:
    """A level by its label as the drop-down shows it, or by its code alone."""
    lookup = {}
    for level in levels:
        lookup[level_label(level)] = level
        lookup[level.code] = level
    return lookup


def _row_values(cells, criteria, lookup, where) -> tuple[RowValues, list[str]]:
    problems = []
    levels = {}
    for criterion in criteria:
        text = cells[criterion.name]
        found = lookup[criterion.pk]
        levels[criterion.pk] = found.get(text) or found.get(text.split(" ")[0]) if text else None
        if text and levels[criterion.pk] is None:
            problems.append(
                _("%(where)s 列「%(column)s」：「%(value)s」はこの計画の評価区分にありません。")
                % {"where": where, "column": criterion.name, "value": text}
            )
    for header in (ACTUAL, COMMENT):
        if len(cells[header]) > MAX_TEXT:
            problems.append(
                _("%(where)s 列「%(column)s」：%(max)d文字以内にしてください（%(length)d文字）。")
                % {"where": where, "column": header, "max": MAX_TEXT, "length": len(cells[header])}
            )
    values = RowValues(actual=cells[ACTUAL], levels=levels, comment=cells[COMMENT])
    return values, problems


def _changed_cells(result, levels, values: RowValues, criteria) -> list[CellChange]:
    old = {ACTUAL: result.actual if result else "", COMMENT: result.comment if result else ""}
    new = {ACTUAL: values.actual, COMMENT: values.comment}
    for criterion in criteria:
        old[criterion.name] = level_label(levels.get(criterion.pk))
        new[criterion.name] = level_label(values.levels[criterion.pk])
    return [
        CellChange(header, old[header], new[header])
        for header in editable_headers(criteria)
        if old[header].strip() != new[header].strip()
    ]


@transaction.atomic
def apply_changes(report: UploadReport, *, user) -> int:
    """Write every change of a checked upload, or none (a row refused now rolls back all)."""
    with invalidation_muted():  # one bump for the whole file, below
        problems = _record_rows(report, user)
    if problems:
        raise WorkbookError(problems)  # leaving the transaction rolls every row back
    bump_rows(Project, {change.task.project_id for change in report.changes})
    return len(report.changes)


def _record_rows(report: UploadReport, user) -> list[str]:
    problems = []
    for change in report.changes:
        try:
            services.record_row(
                change.task.pk, change.values, user=user, base_version=change.task.version
            )
        except RowRefused as refusal:
            problems.append(
                _("%(line)d行目：%(message)s") % {"line": change.line, "message": refusal.message}
            )
    return problems
