"""Display helpers for schedules: fiscal-year column headers in both calendars."""

from django import template
from django.utils import timezone
from django.utils.html import format_html

from planportal.i18n import is_english
from schedule import fiscal

register = template.Library()


@register.filter
def year_header(fiscal_year: int):
    """平成28年度 (2016) as the seed's period table heads its columns; FY2016 (Heisei 28)."""
    if is_english():
        first, second = f"FY{fiscal_year}", fiscal.romaji_label(fiscal_year)
    else:
        first, second = fiscal.wareki_label(fiscal_year), str(fiscal_year)
    return format_html('{}<span class="year-alt">({})</span>', first, second)


@register.filter
def is_this_fiscal_year(fiscal_year: int) -> bool:
    """True for the fiscal year today belongs to (marked 今年度 on timelines)."""
    return fiscal_year == fiscal.fiscal_year_of(timezone.localdate())


@register.filter
def is_current_bar(bar) -> bool:
    """True for a timeline bar whose years include this fiscal year (its period is running)."""
    this_year = fiscal.fiscal_year_of(timezone.localdate())
    last = bar.period.end_fiscal_year
    return bar.period.start_fiscal_year <= this_year and (last is None or this_year <= last)
