"""Import project tables into a plan: the use case behind ``import_plan`` and the admin.

Two phases, as in pretix's model import. First the whole file is read and
every row validated in memory: decoding, size, the layout, the fiscal-year
columns, the node each row names, and the rules of ``projects.services.check_rows``
(duplicate homes, bureaus, sections, wards). Every problem is collected, each
naming the file, the row and the column. Only a file without a single problem
reaches the second phase: ``projects.services`` compares the rows with the plan
(every changed field and cell, old → new) and writes exactly that inside one
short transaction, in bulk. Rows that say what the plan holds write nothing.

Before writing, two more refusals: a row whose project was changed after the
file was exported (the layout's 版 column) unless the user chose to overwrite
newer changes, and, for a user without the publish permission, any write that
would change what citizens see of an existing project. A dry run (the preview)
reports the changes the write would make from that same comparison and writes
nothing; only for a user without the publish permission is it the write itself,
rolled back, since what citizens would see is read after writing.

Accepted files:

- the portal's own layout (``projects.layout``) as CSV, tab-separated text,
  Excel (.xlsx) or the portal's JSON rows; each row names its node, and the
  project's bureau, section and wards (the file is the truth for the projects
  it lists: an empty cell clears; a bureau or section the city lacks is created);
- the published plan's tab-separated tables (``projects.table_format``), which
  name no node: the rows go under the node given as ``under``. They have no
  bureau, section or wards, and leave those of a project as they are.

Text files may be UTF-8 (with or without a BOM), UTF-16 with a BOM, or
Shift_JIS/CP932 as Japanese Excel writes it.
"""

from __future__ import annotations

import codecs
import csv
import gc
import io
import json
import re
import zipfile
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from planportal.caching import invalidation_muted
from planportal.permissions import can_publish
from planportal.publication import PublicationStatus
from policies.models import Plan, PolicyNode
from projects import export, layout
from projects.models import Project, ProjectListing, ProjectResult, YearlyTarget
from projects.services import (
    PlacedRow,
    ProjectChange,
    TableChanges,
    check_rows,
    compare_rows,
    write_changes,
)
from projects.table_format import TableFormatError, column_label, is_header, parse_tables
from projects.target_table import Column, plan_columns

MAX_FILE_BYTES = 10 * 1024 * 1024
# An .xlsx is a zip: a small file may unpack to a sheet that takes minutes to
# parse. A real one of 20,000 rows unpacks to about 21 MB.
MAX_UNPACKED_XLSX_BYTES = 40 * 1024 * 1024
MAX_ROWS = 50_000
MAX_COLUMNS = 100

# Recorded on a project that a file only lists as 再掲 and the plan lacks.
HOME_OUTSIDE_NOTE = "本来の施策は、取り込んだ表の範囲外にあります。ここでは再掲として載っている箇所だけを示しています。"

# Text has no control characters but tabs and line ends. Python's CP932 decodes
# almost any bytes, mapping what Shift_JIS leaves undefined to private-use
# characters, so these too mean the file was not Shift_JIS.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_PRIVATE = re.compile(r"[\ue000-\uf8ff]")

XLSX_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls


@dataclass(frozen=True)
class ImportProblem:
    file_name: str
    line: int | None  # the row of the file (1 = the first), None for the whole file
    column: str  # the column's header, or "" for the whole row
    message: str

    def __str__(self):
        where = _("ファイル「%(name)s」") % {"name": self.file_name}
        if self.line:
            where += " " + _("%(line)d行目") % {"line": self.line}
        if self.column:
            where += " " + _("「%(column)s」列") % {"column": self.column}
        return f"{where}: {self.message}"


class PlanImportError(Exception):
    """Every problem found; nothing was written."""

    def __init__(self, problems: list[ImportProblem]):
        self.problems = problems
        super().__init__("\n".join(str(problem) for problem in problems))


@dataclass(frozen=True)
class StaleProject:
    """A project the file would change that was changed after the file was exported."""

    change: ProjectChange
    file_version: int
    current_version: int
    changed_by: str  # who changed it last ("" if unknown)
    changed_at: datetime | None

    @property
    def project(self) -> Project:
        return self.change.project

    def message(self) -> str:
        when = date_format(timezone.localtime(self.changed_at), "DATETIME_FORMAT")
        return _(
            "「%(name)s」は、このファイルを書き出した後に変更されています（ファイルの版 %(file)d、"
            "現在の版 %(current)d、最後の変更: %(when)s %(who)s）。取り込むとその変更を上書きします。"
            "上書きしてよければ「書き出した後に変更された事業も上書きする」を選んでください"
            "（コマンドでは --overwrite-newer）。"
        ) % {
            "name": self.project.display_name,
            "file": self.file_version,
            "current": self.current_version,
            "when": when if self.changed_at else "—",
            "who": self.changed_by or _("（不明）"),
        }


@dataclass
class ImportReport:
    file_name: str
    file_format: str
    rows: int
    dry_run: bool
    changes: TableChanges = field(default_factory=TableChanges)
    stale: list[StaleProject] = field(default_factory=list)

    @property
    def created(self) -> list[Project]:
        return self.changes.created

    @property
    def updated(self) -> list[Project]:
        return self.changes.updated

    @property
    def changed(self) -> list[ProjectChange]:
        """The existing projects that change, each with every changed field and cell."""
        return self.changes.changed

    @property
    def unchanged(self) -> list[Project]:
        return self.changes.unchanged

    @property
    def new_listings(self) -> list[ProjectListing]:
        return self.changes.new_listings

    @property
    def new_bureaus(self):
        return self.changes.new_bureaus

    @property
    def new_divisions(self):
        return self.changes.new_divisions

    @property
    def home_moves(self) -> list[ProjectChange]:
        return [change for change in self.changed if change.moved_from is not None]

    @property
    def seen_versions(self) -> dict[int, int]:
        """The stored version of each stale project, as the preview showed it."""
        return {stale.project.pk: stale.current_version for stale in self.stale}

    @property
    def changes_anything(self) -> bool:
        return self.changes.changes_anything

    def counts(self) -> dict[str, int]:
        """What the import did, in numbers (kept with a queued import's job)."""
        return {
            "created": len(self.created),
            "updated": len(self.updated),
            "listed": len(self.new_listings),
            "unchanged": len(self.unchanged),
            "bureaus": len(self.new_bureaus),
            "divisions": len(self.new_divisions),
        }


class _DryRun(Exception):
    def __init__(self, changes, stale):
        self.changes = changes
        self.stale = stale


# --- the use case ----------------------------------------------------------------


@contextmanager
def _collector_paused():
    """An import makes hundreds of thousands of objects (cells, rows, model
    instances, history rows) that all live until it ends; Python's cyclic garbage
    collector would walk them again and again, a third of the import's time at
    20,000 rows. It is paused meanwhile and runs as usual afterwards."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@_collector_paused()
def import_plan(
    *,
    plan: Plan,
    file_name: str,
    content: bytes,
    under: PolicyNode | None = None,
    dry_run: bool = False,
    publish: bool = False,
    user=None,
    overwrite_newer: bool = False,
    seen_versions: dict[int, int] | None = None,
) -> ImportReport:
    """Read ``content`` and write its projects into ``plan``, or raise PlanImportError.

    New projects are drafts unless ``publish``; existing projects keep their status.
    ``user`` is who imports (None: an operator at the command line): history names
    them, and without the publish permission they may neither publish new projects
    nor change what citizens see of existing ones. A project changed since the
    file was exported is refused unless ``overwrite_newer``; with ``seen_versions``
    (project pk → version, from a preview), only at the version the user saw.
    A dry run reports such projects in ``stale`` instead of refusing.
    """
    may_publish = user is None or can_publish(user)
    if publish and not may_publish:
        raise PlanImportError(
            [ImportProblem(file_name, None, "", _("新しい事業を公開する権限がありません。"))]
        )
    reader = _FileReader(plan, file_name, under)
    placed = reader.read(content)
    status = PublicationStatus.PUBLISHED if publish else PublicationStatus.DRAFT
    try:
        with invalidation_muted() if dry_run else nullcontext(), transaction.atomic():
            changes = compare_rows(
                plan, placed, home_note=HOME_OUTSIDE_NOTE, status=status, lock=not dry_run
            )
            stale = _stale_projects(changes)
            if not dry_run:
                _refuse_stale(file_name, stale, overwrite_newer, seen_versions)
            watched = None if may_publish else _public_projects(changes)
            # A preview needs the write only to see what citizens would see after it.
            if not dry_run or watched is not None:
                write_changes(changes, user=user)
            if watched is not None:
                _refuse_publishing(file_name, changes, watched)
            if dry_run:
                raise _DryRun(changes, stale)
    except _DryRun as rolled_back:
        changes, stale = rolled_back.changes, rolled_back.stale
    except IntegrityError as error:  # another import or edit created the same at once
        message = _("同時に行われた別の取り込みか編集と重なりました。もう一度取り込んでください。")
        raise PlanImportError([ImportProblem(file_name, None, "", message)]) from error
    return ImportReport(
        file_name=file_name,
        file_format=reader.file_format,
        rows=len(placed),
        dry_run=dry_run,
        changes=changes,
        stale=stale,
    )


def _stale_projects(changes: TableChanges) -> list[StaleProject]:
    stale = []
    for change in changes.changed:
        version = change.row.version
        if version is None or version == change.project.version:
            continue
        who, when = _last_change(change.project)
        stale.append(StaleProject(change, version, change.project.version, who, when))
    return stale


def _last_change(project: Project) -> tuple[str, datetime | None]:
    """Who changed the project (or its targets, listings or results) last, and when."""
    histories = [
        Project.history.filter(id=project.pk),
        YearlyTarget.history.filter(project_id=project.pk),
        ProjectListing.history.filter(project_id=project.pk),
        ProjectResult.history.filter(project_id=project.pk),
    ]
    records = [
        history.select_related("history_user").order_by("-history_date").first()
        for history in histories
    ]
    records = [record for record in records if record is not None]
    if not records:
        return "", None
    latest = max(records, key=lambda record: record.history_date)
    user = latest.history_user
    return (user.get_full_name() or user.get_username()) if user else "", latest.history_date


def _refuse_stale(file_name, stale, overwrite_newer, seen_versions) -> None:
    problems = []
    for item in stale:
        line = item.change.row.line
        if not overwrite_newer:
            problems.append(ImportProblem(file_name, line, layout.VERSION, item.message()))
        elif (
            seen_versions is not None and seen_versions.get(item.project.pk) != item.current_version
        ):
            problems.append(
                ImportProblem(
                    file_name,
                    line,
                    layout.VERSION,
                    _(
                        "「%(name)s」は、確認の画面を表示した後にも変更されました。"
                        "もう一度ファイルを選んで、変更を確かめてください。"
                    )
                    % {"name": item.project.display_name},
                ),
            )
    if problems:
        raise PlanImportError(problems)


def _public_projects(changes: TableChanges) -> tuple[list[int], set[int]]:
    """The existing projects the write touches, and which of them citizens see now."""
    touched = [change.project.pk for change in changes.projects if not change.created]
    public = set(Project.objects.published().filter(pk__in=touched).values_list("pk", flat=True))
    return touched, public


def _refuse_publishing(file_name, changes: TableChanges, watched) -> None:
    """Moving a project's home (or listing a project without one) can show or hide
    it: that is publishing, refused to a user without the permission."""
    touched, before = watched
    after = set(Project.objects.published().filter(pk__in=touched).values_list("pk", flat=True))
    if after == before:
        return
    rows = {change.project.pk: change.row for change in changes.projects if not change.created}
    problems = []
    for pk in sorted(after ^ before, key=lambda pk: rows[pk].line):
        row = rows[pk]
        message = (
            _(
                "取り込むと「%(name)s」が市民向けページに公開されます（本来の施策か掲載箇所が"
                "公開中の項目に変わるため）。公開の権限のある職員に取り込みを依頼してください。"
            )
            if pk in after
            else _(
                "取り込むと「%(name)s」が市民向けページから消えます（本来の施策か掲載箇所が"
                "下書きの項目に変わるため）。公開の権限のある職員に取り込みを依頼してください。"
            )
        )
        problems.append(
            ImportProblem(
                file_name, row.line, layout.NODE_PATH, message % {"name": row.printed_name}
            )
        )
    raise PlanImportError(problems)


def find_node(plan: Plan, reference: str, *, file_name: str = "") -> PolicyNode:
    """The node ``reference`` names in ``plan``: its path, its printed code, or
    the exact title of a node the plan prints no code for."""
    paths = layout.NodePaths(_plan_nodes(plan))
    found = paths.find(reference)
    if len(found) == 1:
        return found[0]
    if not found:
        message = _("この計画に「%(ref)s」という項目はありません。") % {"ref": reference}
    else:
        message = _(
            "「%(ref)s」に当たる項目が複数あります。階層パスで指定してください: %(paths)s"
        ) % {
            "ref": reference,
            "paths": "、".join(paths.path(node.pk) for node in found),
        }
    raise PlanImportError([ImportProblem(file_name, None, "", message)])


def check_size(file_name: str, size: int) -> None:
    """Reject an oversized or empty file before reading it."""
    if size > MAX_FILE_BYTES:
        message = _("ファイルが大きすぎます（%(size)s MB）。%(max)d MB までにしてください。") % {
            "size": f"{size / 1024 / 1024:.1f}",
            "max": MAX_FILE_BYTES // 1024 // 1024,
        }
        raise PlanImportError([ImportProblem(file_name, None, "", message)])
    if size == 0:
        raise PlanImportError([ImportProblem(file_name, None, "", _("ファイルが空です。"))])


def _plan_nodes(plan: Plan):
    return plan.nodes.only("pk", "parent_id", "code", "title", "tree_id", "lft", "rght", "plan_id")


# --- reading -------------------------------------------------------------------

LAYOUT_CSV = "csv"
LAYOUT_XLSX = "xlsx"
LAYOUT_JSON = "json"
PUBLISHED_TABLE = "published-table"


class TableFile:
    """Bytes to numbered rows of cells (CSV or tab-separated text in any encoding Japanese
    Excel writes, .xlsx, the portal's JSON), collecting every problem as an
    ``ImportProblem`` naming the file, the row and the column. The readers of the
    portal's layouts build on it (this module's and ``projects.indicator_import``)."""

    def __init__(self, file_name: str):
        self.file_name = file_name
        self.file_format = ""
        self.problems: list[ImportProblem] = []

    def fail(self, line, column, message):
        self.problems.append(ImportProblem(self.file_name, line, column, message))

    def raise_problems(self):
        if self.problems:
            raise PlanImportError(self.problems)

    def first_time(self, seen: dict, key, line, column, message) -> bool:
        """Whether no earlier row had ``key``; else a problem naming the row that had it
        first (``message`` takes its number as ``%(line)d``). ``seen`` maps keys to rows."""
        if key in seen:
            self.fail(line, column, message % {"line": seen[key]})
            return False
        seen[key] = line
        return True

    def add_row_errors(self, errors):
        for error in errors:
            self.fail(error.line, error.column, error.message)

    # -- bytes to rows --

    def decode(self, content: bytes) -> str:
        if content.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encodings = ["utf-16"]
        elif content.startswith(codecs.BOM_UTF8):
            encodings = ["utf-8-sig"]
        else:
            encodings = ["utf-8", "cp932"]
        for encoding in encodings:
            try:
                text = content.decode(encoding)
            except UnicodeDecodeError:
                continue
            if not _CONTROL.search(text) and not (encoding == "cp932" and _PRIVATE.search(text)):
                return text
        self.fail(
            None,
            "",
            _(
                "文字コードを読み取れません。UTF-8（BOMの有無は問いません）か Shift_JIS（CP932）で保存した"
                "CSV・タブ区切りのテキスト、または .xlsx のファイルにしてください。"
            ),
        )
        return ""

    def csv_rows(self, text: str) -> list[tuple[int, list[str]]]:
        first = next((line for line in text.splitlines() if line.strip()), "")
        delimiter = "\t" if "\t" in first else ","
        rows = []
        reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        try:
            for number, cells in enumerate(reader, start=1):
                if number > MAX_ROWS:
                    self.fail(
                        number, "", _("行が多すぎます（%(max)d行まで）。") % {"max": MAX_ROWS}
                    )
                    break
                rows.append((number, cells))
        except csv.Error as error:
            self.fail(len(rows) + 1, "", _("CSVとして読めません: %(error)s") % {"error": error})
        return rows

    def xlsx_rows(self, content: bytes) -> list[tuple[int, list[str]]]:
        """The first sheet's rows, refusing before parsing a sheet too big to read
        in a request: by the unpacked size of the zip's members, then by the
        rows and columns the sheet declares; and while reading, by those it has."""
        from openpyxl import load_workbook

        unreadable = _(
            "Excelファイル（.xlsx）として読めません。壊れているか、別の形式のファイルです。"
        )
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > MAX_UNPACKED_XLSX_BYTES:
                self.fail(
                    None,
                    "",
                    _(
                        "Excelファイルの中身が大きすぎます（展開すると %(size)s MB、"
                        "%(max)d MB まで）。いくつかのファイルに分けてください。"
                    )
                    % {
                        "size": f"{unpacked / 1024 / 1024:.1f}",
                        "max": MAX_UNPACKED_XLSX_BYTES // 1024 // 1024,
                    },
                )
                return []
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a broken file
            self.fail(None, "", unreadable)
            return []
        rows = []
        try:
            sheet = workbook.worksheets[0]
            if (sheet.max_row or 0) > MAX_ROWS or (sheet.max_column or 0) > MAX_COLUMNS:
                self.fail_too_big(sheet.max_row, sheet.max_column)
                return []
            values_by_row = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
            for number, values in enumerate(values_by_row, start=1):
                if number > MAX_ROWS or (len(values) > MAX_COLUMNS and values[MAX_COLUMNS]):
                    self.fail_too_big(number, len(values))
                    return []
                cells = [_cell_text(value) for value in values]
                while cells and not cells[-1]:
                    cells.pop()
                rows.append((number, cells))
        except Exception:
            self.fail(None, "", unreadable)
            return []
        finally:
            workbook.close()
        return rows

    def fail_too_big(self, rows, columns):
        self.fail(
            None,
            "",
            _(
                "Excelファイルのシートが大きすぎます（%(rows)s行・%(columns)s列）。"
                "%(max_rows)d行・%(max_columns)d列までにしてください。"
            )
            % {
                "rows": f"{rows:,}" if rows else "?",
                "columns": f"{columns:,}" if columns else "?",
                "max_rows": MAX_ROWS,
                "max_columns": MAX_COLUMNS,
            },
        )

    def json_rows(self, text: str) -> list[tuple[int, list[str]]]:
        """The portal's JSON rows (``projects.export.to_json``) as a header and cells.

        Row numbers count the objects of ``rows`` (1 = the first); the header is
        row 0, which a message leaves out."""
        try:
            data = json.loads(text)
        except (ValueError, RecursionError) as error:
            self.fail(None, "", _("JSONとして読めません: %(error)s") % {"error": error})
            return []
        kind = data.get("format") if isinstance(data, dict) else None
        if kind == export.TREE_FORMAT:
            self.fail(
                None,
                "",
                _(
                    "JSON（体系）は取り込めません。事業の表を取り込むには、このポータルの"
                    "「JSON」（事業の行）、CSV か Excel で書き出したファイルを使ってください。"
                ),
            )
            return []
        columns, rows = (data.get("columns"), data.get("rows")) if kind else (None, None)
        if (
            kind != export.LISTINGS_FORMAT
            or not isinstance(columns, list)
            or not isinstance(rows, list)
            or not all(isinstance(column, dict) for column in columns)
        ):
            self.fail(
                None,
                "",
                _(
                    "このポータルが書き出した事業の表の JSON（format が「%(format)s」）では"
                    "ありません。CSV・Excel・このポータルの JSON を使ってください。"
                )
                % {"format": export.LISTINGS_FORMAT},
            )
            return []
        if len(rows) > MAX_ROWS:
            self.fail(None, "", _("行が多すぎます（%(max)d行まで）。") % {"max": MAX_ROWS})
            return []
        keys = [column.get("key") for column in columns]
        numbered = [(0, [_json_cell(column.get("header")) for column in columns])]
        for number, row in enumerate(rows, start=1):
            if not isinstance(row, dict):
                self.fail(number, "", _("行がJSONのオブジェクトではありません。"))
                continue
            numbered.append((number, [_json_cell(row.get(key)) for key in keys]))
        return numbered


class _FileReader(TableFile):
    """Reads one file into placed rows, or raises PlanImportError with every problem."""

    def __init__(self, plan: Plan, file_name: str, under: PolicyNode | None):
        super().__init__(file_name)
        self.plan = plan
        self.under = under

    def read(self, content: bytes) -> list[PlacedRow]:
        check_size(self.file_name, len(content))
        if content.startswith(XLSX_MAGIC) or self.file_name.lower().endswith(".xlsx"):
            self.file_format = LAYOUT_XLSX
            placed = self.read_layout(self.xlsx_rows(content))
        elif content.startswith(OLE_MAGIC):
            self.fail(
                None, "", _("古いExcel形式（.xls）は読めません。.xlsx か CSV で保存してください。")
            )
            placed = []
        else:
            text = self.decode(content)
            self.raise_problems()
            if self.file_name.lower().endswith(".json") or text.lstrip().startswith(("{", "[")):
                self.file_format = LAYOUT_JSON
                placed = self.read_layout(self.json_rows(text))
            elif any(is_header(line) for line in text.splitlines()):
                self.file_format = PUBLISHED_TABLE
                placed = self.read_published(text)
            else:
                self.file_format = LAYOUT_CSV
                placed = self.read_layout(self.csv_rows(text))
        if not placed and not self.problems:
            self.fail(None, "", _("事業の行がありません。"))
        self.add_row_errors(check_rows(self.plan, placed))
        self.raise_problems()
        return placed

    # -- the two formats --

    def read_layout(self, rows: list[tuple[int, list[str]]]) -> list[PlacedRow]:
        rows = [(number, cells) for number, cells in rows if any(c.strip() for c in cells)]
        if not rows:
            return []
        (header_line, cells), data = rows[0], rows[1:]
        header, errors = layout.read_header(cells, header_line)
        self.add_row_errors(errors)
        if errors:
            return []
        self.check_columns(header.columns, header_line)
        if self.file_format == LAYOUT_XLSX:
            width = header.width
            data = [(number, cells + [""] * (width - len(cells))) for number, cells in data]
        read, errors = layout.read_rows(data, header, guarded=self.file_format == LAYOUT_CSV)
        self.add_row_errors(errors)
        paths = layout.NodePaths(_plan_nodes(self.plan))
        placed = []
        for item in read:
            node = self.resolve(paths, item)
            if node is not None:
                placed.append(PlacedRow(node, item.row))
        return placed

    def read_published(self, text: str) -> list[PlacedRow]:
        if self.under is None:
            self.fail(
                None,
                "",
                _(
                    "計画書の表の形式には項目の列がありません。取り込む先の項目（施策）を指定してください"
                    "（コマンドでは --under）。"
                ),
            )
        try:
            blocks = parse_tables(text, strict=True)
        except TableFormatError as error:
            self.add_row_errors(error.errors)
            return []
        for block in blocks:
            if block.columns:
                self.check_columns(block.columns, block.line + 1)
        if self.under is None:
            return []
        return [PlacedRow(self.under, row) for block in blocks for row in block.rows]

    # -- checks --

    def check_columns(self, found: list[Column], line: int) -> None:
        """The year columns must be the plan's: each year of its period, then 以降."""
        plan = self.plan
        if not plan.has_fiscal_period:
            for column in found:
                self.fail(
                    line, column_label(column), _("この計画には年度別の目標の期間がありません。")
                )
            return
        expected = plan_columns(plan.start_fiscal_year, plan.end_fiscal_year)
        span = {
            "first": plan.start_fiscal_year,
            "last": plan.end_fiscal_year,
            "after": column_label(expected[-1]),
        }
        for column in found:
            if column not in expected:
                self.fail(
                    line,
                    column_label(column),
                    _("計画期間（%(first)d～%(last)d年度）と「%(after)s」の列にない年度です。")
                    % span,
                )
        for column in expected:
            if column not in found:
                self.fail(
                    line,
                    "",
                    _("「%(label)s」の列がありません。") % {"label": column_label(column)},
                )

    def resolve(self, paths: layout.NodePaths, item: layout.LayoutRow) -> PolicyNode | None:
        found = paths.find(item.node_path)
        line, column = item.row.line, layout.NODE_PATH
        if not found:
            self.fail(
                line, column, _("この計画にない項目です: %(path)s") % {"path": item.node_path}
            )
            return None
        if len(found) > 1:
            self.fail(
                line,
                column,
                _("「%(ref)s」に当たる項目が複数あります。階層パスで書いてください。")
                % {"ref": item.node_path},
            )
            return None
        node = found[0]
        if self.under is not None and not self.under.is_ancestor_of(node, include_self=True):
            self.fail(
                line,
                column,
                _("取り込む先の項目（%(under)s）の下にない項目です: %(path)s")
                % {"under": self.under, "path": item.node_path},
            )
            return None
        return node


def _cell_text(value) -> str:
    """A spreadsheet value as the text a person typed."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _json_cell(value) -> str:
    """A JSON value as a cell's text: numbers as written, a list of names joined."""
    if value is None:
        return ""
    if isinstance(value, list):
        return layout.join_wards(_json_cell(item) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def read_rows(file_name: str, content: bytes) -> list[tuple[int, list[str]]]:
    """The (line, cells) rows of a CSV (UTF-8 with or without BOM, or Shift_JIS; comma or
    tab) or of the first sheet of an .xlsx file, cells as typed: for other layouts that
    share this import's reading, limits and messages. Raises PlanImportError."""
    reader = _FileReader(None, file_name, None)
    check_size(file_name, len(content))
    if content.startswith(XLSX_MAGIC) or file_name.lower().endswith(".xlsx"):
        rows = reader.xlsx_rows(content)
    elif content.startswith(OLE_MAGIC):
        reader.fail(
            None, "", _("古いExcel形式（.xls）は読めません。.xlsx か CSV で保存してください。")
        )
        rows = []
    else:
        text = reader.decode(content)
        reader.raise_problems()
        rows = reader.csv_rows(text)
    reader.raise_problems()
    return rows
