"""Japanese fiscal years (年度) and their 和暦 (era) labels.

A fiscal year runs from 1 April to 31 March and is named after the calendar
year it starts in: FY2019 is April 2019 to March 2020.

Its era label follows official usage: a fiscal year takes the name of the era
that governs most of it. FY2019 began under 平成 but is 令和元年度, because 令和
began on 1 May 2019; FY1989 is 平成元年度; FY1926 is 大正15年度, because 昭和
began only on 25 December 1926.

When parsing, any era-year that overlaps the fiscal year is accepted, because
documents printed before an era change use the old name (平成31年度 = FY2019).

This module is pure Python; everything else calls it rather than computing
eras itself.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Era:
    name: str
    initial: str  # the one-letter abbreviation used in tables: H28, R4
    romaji: str
    start: date
    end: date | None  # last day, or None for the current era


ERAS: tuple[Era, ...] = (
    Era("明治", "M", "Meiji", date(1868, 10, 23), date(1912, 7, 29)),
    Era("大正", "T", "Taisho", date(1912, 7, 30), date(1926, 12, 24)),
    Era("昭和", "S", "Showa", date(1926, 12, 25), date(1989, 1, 7)),
    Era("平成", "H", "Heisei", date(1989, 1, 8), date(2019, 4, 30)),
    Era("令和", "R", "Reiwa", date(2019, 5, 1), None),
)

FIRST_FISCAL_YEAR = 1869  # the first fiscal year wholly inside a known era


class FiscalYearError(ValueError):
    """Raised for a fiscal year or label that does not exist."""


def fiscal_year_start(fiscal_year: int) -> date:
    return date(fiscal_year, 4, 1)


def fiscal_year_end(fiscal_year: int) -> date:
    return date(fiscal_year + 1, 3, 31)


def fiscal_year_of(day: date) -> int:
    """The fiscal year a calendar day belongs to."""
    return day.year if day.month >= 4 else day.year - 1


def _check(fiscal_year: int) -> None:
    if not isinstance(fiscal_year, int) or fiscal_year < FIRST_FISCAL_YEAR:
        raise FiscalYearError(f"Fiscal year out of range: {fiscal_year!r}")


def _days_in(era: Era, fiscal_year: int) -> int:
    first = max(era.start, fiscal_year_start(fiscal_year))
    last = min(era.end or date.max, fiscal_year_end(fiscal_year))
    return max(0, (last - first).days + 1)


@functools.lru_cache(maxsize=512)  # the same few years fill every target table of a page
def era_of_fiscal_year(fiscal_year: int) -> Era:
    """The era that names a fiscal year: the one governing most of its days."""
    _check(fiscal_year)
    return max(ERAS, key=lambda era: _days_in(era, fiscal_year))


def era_year(era: Era, fiscal_year: int) -> int:
    return fiscal_year - era.start.year + 1


def _era_year_text(number: int) -> str:
    return "元" if number == 1 else str(number)


def wareki_label(fiscal_year: int) -> str:
    """令和4年度 for 2022, 令和元年度 for 2019."""
    era = era_of_fiscal_year(fiscal_year)
    return f"{era.name}{_era_year_text(era_year(era, fiscal_year))}年度"


def short_wareki_label(fiscal_year: int) -> str:
    """R4, H28: the era initial and year that tables print (parse_fiscal_year reads it back)."""
    era = era_of_fiscal_year(fiscal_year)
    return f"{era.initial}{era_year(era, fiscal_year)}"


def western_label(fiscal_year: int) -> str:
    """2022年度."""
    _check(fiscal_year)
    return f"{fiscal_year}年度"


def dual_label(fiscal_year: int) -> str:
    """令和4年度 (2022): the form the portal shows wherever space allows."""
    return f"{wareki_label(fiscal_year)} ({fiscal_year})"


def romaji_label(fiscal_year: int) -> str:
    """Reiwa 4: the era-year of a fiscal year for English pages."""
    era = era_of_fiscal_year(fiscal_year)
    return f"{era.romaji} {era_year(era, fiscal_year)}"


def english_label(fiscal_year: int) -> str:
    """FY2022 (Reiwa 4)."""
    return f"FY{fiscal_year} ({romaji_label(fiscal_year)})"


def era_of_day(day: date) -> Era:
    """The era a calendar day falls in (令和 from 1 May 2019)."""
    for era in reversed(ERAS):
        if day >= era.start:
            return era
    raise FiscalYearError(f"Before the known eras: {day!r}")


def wareki_year_of_day(day: date) -> str:
    """令和8年 for a day of 2026; 令和元年 for 1 May 2019, 平成31年 for 30 April 2019."""
    era = era_of_day(day)
    return f"{era.name}{_era_year_text(day.year - era.start.year + 1)}年"


def dual_date_label(day: date) -> str:
    """令和8年（2026年）12月6日: a calendar day in both calendars, as notices print it."""
    return f"{wareki_year_of_day(day)}（{day.year}年）{day.month}月{day.day}日"


def romaji_year_of_day(day: date) -> str:
    """Reiwa 8: the era-year of a calendar day for English pages."""
    era = era_of_day(day)
    return f"{era.romaji} {day.year - era.start.year + 1}"


_ERA_BY_TOKEN = {era.name: era for era in ERAS} | {era.initial: era for era in ERAS}
_LABEL = re.compile(
    r"^(?:(?P<era>明治|大正|昭和|平成|令和|[MTSHR])\s*(?P<era_year>元|\d{1,2})"
    r"(?:\s*\(\s*(?P<paren>\d{4})\s*\))?"
    r"|(?P<western>\d{4}))(?:\s*年度)?$"
)


def parse_fiscal_year(text: str) -> int:
    """Read a fiscal year as the documents print it.

    Accepts 2022, 2022年度, 令和4年度, 令和 4 年度, 令和元年度, R4年度,
    H28年度, 平成28(2016)年度 and full-width digits. Raises FiscalYearError
    for anything else, including an era-year that never existed (令和0年度,
    平成32年度) or a bracketed 西暦 that contradicts the era-year.
    """
    normalized = unicodedata.normalize("NFKC", text or "").strip()
    match = _LABEL.match(normalized)
    if not match:
        raise FiscalYearError(f"Not a fiscal year: {text!r}")
    if match["western"]:
        fiscal_year = int(match["western"])
        _check(fiscal_year)
        return fiscal_year
    era = _ERA_BY_TOKEN[match["era"]]
    number = 1 if match["era_year"] == "元" else int(match["era_year"])
    fiscal_year = era.start.year + number - 1
    if number < 1 or _days_in(era, fiscal_year) == 0 or fiscal_year < FIRST_FISCAL_YEAR:
        raise FiscalYearError(f"{era.name}{number}年度 does not exist: {text!r}")
    if match["paren"] and int(match["paren"]) != fiscal_year:
        raise FiscalYearError(f"Era year and western year disagree: {text!r}")
    return fiscal_year


def english_range_label(first: int, last: int | None) -> str:
    """FY2022–2025; FY2016– when open-ended; FY2011 for one year."""
    if last == first:
        return f"FY{first}"
    return f"FY{first}–{last or ''}"


def fiscal_year_range_label(first: int, last: int | None) -> str:
    """令和4年度～令和7年度 (2022–2025); 平成28年度～ (2016–) when open-ended."""
    if last == first:
        return dual_label(first)
    if last is None:
        return f"{wareki_label(first)}～ ({first}–)"
    return f"{wareki_label(first)}～{wareki_label(last)} ({first}–{last})"
