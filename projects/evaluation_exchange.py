"""A plan's evaluation values in and out of files: one layout, CSV and Excel, both ways.

One row per value (a criterion's level for a project or a node at one time):

    階層パス | 事業名 | 評価項目 | 年度 | 計画期間 | シートの表記 | 評価 | 区分の内容 | 説明 | 公開

- 階層パス and 事業名 name what is evaluated: a project by its home measure's
  path (as in the project tables, ``projects.layout``) and its name as the
  plan prints it (地域コミュニティ活性化推進事業(各区)); a node (施策, 政策 …) by
  its path, 事業名 left empty. A project without a home measure has an empty
  path.
- 評価項目 is a criterion of the plan's scheme (達成度, 評価結果, 3ヵ年の事業目標
  に対する達成度 …), by name.
- The time: 年度 (a fiscal year of the plan, 2012) for a yearly criterion;
  計画期間 (a period of the plan by name, 実行計画) for a mid-term or
  period-end one; or シートの表記 (令和4年度評価シート), as the sheet writes it,
  for a value known only by its sheet's year. Exactly one of the three.
- 評価 is the level's code (3, C, Ⅳ); its code and label as the export writes
  them ("3 目標をほぼ達成") are read too, and Ⅳ and IV are the same code. An
  empty 評価 removes the value the other columns name.
- 区分の内容 is the level's label, for readers; the import does not read it.
- 説明 is the value's explanation. 公開 is 公開 or 下書き; only users who may
  publish change it (for others a new value is a draft and a changed one keeps
  its state).

The import is all or nothing: every row is checked (the same rule as the
admin's, ``projects.models.check_evaluation``) and every problem reported by
file, row and column before anything is written. Rows left out of the file
are left alone; a row that matches the stored value writes nothing, so
importing the file just exported changes nothing. Scoped editors export and
import only the values of their projects and nodes (and not those of a year
their round has submitted).
"""

from __future__ import annotations

import csv
import io
import unicodedata
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from planportal.caching import bump_plan_on_commit, invalidation_muted
from planportal.permissions import can_publish, editable, is_unrestricted
from planportal.publication import PublicationStatus
from policies.models import Plan
from projects import layout, progress
from projects.models import EvaluationValue, Project, check_evaluation
from projects.plan_import import TableFile, read_rows
from projects.target_table import normalize_name

NODE_PATH = layout.NODE_PATH
PROJECT_NAME = layout.PROJECT_NAME
CRITERION = "評価項目"
YEAR = "年度"
PERIOD = "計画期間"
SHEET = "シートの表記"
LEVEL = "評価"
LEVEL_LABEL = "区分の内容"
EXPLANATION = "説明"
PUBLISHED = "公開"
DRAFT = "下書き"
HEADERS = [
    NODE_PATH,
    PROJECT_NAME,
    CRITERION,
    YEAR,
    PERIOD,
    SHEET,
    LEVEL,
    LEVEL_LABEL,
    EXPLANATION,
    PUBLISHED,
]
REQUIRED = [header for header in HEADERS if header != LEVEL_LABEL]
SHEET_TITLE = "評価"


# --- export ---------------------------------------------------------------------


def exported_values(plan: Plan, user=None):
    """The plan's values the user may export: all for planning (and the command, no
    user), a scoped editor's own."""
    values = EvaluationValue.objects.filter(
        Q(project__plan=plan) | Q(node__plan=plan), criterion__scheme=plan.scheme
    )
    if user is not None and not is_unrestricted(user):
        values = editable(user, values)
    return values.select_related("criterion", "level", "period", "project", "node").order_by(
        "node__tree_id",
        "node__lft",
        "project__home_node__tree_id",
        "project__home_node__lft",
        "project_id",
        "criterion__position",
        "criterion_id",
        "fiscal_year",
        "period__position",
        "period_id",
        "sheet_label",
    )


def table(plan: Plan, user=None) -> list[list[str]]:
    paths = layout.NodePaths(plan.nodes.only("pk", "parent_id", "code", "title"))
    rows = []
    for value in exported_values(plan, user):
        if value.project_id:
            project = value.project
            path = paths.path(project.home_node_id) if project.home_node_id else ""
            name = project.display_name
        else:
            path, name = paths.path(value.node_id), ""
        rows.append(
            [
                path,
                name,
                value.criterion.name,
                str(value.fiscal_year or ""),
                value.period.name if value.period_id else "",
                value.sheet_label,
                value.level.code,
                value.level.full_label,
                value.explanation,
                PUBLISHED if value.is_published() else DRAFT,
            ]
        )
    return rows


def to_csv(plan: Plan, user=None) -> bytes:
    """UTF-8 with a BOM, so that Excel reads the Japanese as such; no cell is a formula."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    writer.writerows([[layout.guard_formula(cell) for cell in row] for row in table(plan, user)])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(plan: Plan, user=None) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING
    from openpyxl.styles import Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SHEET_TITLE
    for number, row in enumerate([HEADERS, *table(plan, user)], start=1):
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", cell) for cell in row])
        for column, text in enumerate(row, start=1):
            if text.startswith("="):  # never a formula, whatever the text begins with
                sheet.cell(number, column).data_type = TYPE_STRING
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "C2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- import ---------------------------------------------------------------------


@dataclass
class EvaluationChange:
    line: int
    value: EvaluationValue  # as it will be written (a deletion: as stored)
    old: str  # "3 目標をほぼ達成（公開）", or "" for a new value
    new: str  # "" for a deletion

    @property
    def subject(self) -> str:
        return str(self.value.subject)


@dataclass
class EvaluationImportReport:
    file_name: str
    rows: int = 0
    created: list[EvaluationChange] = field(default_factory=list)
    changed: list[EvaluationChange] = field(default_factory=list)
    deleted: list[EvaluationChange] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changes_anything(self) -> bool:
        return bool(self.created or self.changed or self.deleted)


def _code(text: str) -> str:
    """Ⅳ and IV, Ａ and A are the same code."""
    return unicodedata.normalize("NFKC", text).strip().upper()


def _described(value: EvaluationValue) -> str:
    state = PUBLISHED if value.is_published() else DRAFT
    text = f"{value.level}（{state}）"
    return text + (f"：{value.explanation}" if value.explanation else "")


class _Reader(TableFile):
    """Reads the rows of one file against one plan, collecting every problem."""

    def __init__(self, plan: Plan, file_name: str, user):
        super().__init__(file_name)
        # Its periods read once: every row's year is checked against the plan's years.
        plan = Plan.objects.prefetch_related("periods").get(pk=plan.pk)
        self.plan, self.user = plan, user
        self.paths = layout.NodePaths(plan.nodes.only("pk", "parent_id", "code", "title"))
        self.projects: dict[tuple[int | None, str], list[Project]] = {}
        for project in Project.objects.filter(plan=plan).only(
            "pk", "name", "each_ward", "home_node_id", "plan_id"
        ):
            key = (project.home_node_id, normalize_name(project.display_name))
            self.projects.setdefault(key, []).append(project)
        self.scheme = scheme = plan.scheme
        criteria = list(scheme.criteria.prefetch_related("levels")) if scheme else []
        self.criteria = {criterion.name: criterion for criterion in criteria}
        self.levels = {
            criterion.pk: {_code(level.code): level for level in criterion.levels.all()}
            | {_code(str(level)): level for level in criterion.levels.all()}
            for criterion in criteria
        }
        self.periods = {period.name: period for period in plan.periods.all()}
        # No user: the management command, run by the operator, as planning.
        self.may_publish = user is None or can_publish(user)
        self.scoped = user is not None and not is_unrestricted(user)
        if self.scoped:
            self.own_projects = set(
                editable(user, Project.objects.filter(plan=plan)).values_list("pk", flat=True)
            )
            self.own_nodes = set(editable(user, plan.nodes.all()).values_list("pk", flat=True))

    def header(self, rows) -> dict[str, int] | None:
        if not rows:
            self.fail(None, "", _("評価の行がありません。"))
            return None
        line, cells = rows[0]
        names = [cell.strip().lstrip("\ufeff") for cell in cells]
        missing = [name for name in REQUIRED if name not in names]
        if missing:
            self.fail(
                line,
                "",
                _("見出しの行に次の列がありません：%(names)s") % {"names": "、".join(missing)},
            )
            return None
        return {name: names.index(name) for name in HEADERS if name in names}

    def subject(self, line, cells):
        """(project, node) the row names, or None after a problem."""
        path, name = cells[NODE_PATH], cells[PROJECT_NAME]
        node = None
        if path:
            found = self.paths.find(path)
            if len(found) != 1:
                self.fail(
                    line,
                    NODE_PATH,
                    _("この計画に「%(ref)s」という項目はありません。") % {"ref": path}
                    if not found
                    else _("「%(ref)s」に当たる項目が複数あります。階層パスで指定してください。")
                    % {"ref": path},
                )
                return None
            node = found[0]
        if not name:
            if node is None:
                self.fail(line, NODE_PATH, _("評価する項目か事業を入れてください。"))
                return None
            return None, node
        projects = self.projects.get((node.pk if node else None, normalize_name(name)), [])
        if len(projects) != 1:
            self.fail(
                line,
                PROJECT_NAME,
                _("「%(path)s」を本来の施策とする事業「%(name)s」はこの計画にありません。")
                % {"path": path or _("（本来の施策なし）"), "name": name}
                if not projects
                else _("「%(name)s」に当たる事業が複数あります。") % {"name": name},
            )
            return None
        return projects[0], None

    def in_scope(self, project, node) -> bool:
        if not self.scoped:
            return True
        return project.pk in self.own_projects if project else node.pk in self.own_nodes


def import_evaluations(
    plan: Plan, file_name: str, content: bytes, *, user=None, dry_run: bool = False
) -> EvaluationImportReport:
    """Check the file in full, then write it all in one transaction, or raise
    PlanImportError with every problem and write nothing. ``dry_run``: check and
    report only (the preview). ``user`` None: the operator's command (as planning)."""
    rows = read_rows(file_name, content)
    rows = [(line, cells) for line, cells in rows if any(cell.strip() for cell in cells)]
    reader = _Reader(plan, file_name, user)
    columns = reader.header(rows)
    if columns is None:
        reader.raise_problems()
    existing = {
        _key(value): value
        for value in EvaluationValue.objects.filter(
            Q(project__plan=plan) | Q(node__plan=plan)
        ).select_related("level", "criterion", "period", "project", "node")
    }
    report = EvaluationImportReport(file_name=file_name)
    seen: dict[tuple, int] = {}
    for line, raw in rows[1:]:
        cells = {
            name: layout.unguard_formula((raw[index] if index < len(raw) else "").strip())
            for name, index in columns.items()
        }
        report.rows += 1
        _read_row(reader, report, existing, seen, line, cells)
    reader.raise_problems()
    if not dry_run:
        _write(report, reader)
    return report


def _key(value: EvaluationValue) -> tuple:
    return (
        value.criterion_id,
        value.project_id,
        value.node_id,
        value.fiscal_year,
        value.period_id,
        value.sheet_label,
    )


def _read_row(reader: _Reader, report, existing, seen, line, cells) -> None:
    subject = reader.subject(line, cells)
    criterion = reader.criteria.get(cells[CRITERION])
    if criterion is None:
        scheme = reader.scheme
        reader.fail(
            line,
            CRITERION,
            _("「%(criterion)s」は、この計画の評価の方式（%(scheme)s）の評価項目ではありません。")
            % {"criterion": cells[CRITERION], "scheme": scheme.name if scheme else "—"},
        )
    fiscal_year = None
    if cells[YEAR]:
        if cells[YEAR].isdigit():
            fiscal_year = int(cells[YEAR])
        else:
            reader.fail(line, YEAR, _("年度は西暦の数字で入れてください（例：2012）。"))
    period = None
    if cells[PERIOD]:
        period = reader.periods.get(cells[PERIOD])
        if period is None:
            reader.fail(
                line,
                PERIOD,
                _("この計画に「%(period)s」という計画期間はありません（%(names)s）。")
                % {"period": cells[PERIOD], "names": "、".join(reader.periods) or "—"},
            )
    if subject is None or criterion is None:
        return
    project, node = subject
    level = None
    if cells[LEVEL]:
        found = reader.levels[criterion.pk]
        level = found.get(_code(cells[LEVEL])) or found.get(_code(cells[LEVEL].split(" ")[0]))
        if level is None:
            reader.fail(
                line,
                LEVEL,
                _("「%(value)s」は「%(criterion)s」の区分にありません（%(codes)s）。")
                % {
                    "value": cells[LEVEL],
                    "criterion": criterion.name,
                    "codes": "・".join(lv.code for lv in criterion.levels.all()),
                },
            )
            return
    if (cells[YEAR] and fiscal_year is None) or (cells[PERIOD] and period is None):
        return  # already reported
    errors = check_evaluation(
        reader.plan,
        criterion,
        scheme=reader.scheme,
        on_project=project is not None,
        level=level,
        fiscal_year=fiscal_year,
        period=period,
        sheet_label=cells[SHEET],
    )
    if level is None:
        errors.pop("level", None)  # an empty 評価 removes the value
    for field_name, message in errors.items():
        column = {"fiscal_year": YEAR, "period": PERIOD, "level": LEVEL}.get(field_name, CRITERION)
        reader.fail(line, column, message)
    if errors:
        return
    if not reader.in_scope(project, node):
        reader.fail(
            line, "", _("「%(subject)s」はあなたの担当範囲外です。") % {"subject": project or node}
        )
        return
    value = EvaluationValue(
        criterion=criterion,
        project=project,
        node=node,
        fiscal_year=fiscal_year,
        period=period,
        sheet_label=cells[SHEET],
    )
    key = _key(value)
    if not reader.first_time(
        seen, key, line, "", _("%(line)d行目と同じ評価です。一つにしてください。")
    ):
        return
    _classify(reader, report, existing.get(key), value, level, line, cells)


def _classify(reader, report, stored, value, level, line, cells) -> None:
    if cells[PUBLISHED] not in ("", PUBLISHED, DRAFT):
        reader.fail(line, PUBLISHED, _("「公開」か「下書き」と入れてください（空欄は下書き）。"))
        return
    if level is None:
        if stored is not None:
            report.deleted.append(EvaluationChange(line, stored, _described(stored), ""))
        return
    if reader.may_publish:
        published = cells[PUBLISHED] == PUBLISHED
        status = PublicationStatus.PUBLISHED if published else PublicationStatus.DRAFT
    else:  # the publishing rule: a new value is a draft, a changed one keeps its state
        status = stored.status if stored is not None else PublicationStatus.DRAFT
    explanation = cells[EXPLANATION]
    if stored is not None:
        if (stored.level_id, stored.explanation, stored.status) == (
            level.pk,
            explanation,
            status,
        ):
            report.unchanged += 1
            return
        value = stored
    old = _described(stored) if stored is not None else ""
    value.level, value.explanation, value.status = level, explanation, status
    change = EvaluationChange(line, value, old, _described(value))
    (report.changed if stored is not None else report.created).append(change)


@transaction.atomic
def _write(report: EvaluationImportReport, reader: _Reader) -> None:
    """Write every change (each with its history), then check what was written against
    the rules that hold across rows: the user's scope as stored (a year their round has
    submitted is planning's), and no value published that a round holds back."""
    with invalidation_muted():  # one bump for the whole file, below
        for change in report.deleted:
            stored = EvaluationValue.objects.filter(pk=change.value.pk)
            if reader.scoped and not editable(reader.user, stored).exists():
                reader.fail(change.line, "", _("この評価は変更できません（評価作業で提出済み）。"))
            change.value.delete()
        for change in report.created + report.changed:
            change.value.save()
    written = [change.value.pk for change in report.created + report.changed]
    refused = set()
    if reader.scoped:
        allowed = editable(reader.user, EvaluationValue.objects.filter(pk__in=written))
        refused = set(written) - set(allowed.values_list("pk", flat=True))
    held = set(
        progress.held_back(
            EvaluationValue.objects.filter(pk__in=written, status=PublicationStatus.PUBLISHED)
        ).values_list("pk", flat=True)
    )
    for change in report.created + report.changed:
        if change.value.pk in refused:
            reader.fail(change.line, "", _("この評価は変更できません（評価作業で提出済み）。"))
        elif change.value.pk in held:
            reader.fail(
                change.line, PUBLISHED, _("評価作業で承認されるまで、この評価は公開できません。")
            )
    reader.raise_problems()  # leaving the transaction rolls every row back
    if report.changes_anything:
        bump_plan_on_commit(reader.plan.slug)
