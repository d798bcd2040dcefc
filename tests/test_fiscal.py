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
