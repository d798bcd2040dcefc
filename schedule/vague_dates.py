"""Dates as vague as planning documents write them, within a fiscal year.

A drafting schedule says when a step happens in the words of the document:
"4月中旬" (mid April), "11月下旬" (late November), "12月中" (some time in
December), "7～9月" (July to September), or now and then a day, "2月10日".
Each is read *within a fiscal year*: in 令和3年度 "2月上旬" is February 2022.

This module keeps the text as written (for display) and derives what
software needs from it:

- ``sort_key``: the fiscal year, then the month within the fiscal year (April
  first … March last), then the precision: a day and 上旬 / 中旬 / 下旬 in the
  order of their days, then the whole month, then a span of months;
- ``first_day`` / ``last_day``: the earliest and latest real dates the text
  allows (上旬 = 1–10, 中旬 = 11–20, 下旬 = 21–end of month), for iCalendar.

It is pure Python; fiscal years come from ``schedule.fiscal``.
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from enum import IntEnum

from schedule import fiscal


class VagueDateError(ValueError):
    """Raised for a text that is not a date of a fiscal year as documents write them."""


class Precision(IntEnum):
    """How precise a vague date is."""

    DAY = 0  # 2月10日 (sorted just before the third of the month it falls in)
    EARLY = 1  # 上旬: days 1–10
    MID = 2  # 中旬: days 11–20
    LATE = 3  # 下旬: day 21 to the end of the month
    MONTH = 4  # 12月, 12月中: the whole month
    MONTHS = 5  # 7～9月, 10月～12月: a span of whole months


_THIRDS = {"上旬": Precision.EARLY, "中旬": Precision.MID, "下旬": Precision.LATE}
_THIRD_DAYS = {Precision.EARLY: (1, 10), Precision.MID: (11, 20), Precision.LATE: (21, 31)}
_RANK = {
    Precision.EARLY: 2,
    Precision.MID: 4,
    Precision.LATE: 6,
    Precision.MONTH: 7,
    Precision.MONTHS: 8,
}

_MONTH = r"(?P<month>\d{1,2})\s*月"
_PATTERNS = (
    (Precision.DAY, re.compile(rf"^{_MONTH}\s*(?P<day>\d{{1,2}})\s*日$")),
    (None, re.compile(rf"^{_MONTH}\s*(?P<third>上旬|中旬|下旬)$")),
    (Precision.MONTH, re.compile(rf"^{_MONTH}\s*(?:中)?$")),
    (
        Precision.MONTHS,
        re.compile(r"^(?P<month>\d{1,2})\s*(?:月)?\s*[~〜\-–ー]\s*(?P<last_month>\d{1,2})\s*月$"),
    ),
)


def fiscal_month_index(month: int) -> int:
    """April is 0, March is 11: the place of a month within a fiscal year."""
    return (month - 4) % 12


def calendar_year(fiscal_year: int, month: int) -> int:
    """The calendar year of ``month`` in ``fiscal_year``: January–March belong to the next."""
    return fiscal_year if month >= 4 else fiscal_year + 1


@dataclass(frozen=True)
class VagueDate:
    """A date of a fiscal year, exactly as the document wrote it."""

    fiscal_year: int
    text: str  # as written, e.g. "4月中旬"
    precision: Precision
    month: int
    last_month: int  # the same as month unless a span of months
    day: int | None = None

    def __str__(self) -> str:
        return self.text

    @property
    def first_day(self) -> date:
        year = calendar_year(self.fiscal_year, self.month)
        if self.precision is Precision.DAY:
            return date(year, self.month, self.day)
        if self.precision in _THIRD_DAYS:
            return date(year, self.month, _THIRD_DAYS[self.precision][0])
        return date(year, self.month, 1)

    @property
    def last_day(self) -> date:
        if self.precision is Precision.DAY:
            return self.first_day
        year = calendar_year(self.fiscal_year, self.last_month)
        month_end = calendar.monthrange(year, self.last_month)[1]
        if self.precision in _THIRD_DAYS:
            return date(year, self.month, min(_THIRD_DAYS[self.precision][1], month_end))
        return date(year, self.last_month, month_end)

    @property
    def sort_key(self) -> tuple[int, int, int, int, int]:
        """Fiscal year, month within it, precision (a day among the thirds), last month."""
        if self.precision is Precision.DAY:
            third = min((self.day - 1) // 10, 2)  # 0: 上旬, 1: 中旬, 2: 下旬
            rank = 2 * third + 1  # a day comes just before the third it falls in
        else:
            rank = _RANK[self.precision]
        return (
            self.fiscal_year,
            fiscal_month_index(self.month),
            rank,
            self.day or 0,
            fiscal_month_index(self.last_month),
        )

    @property
    def order_in_year(self) -> int:
        """``sort_key`` without the fiscal year, as one integer a database can order by."""
        _, month, rank, day, last_month = self.sort_key
        return ((month * 10 + rank) * 100 + day) * 100 + last_month

    @property
    def label(self) -> str:
        """令和3年度 4月中旬: the fiscal year and the text as written."""
        return f"{fiscal.wareki_label(self.fiscal_year)} {self.text}"


def _normalize(text: str) -> str:
    # NFKC folds full-width digits and "～" (U+FF5E) to "~"; "〜" (U+301C) is matched as is.
    return unicodedata.normalize("NFKC", text or "").strip()


def _check_month(month: int, text: str) -> int:
    if not 1 <= month <= 12:
        raise VagueDateError(f"No such month in {text!r}")
    return month


def parse_vague_date(text: str, fiscal_year: int) -> VagueDate:
    """Read ``text`` (4月中旬, 11月下旬, 12月中, 12月, 7～9月, 2月10日) within ``fiscal_year``.

    Raises VagueDateError for anything else: an unknown form, a month or day
    that does not exist, or a span that runs backwards through the fiscal year
    (3～4月 would end before it starts, since March closes the fiscal year).
    """
    fiscal.era_of_fiscal_year(fiscal_year)  # raises FiscalYearError for a year that cannot be
    written = (text or "").strip()
    normalized = _normalize(written)
    for precision, pattern in _PATTERNS:
        match = pattern.match(normalized)
        if not match:
            continue
        month = _check_month(int(match["month"]), written)
        if precision is None:
            precision = _THIRDS[match["third"]]
        last_month = month
        day = None
        if precision is Precision.MONTHS:
            last_month = _check_month(int(match["last_month"]), written)
            if fiscal_month_index(last_month) <= fiscal_month_index(month):
                raise VagueDateError(
                    f"The months of {written!r} do not run forwards within a fiscal year"
                )
        if precision is Precision.DAY:
            day = int(match["day"])
            year = calendar_year(fiscal_year, month)
            if not 1 <= day <= calendar.monthrange(year, month)[1]:
                raise VagueDateError(f"No such day in {written!r} of {year}")
        return VagueDate(fiscal_year, written, precision, month, last_month, day)
    raise VagueDateError(f"Not a date as documents write them: {text!r}")
