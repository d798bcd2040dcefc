"""Import project tables into a plan: the use case behind ``import_plan`` and the admin.

Two phases, as in pretix's model import. First the whole file is read and
every row validated in memory: decoding, the layout, the fiscal-year columns,
the node each row names, duplicate homes. Every problem is collected, each
naming the file, the row and the column. Only a file without a single problem
reaches the second phase, which writes everything inside one transaction
through ``projects.services.apply_table_rows`` (idempotent: importing the same
file twice changes nothing). A dry run is that same write, rolled back, so a
preview says exactly what the import will do.

Accepted files:

- the portal's own layout (``projects.layout``) as CSV, tab-separated text or
  Excel (.xlsx); each row names its node, and the project's bureau, section
  and wards (the file is the truth for the projects it lists: an empty cell
  clears; a bureau or section the city lacks is created);
- the published plan's tab-separated tables (``projects.table_format``), which
  name no node: the rows go under the node given as ``under``. They have no
  bureau, section or wards, and leave those of a project as they are.

Text files may be UTF-8 (with or without a BOM), UTF-16 with a BOM, or
Shift_JIS/CP932 as Japanese Excel writes it.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import zipfile
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from planportal.caching import invalidation_muted
from planportal.publication import PublicationStatus
from policies.models import Bureau, Division, Plan, PolicyNode
from projects import layout
from projects.services import PlacedRow, apply_table_rows, project_key
from projects.table_format import TableFormatError, TableRow, column_label, is_header, parse_tables
from projects.target_table import Column, plan_columns

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_XLSX_BYTES = 100 * 1024 * 1024
MAX_ROWS = 50_000

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


@dataclass
class ImportReport:
    file_name: str
    file_format: str
    rows: int
    dry_run: bool
    created: list = field(default_factory=list)  # Project
    updated: list = field(default_factory=list)
    unchanged: list = field(default_factory=list)
    new_listings: list = field(default_factory=list)  # ProjectListing (home or 再掲)
    new_bureaus: list = field(default_factory=list)  # Bureau
    new_divisions: list = field(default_factory=list)  # Division

    @property
    def changes_anything(self) -> bool:
        return bool(
            self.created
            or self.updated
            or self.new_listings
            or self.new_bureaus
            or self.new_divisions
        )


class _DryRun(Exception):
    def __init__(self, result):
        self.result = result


# --- the use case ----------------------------------------------------------------


def import_plan(
    *,
    plan: Plan,
    file_name: str,
    content: bytes,
    under: PolicyNode | None = None,
    dry_run: bool = False,
    publish: bool = False,
) -> ImportReport:
    """Read ``content`` and write its projects into ``plan``, or raise PlanImportError.

    New projects are drafts unless ``publish``; existing projects keep their status.
    """
    reader = _FileReader(plan, file_name, under)
    placed = reader.read(content)
    result = _write(plan, placed, file_name, dry_run=dry_run, publish=publish)
    return ImportReport(
        file_name=file_name,
        file_format=reader.file_format,
        rows=len(placed),
        dry_run=dry_run,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        new_listings=result.new_listings,
        new_bureaus=result.new_bureaus,
        new_divisions=result.new_divisions,
    )


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


def _write(plan, placed, file_name, *, dry_run, publish):
    status = PublicationStatus.PUBLISHED if publish else PublicationStatus.DRAFT
    try:
        with invalidation_muted() if dry_run else nullcontext(), transaction.atomic():
            result = apply_table_rows(plan, placed, home_note=HOME_OUTSIDE_NOTE, status=status)
            if dry_run:
                raise _DryRun(result)
    except _DryRun as rolled_back:
        return rolled_back.result
    except ValidationError as error:
        raise PlanImportError(
            [ImportProblem(file_name, None, "", message) for message in error.messages]
        ) from error
    return result


# --- reading -------------------------------------------------------------------

LAYOUT_CSV = "csv"
LAYOUT_XLSX = "xlsx"
PUBLISHED_TABLE = "published-table"


class _FileReader:
    """Reads one file into placed rows, or raises PlanImportError with every problem."""

    def __init__(self, plan: Plan, file_name: str, under: PolicyNode | None):
        self.plan = plan
        self.file_name = file_name
        self.under = under
        self.file_format = ""
        self.problems: list[ImportProblem] = []

    def fail(self, line, column, message):
        self.problems.append(ImportProblem(self.file_name, line, column, message))

    def raise_problems(self):
        if self.problems:
            raise PlanImportError(self.problems)

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
            if any(is_header(line) for line in text.splitlines()):
                self.file_format = PUBLISHED_TABLE
                placed = self.read_published(text)
            else:
                self.file_format = LAYOUT_CSV
                placed = self.read_layout(self.csv_rows(text))
        if not placed and not self.problems:
            self.fail(None, "", _("事業の行がありません。"))
        self.check_duplicate_homes(placed)
        self.raise_problems()
        return placed

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
        from openpyxl import load_workbook

        unreadable = _(
            "Excelファイル（.xlsx）として読めません。壊れているか、別の形式のファイルです。"
        )
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                unpacked = sum(info.file_size for info in archive.infolist())
            if unpacked > MAX_UNPACKED_XLSX_BYTES:
                self.fail(None, "", _("Excelファイルの中身が大きすぎます。"))
                return []
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a broken file
            self.fail(None, "", unreadable)
            return []
        rows = []
        try:
            sheet = workbook.worksheets[0]
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                if number > MAX_ROWS:
                    self.fail(
                        number, "", _("行が多すぎます（%(max)d行まで）。") % {"max": MAX_ROWS}
                    )
                    break
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
        read, errors = layout.read_rows(data, header)
        self.add_row_errors(errors)
        paths = layout.NodePaths(_plan_nodes(self.plan))
        ward_names = list(self.plan.municipality.wards.values_list("name", flat=True))
        placed = []
        for item in read:
            node = self.resolve(paths, item)
            if item.row.responsibility is not None:
                self.check_responsibility(item.row, ward_names)
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

    def add_row_errors(self, errors):
        for error in errors:
            self.fail(error.line, error.column, error.message)

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

    def check_responsibility(self, row: TableRow, ward_names: list[str]) -> None:
        """Names that fit their fields, and wards the plan's city has."""
        responsibility = row.responsibility
        for column, name, model in (
            (layout.BUREAU, responsibility.bureau, Bureau),
            (layout.DIVISION, responsibility.division, Division),
        ):
            limit = model._meta.get_field("name").max_length
            if len(name) > limit:
                self.fail(
                    row.line,
                    column,
                    _("%(column)sの名前は%(max)d文字までです。") % {"column": column, "max": limit},
                )
        unknown = [name for name in responsibility.wards if name not in ward_names]
        if unknown:
            city = self.plan.municipality.name
            if ward_names:
                message = _(
                    "%(city)sの区ではありません: %(unknown)s（%(city)sの区は %(wards)s）。"
                ) % {"city": city, "unknown": "、".join(unknown), "wards": "、".join(ward_names)}
            else:
                message = _("%(city)sには区がありません: %(unknown)s") % {
                    "city": city,
                    "unknown": "、".join(unknown),
                }
            self.fail(row.line, layout.WARDS, message)

    def check_duplicate_homes(self, placed: list[PlacedRow]) -> None:
        seen: dict[tuple[str, bool], TableRow] = {}
        for item in placed:
            if item.row.project_name.relisted:
                continue
            key = project_key(item.row)
            if key in seen:
                self.fail(
                    item.row.line,
                    layout.PROJECT_NAME,
                    _(
                        "「%(name)s」は%(first)d行目にも（再掲）なしで載っています。"
                        "本来の施策以外での掲載なら、事業名に(再掲)を付けてください。"
                    )
                    % {"name": item.row.printed_name, "first": seen[key].line},
                )
            else:
                seen[key] = item.row


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
