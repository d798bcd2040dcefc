"""Comments as a spreadsheet for staff: CSV (UTF-8 with BOM, for Excel) or XLSX.

Names and e-mail addresses are included only when the caller says the staff
member may see them. Cells never become formulas: a comment that begins with
``=`` stays text (CSV cells are prefixed with an apostrophe, XLSX cells are
typed as strings).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING

from consultations.models import Comment

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    header: Callable[[], str]
    value: Callable[[Comment], str]


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def _section(comment: Comment) -> str:
    return comment.section.heading if comment.section_id else _("素案全体について")


def _answer(comment: Comment) -> str:
    return comment.topic.answer if comment.topic_id else comment.answer


COLUMNS = [
    Column(lambda: _("受付番号"), lambda c: c.receipt_number),
    Column(lambda: _("受付日時"), lambda c: _local(c.submitted_at)),
    Column(lambda: _("意見募集"), lambda c: c.period.title),
    Column(lambda: _("意見の対象"), _section),
    Column(lambda: _("意見"), lambda c: c.text),
    Column(lambda: _("お住まい"), lambda c: c.residence),
    Column(lambda: _("年代"), lambda c: c.get_age_group_display() if c.age_group else ""),
    Column(lambda: _("公表"), lambda c: c.get_status_display()),
    Column(lambda: _("意見の概要"), lambda c: c.summary),
    Column(lambda: _("論点"), lambda c: c.topic.summary if c.topic_id else ""),
    Column(lambda: _("市の考え方"), _answer),
]
PERSONAL_COLUMNS = [
    Column(lambda: _("氏名"), lambda c: c.name),
    Column(lambda: _("メールアドレス"), lambda c: c.email),
]


def comment_table(comments, *, include_personal_data: bool) -> tuple[list[str], list[list[str]]]:
    """Headers and rows, in receipt order."""
    columns = COLUMNS + (PERSONAL_COLUMNS if include_personal_data else [])
    comments = comments.select_related("period", "topic", "section__level_label").order_by(
        "period", "sequence"
    )
    return (
        [column.header() for column in columns],
        [[column.value(comment) for column in columns] for comment in comments],
    )


def _csv_safe(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def comments_csv(comments, *, include_personal_data: bool) -> bytes:
    headers, rows = comment_table(comments, include_personal_data=include_personal_data)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows([[_csv_safe(value) for value in row] for row in rows])
    return buffer.getvalue().encode("utf-8-sig")


def comments_xlsx(comments, *, include_personal_data: bool) -> bytes:
    headers, rows = comment_table(comments, include_personal_data=include_personal_data)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("意見")
    sheet.append(headers)
    for row in rows:
        sheet.append([ILLEGAL_CHARACTERS_RE.sub("", value) for value in row])
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.data_type = TYPE_STRING  # never a formula, whatever the text begins with
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
