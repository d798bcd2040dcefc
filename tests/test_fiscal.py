"""Fiscal years and their 和暦 labels, especially at the era boundaries."""

import pytest

from schedule.fiscal import (
    FiscalYearError,
    dual_label,
    english_label,
    english_range_label,
    fiscal_year_of,
    fiscal_year_range_label,
    parse_fiscal_year,
    romaji_label,
    short_wareki_label,
    wareki_label,
)


@pytest.mark.parametrize(
    ("fiscal_year", "label"),
    [
        (2016, "平成28年度"),
        (2018, "平成30年度"),
        (2019, "令和元年度"),  # began under 平成, named 令和: 令和 governs 11 of 12 months
        (2020, "令和2年度"),
        (2022, "令和4年度"),
        (1988, "昭和63年度"),
        (1989, "平成元年度"),  # 平成 began on 8 January 1989, before the fiscal year
        (1926, "大正15年度"),  # 昭和 began only on 25 December 1926
        (1927, "昭和2年度"),
        (1912, "大正元年度"),  # 大正 began on 30 July 1912: most of the year
    ],
)
def test_wareki_label(fiscal_year, label):
    assert wareki_label(fiscal_year) == label
    assert parse_fiscal_year(label) == fiscal_year


def test_dual_and_english_labels():
    assert dual_label(2022) == "令和4年度 (2022)"
    assert english_label(2019) == "FY2019 (Reiwa 1)"
    assert romaji_label(2016) == "Heisei 28"
    assert short_wareki_label(2022) == "R4" and parse_fiscal_year("R4") == 2022
    assert short_wareki_label(2016) == "H28"
    assert english_range_label(2022, 2025) == "FY2022–2025"
    assert english_range_label(2016, None) == "FY2016–"
    assert english_range_label(2011, 2011) == "FY2011"
    assert fiscal_year_range_label(2022, 2025) == "令和4年度～令和7年度 (2022–2025)"
    assert fiscal_year_range_label(2016, None) == "平成28年度～ (2016–)"
    assert fiscal_year_range_label(2011, 2011) == "平成23年度 (2011)"


@pytest.mark.parametrize(
    ("text", "fiscal_year"),
    [
        ("2012年度", 2012),
        ("2012", 2012),
        ("２０１２年度", 2012),
        ("令和 5 年度", 2023),
        ("令和５年度", 2023),
        ("R4", 2022),
        ("R7年度", 2025),
        ("H28", 2016),
        ("H30年度", 2018),
        ("平成28(2016)年度", 2016),
        ("平成31年度", 2019),  # printed before the era changed: still FY2019
        ("昭和元年度", 1926),
    ],
)
def test_parse_fiscal_year(text, fiscal_year):
    assert parse_fiscal_year(text) == fiscal_year


@pytest.mark.parametrize(
    "text",
    [
        "",
        "年度",
        "令和0年度",
        "平成32年度",
        "平成28(2017)年度",
        "X5年度",
        "2012年",
        "12年度",
        "令和年度",
    ],
)
def test_parse_rejects_what_does_not_exist(text):
    with pytest.raises(FiscalYearError):
        parse_fiscal_year(text)


def test_fiscal_year_of_a_day():
    from datetime import date

    assert fiscal_year_of(date(2022, 4, 1)) == 2022
    assert fiscal_year_of(date(2023, 3, 31)) == 2022
    assert fiscal_year_of(date(2019, 4, 30)) == 2019


@pytest.mark.parametrize(
    ("day", "label", "romaji"),
    [
        ((2026, 12, 6), "令和8年（2026年）12月6日", "Reiwa 8"),
        ((2019, 5, 1), "令和元年（2019年）5月1日", "Reiwa 1"),  # the first day of 令和
        ((2019, 4, 30), "平成31年（2019年）4月30日", "Heisei 31"),  # a calendar day, not a 年度
        ((1989, 1, 7), "昭和64年（1989年）1月7日", "Showa 64"),
        ((1989, 1, 8), "平成元年（1989年）1月8日", "Heisei 1"),
    ],
)
def test_a_calendar_day_in_both_calendars(day, label, romaji):
    from datetime import date

    from schedule.fiscal import dual_date_label, romaji_year_of_day

    assert dual_date_label(date(*day)) == label
    assert romaji_year_of_day(date(*day)) == romaji


def test_no_era_before_meiji():
    from datetime import date

    from schedule.fiscal import era_of_day

    with pytest.raises(FiscalYearError):
        era_of_day(date(1868, 1, 1))
