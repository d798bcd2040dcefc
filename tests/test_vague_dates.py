"""Vague dates of drafting schedules: parsing, order, real date ranges, display."""

from datetime import date

import pytest

from schedule.fiscal import FiscalYearError
from schedule.vague_dates import (
    Precision,
    VagueDateError,
    calendar_year,
    fiscal_month_index,
    parse_vague_date,
)

FY = 2021  # 令和3年度: April 2021 to March 2022


@pytest.mark.parametrize(
    "text, precision, month, last_month, first, last",
    [
        ("4月中旬", Precision.MID, 4, 4, date(2021, 4, 11), date(2021, 4, 20)),
        ("11月下旬", Precision.LATE, 11, 11, date(2021, 11, 21), date(2021, 11, 30)),
        ("12月中", Precision.MONTH, 12, 12, date(2021, 12, 1), date(2021, 12, 31)),
        ("12月", Precision.MONTH, 12, 12, date(2021, 12, 1), date(2021, 12, 31)),
        ("7～9月", Precision.MONTHS, 7, 9, date(2021, 7, 1), date(2021, 9, 30)),
        ("4～6月", Precision.MONTHS, 4, 6, date(2021, 4, 1), date(2021, 6, 30)),
        ("10～12月", Precision.MONTHS, 10, 12, date(2021, 10, 1), date(2021, 12, 31)),
        ("1～3月", Precision.MONTHS, 1, 3, date(2022, 1, 1), date(2022, 3, 31)),
        ("2月上旬", Precision.EARLY, 2, 2, date(2022, 2, 1), date(2022, 2, 10)),
        ("3月下旬", Precision.LATE, 3, 3, date(2022, 3, 21), date(2022, 3, 31)),
        ("7月下旬", Precision.LATE, 7, 7, date(2021, 7, 21), date(2021, 7, 31)),
        ("2月下旬", Precision.LATE, 2, 2, date(2022, 2, 21), date(2022, 2, 28)),
        ("2月10日", Precision.DAY, 2, 2, date(2022, 2, 10), date(2022, 2, 10)),
        ("9月～3月", Precision.MONTHS, 9, 3, date(2021, 9, 1), date(2022, 3, 31)),
    ],
)
def test_parse_within_the_fiscal_year(text, precision, month, last_month, first, last):
    vague = parse_vague_date(text, FY)
    assert (vague.precision, vague.month, vague.last_month) == (precision, month, last_month)
    assert (vague.first_day, vague.last_day) == (first, last)
    assert str(vague) == text  # shown as written


@pytest.mark.parametrize(
    "text", ["４月中旬", "7~9月", "7〜9月", "7-9月", "７～９月", " 4月 中旬 ", "12月 中"]
)
def test_full_width_and_spacing_variants_parse_and_keep_their_text(text):
    vague = parse_vague_date(text, FY)
    assert vague.text == text.strip()
    assert vague.first_day.year == 2021


def test_leap_years_and_month_ends():
    assert parse_vague_date("2月下旬", 2023).last_day == date(2024, 2, 29)
    assert parse_vague_date("2月29日", 2023).first_day == date(2024, 2, 29)
    with pytest.raises(VagueDateError):
        parse_vague_date("2月29日", 2022)  # February 2023 has 28 days
    assert parse_vague_date("1～2月", 2023).last_day == date(2024, 2, 29)
    assert parse_vague_date("4月下旬", FY).last_day == date(2021, 4, 30)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "中旬",
        "13月",
        "0月上旬",
        "4月末",
        "4月中旬頃",
        "3～4月",  # March closes the fiscal year: the span would run backwards
        "9～9月",
        "4月31日",
        "4月0日",
        "令和3年4月",
        "April",
    ],
)
def test_rejects_what_is_not_a_date_of_the_fiscal_year(text):
    with pytest.raises(VagueDateError):
        parse_vague_date(text, FY)


def test_rejects_a_fiscal_year_that_cannot_be():
    with pytest.raises(FiscalYearError):
        parse_vague_date("4月中旬", 1000)


def test_fiscal_month_order_and_calendar_years():
    assert [fiscal_month_index(m) for m in (4, 5, 12, 1, 3)] == [0, 1, 8, 9, 11]
    assert calendar_year(2021, 4) == 2021 and calendar_year(2021, 3) == 2022


def test_sort_orders_fiscal_year_then_month_then_precision():
    written = [
        (2024, "4～6月"),
        (2023, "1～3月"),
        (2021, "3月下旬"),
        (2021, "2月上旬"),
        (2021, "12月中"),
        (2021, "11月下旬"),
        (2021, "4月中旬"),
        (2021, "4月"),
        (2021, "4月上旬"),
        (2021, "4～6月"),
        (2021, "4月下旬"),
        (2021, "4月5日"),
        (2021, "4月15日"),
        (2021, "4月25日"),
        (2021, "4～5月"),
        (2023, "10～12月"),
        (2023, "7～9月"),
    ]
    ordered = sorted((parse_vague_date(text, fy) for fy, text in written), key=lambda v: v.sort_key)
    assert [(v.fiscal_year, v.text) for v in ordered] == [
        (2021, "4月5日"),
        (2021, "4月上旬"),
        (2021, "4月15日"),
        (2021, "4月中旬"),
        (2021, "4月25日"),
        (2021, "4月下旬"),
        (2021, "4月"),
        (2021, "4～5月"),
        (2021, "4～6月"),
        (2021, "11月下旬"),
        (2021, "12月中"),
        (2021, "2月上旬"),
        (2021, "3月下旬"),
        (2023, "7～9月"),
        (2023, "10～12月"),
        (2023, "1～3月"),
        (2024, "4～6月"),
    ]
    # The one-integer form a database orders by agrees with the key.
    within_2021 = [v for v in ordered if v.fiscal_year == 2021]
    assert sorted(within_2021, key=lambda v: v.order_in_year) == within_2021


def test_label_names_the_fiscal_year_in_wareki():
    assert parse_vague_date("4月中旬", 2021).label == "令和3年度 4月中旬"
    assert parse_vague_date("7～9月", 2019).label == "令和元年度 7～9月"
