"""A round's results in and out of files.

- ``round_table``/``round_csv``/``round_xlsx``: the whole round for planning
  (every task, its status, who touched it last, the result).
- ``task_workbook``: the tasks a user works on as an Excel workbook to fill
  in: the year's targets read-only (the sheet is protected, only the result
  cells are open), 達成度 and 評価結果 as drop-downs of the plan's scale labels,
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
from policies.models import ScaleLevel
from projects.layout import guard_formula
from projects.models import Project, ProjectResult
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
EDITABLE_HEADERS = ["実績", "達成度", "評価結果", "説明"]
FIELDS = dict(zip(EDITABLE_HEADERS, ["actual", "achievement", "review", "comment"], strict=True))


def level_label(level: ScaleLevel | None) -> str:
    return f"{level.code} {level.full_label}" if level else ""


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _tasks_with_results(tasks, fiscal_year):
    tasks = list(
        tasks.select_related(
            "project__plan",
            "project__home_node",
            "project__bureau",
            "project__division",
            "updated_by",
        ).prefetch_related("project__targets", "project__target_revisions")
    )
    results = {
        result.project_id: result
        for result in ProjectResult.objects.filter(
            project_id__in=[task.project_id for task in tasks], fiscal_year=fiscal_year
        ).select_related("achievement", "review")
    }
    return [(task, results.get(task.project_id)) for task in tasks]


# --- the whole round, for planning -------------------------------------------------

ROUND_HEADERS = [
    "所管局",
    "所管課",
    "施策",
    "事業",
    "目標",
    "実績",
    "達成度",
    "評価結果",
    "説明",
    "状況",
    "最後に操作した職員",
    "最後の操作日時",
    "公開",
]


def round_table(round: Round) -> list[list[str]]:
    rows = []
    ordered = round.tasks.order_by("project__bureau__name", "project__division__name", "project_id")
    for task, result in _tasks_with_results(ordered, round.fiscal_year):
        project = task.project
        rows.append(
            [
                project.bureau.name if project.bureau else "",
                project.division.name if project.division else "",
                str(project.home_node) if project.home_node else "",
                str(project),
                "\n".join(year_targets(project).get(round.fiscal_year, [])),
                result.actual if result else "",
                level_label(result.achievement) if result else "",
                level_label(result.review) if result else "",
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
    writer.writerow(ROUND_HEADERS)
    writer.writerows([[guard_formula(value) for value in row] for row in round_table(round)])
    return buffer.getvalue().encode("utf-8-sig")


def round_xlsx(round: Round) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    _append_text(sheet, ROUND_HEADERS)
    for row in round_table(round):
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
    from openpyxl.worksheet.datavalidation import DataValidation

    scales = round.plan.scales
    levels = list(scales.levels.all()) if scales else []
    achievement = [level_label(lv) for lv in levels if lv.scale == ScaleLevel.Scale.ACHIEVEMENT]
    review = [level_label(lv) for lv in levels if lv.scale == ScaleLevel.Scale.REVIEW]

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET
    headers = [
        TASK_HEADER,
        "事業",
        "施策",
        "所管局・課",
        f"{dual_label(round.fiscal_year)}の目標",
        *EDITABLE_HEADERS,
        "状況",
        VERSION_HEADER,
    ]
    _append_text(sheet, headers)
    wrap = Alignment(wrap_text=True, vertical="top")
    open_cell = Protection(locked=False)
    editable_fill = PatternFill("solid", fgColor="FFF8E1")
    first_editable = headers.index(EDITABLE_HEADERS[0]) + 1
    for task, result in _tasks_with_results(tasks, round.fiscal_year):
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
                level_label(result.achievement) if result else "",
                level_label(result.review) if result else "",
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
            for column in range(first_editable, first_editable + len(EDITABLE_HEADERS)):
                sheet.cell(row, column).protection = open_cell
                sheet.cell(row, column).fill = editable_fill
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for letter, width in zip(
        "ABCDEFGHIJK", [8, 30, 24, 18, 36, 36, 24, 30, 36, 10, 6], strict=True
    ):
        sheet.column_dimensions[letter].width = width
    for letter in ("A", "K"):  # the task number and version stamp: for the portal, not for people
        sheet.column_dimensions[letter].hidden = True
    sheet.freeze_panes = "C2"
    sheet.protection.sheet = True  # targets and names read-only; result cells are unlocked
    sheet.protection.formatRows = False
    sheet.protection.formatColumns = False

    lists = workbook.create_sheet(LEVELS_SHEET)
    for index, label in enumerate(achievement, start=1):
        lists.cell(index, 1, label)
    for index, label in enumerate(review, start=1):
        lists.cell(index, 2, label)
    lists.sheet_state = "hidden"
    last = max(sheet.max_row, 2)
    for column, values, letter in (("G", achievement, "A"), ("H", review, "B")):
        if not values:
            continue
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
    missing = [
        name for name in (TASK_HEADER, VERSION_HEADER, *EDITABLE_HEADERS) if name not in header
    ]
    if missing:
        raise WorkbookError([_("列がありません：%(names)s") % {"names": "、".join(missing)}])
    index = {name: header.index(name) for name in (TASK_HEADER, VERSION_HEADER, *EDITABLE_HEADERS)}
    report = UploadReport(file_name=file_name)
    parsed = []
    for line, row in enumerate(rows[1:], start=2):
        cells = [_text(value) for value in row] + [""] * len(header)
        if not any(cells):
            continue
        report.rows += 1
        parsed.append((line, {name: cells[position] for name, position in index.items()}))
    _check_rows(round, parsed, report, user=user)
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


def _check_rows(round, parsed, report: UploadReport, *, user) -> None:
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
    results = {
        result.project_id: result
        for result in ProjectResult.objects.filter(
            project_id__in=[task.project_id for task in tasks.values()],
            fiscal_year=round.fiscal_year,
        ).select_related("achievement", "review")
    }
    scales = round.plan.scales
    levels = list(scales.levels.all()) if scales else []
    lookup = {
        scale: _level_lookup([level for level in levels if level.scale == scale])
        for scale in (ScaleLevel.Scale.ACHIEVEMENT, ScaleLevel.Scale.REVIEW)
    }
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
        values, row_problems = _row_values(cells, lookup, where)
        if row_problems:
            problems.extend(row_problems)
            continue
        changed = _changed_cells(result, values)
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


def _level_lookup(levels) -> dict[str, ScaleLevel]:
    """A level by its label as the drop-down shows it, or by its code alone."""
    lookup = {}
    for level in levels:
        lookup[level_label(level)] = level
        lookup[level.code] = level
    return lookup


def _row_values(cells, lookup, where) -> tuple[RowValues, list[str]]:
    problems = []
    levels = {}
    for header, scale in (
        ("達成度", ScaleLevel.Scale.ACHIEVEMENT),
        ("評価結果", ScaleLevel.Scale.REVIEW),
    ):
        text = cells[header]
        levels[header] = (
            lookup[scale].get(text) or lookup[scale].get(text.split(" ")[0]) if text else None
        )
        if text and levels[header] is None:
            problems.append(
                _("%(where)s 列「%(column)s」：「%(value)s」はこの計画の評価区分にありません。")
                % {"where": where, "column": header, "value": text}
            )
    for header in ("実績", "説明"):
        if len(cells[header]) > MAX_TEXT:
            problems.append(
                _("%(where)s 列「%(column)s」：%(max)d文字以内にしてください（%(length)d文字）。")
                % {"where": where, "column": header, "max": MAX_TEXT, "length": len(cells[header])}
            )
    values = RowValues(
        actual=cells["実績"],
        achievement=levels["達成度"],
        review=levels["評価結果"],
        comment=cells["説明"],
    )
    return values, problems


def _changed_cells(result, values: RowValues) -> list[CellChange]:
    old = {
        "実績": result.actual if result else "",
        "達成度": level_label(result.achievement) if result else "",
        "評価結果": level_label(result.review) if result else "",
        "説明": result.comment if result else "",
    }
    new = {
        "実績": values.actual,
        "達成度": level_label(values.achievement),
        "評価結果": level_label(values.review),
        "説明": values.comment,
    }
    return [
        CellChange(header, old[header], new[header])
        for header in EDITABLE_HEADERS
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
