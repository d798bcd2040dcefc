"""Display helpers for plan content: fiscal years, target cells, prose, search highlights.

Every helper escapes the content it is given; plan text is never trusted as markup.
"""

from django import template
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from planportal.i18n import is_english
from projects import search
from projects.target_table import ARROW, Column
from schedule import fiscal

register = template.Library()


@register.filter
def fiscal_year(value: int) -> str:
    """令和4年度 (2022) in Japanese, FY2022 (Reiwa 4) in English."""
    if value in (None, ""):
        return ""
    return fiscal.english_label(value) if is_english() else fiscal.dual_label(value)


@register.filter
def fiscal_years(period) -> str:
    """The span of anything with start_fiscal_year / end_fiscal_year."""
    first, last = period.start_fiscal_year, period.end_fiscal_year
    if not first:
        return ""
    if is_english():
        return fiscal.english_range_label(first, last)
    return fiscal.fiscal_year_range_label(first, last)


@register.filter
def column_header(column: Column):
    """A target-table column in both calendars: 2012年度 / 平成24年度 (or …以降)."""
    if is_english():
        first, second = f"FY{column.fiscal_year}", fiscal.romaji_label(column.fiscal_year)
        if column.after_period:
            first, second = f"{first} onward", f"{second} onward"
    else:
        suffix = "以降" if column.after_period else ""
        first = fiscal.western_label(column.fiscal_year) + suffix
        second = fiscal.wareki_label(column.fiscal_year) + suffix
    return format_html('{}<span class="wareki">{}</span>', first, second)


@register.filter
def column_text(column: Column) -> str:
    """A column as plain text, for screen-reader notes: 2012年度 or 2014年度以降."""
    label = fiscal.western_label(column.fiscal_year)
    return label + ("以降" if column.after_period else "")


@register.filter
def cell_text(text: str):
    """The printed lines of a cell; a line that is only "→" says what it means."""
    same = gettext("前年度と同じ")
    lines = []
    for line in (text or "").splitlines():
        if line.strip() == ARROW:
            lines.append(
                format_html('<span class="same-as">{} <small>{}</small></span>', ARROW, same)
            )
        else:
            lines.append(escape(line))
    return mark_safe("<br>".join(lines))


@register.filter
def prose(text: str):
    """Body text as paragraphs; "・" lines become a list and tab lines a table."""
    blocks = []
    for block in (text or "").split("\n\n"):
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        if any("\t" in line for line in lines):
            rows = format_html_join("", "<tr>{}</tr>", ((_table_row(line),) for line in lines))
            blocks.append(
                format_html(
                    '<div class="table-scroll"><table class="text-table">{}</table></div>', rows
                )
            )
        elif all(line.startswith("・") for line in lines):
            items = format_html_join("", "<li>{}</li>", ((line[1:].strip(),) for line in lines))
            blocks.append(format_html('<ul class="bullets">{}</ul>', items))
        else:
            blocks.append(
                format_html("<p>{}</p>", mark_safe("<br>".join(escape(line) for line in lines)))
            )
    return mark_safe("".join(blocks))


def _table_row(line: str):
    cells = [cell.strip() for cell in line.split("\t")]
    return format_html_join("", "<td>{}</td>", ((cell,) for cell in cells))


@register.filter
def highlight(text: str, terms):
    return search.highlight(text or "", terms or [])
