"""Where a plan and its drafting steps stand today (schedule/timing.py)."""

from datetime import date

import pytest

from schedule.timing import PlanState, PlanTiming, is_overdue, plan_timing

# FY2026 runs from 1 April 2026 to 31 March 2027.
IN_FY2026 = date(2026, 11, 29)


@pytest.mark.parametrize(
    ("stage", "start", "end", "today", "expected"),
    [
        ("adopted", 2011, 2013, IN_FY2026, PlanTiming(PlanState.ENDED, 2013)),
        ("adopted", 2022, 2025, date(2026, 3, 31), PlanTiming(PlanState.CURRENT)),  # FY2025
        ("adopted", 2022, 2025, date(2026, 4, 1), PlanTiming(PlanState.ENDED, 2025)),
        ("adopted", 2016, None, IN_FY2026, PlanTiming(PlanState.CURRENT)),  # open-ended
        ("adopted", 2026, 2026, date(2026, 4, 1), PlanTiming(PlanState.CURRENT)),
        ("adopted", 2027, 2030, date(2027, 3, 31), PlanTiming(PlanState.UPCOMING, 2027)),
        ("adopted", 2027, 2030, date(2027, 4, 1), PlanTiming(PlanState.CURRENT)),
        ("adopted", None, None, IN_FY2026, PlanTiming(PlanState.ADOPTED)),
        ("drafting", 2025, 2029, IN_FY2026, PlanTiming(PlanState.DRAFTING)),  # years still plans
        ("draft", None, 2028, IN_FY2026, PlanTiming(PlanState.DRAFT)),
    ],
)
def test_plan_timing(stage, start, end, today, expected):
    assert plan_timing(stage, start, end, today) == expected


@pytest.mark.parametrize(
    ("last_day", "done", "today", "expected"),
    [
        (date(2021, 4, 20), False, IN_FY2026, True),  # 令和3年度 4月中旬, still 予定
        (date(2021, 4, 20), True, IN_FY2026, False),  # marked done
        (date(2026, 11, 30), False, IN_FY2026, False),  # 11月下旬 of this year: not yet over
        (date(2026, 11, 29), False, IN_FY2026, False),  # its last day is today
        (date(2026, 11, 28), False, IN_FY2026, True),
    ],
)
def test_is_overdue(last_day, done, today, expected):
    assert is_overdue(last_day, done, today) is expected
