"""Where a plan and its drafting steps stand today: the one place that says so.

A plan's state follows from its drafting stage, its fiscal years and today:

- still being drafted: 策定中, or 素案 while its draft is out;
- adopted, with years: 計画期間中 while today's fiscal year lies within them,
  終了（令和N年度まで） once the last one has closed, 開始前（令和N年度から）
  before the first one begins;
- adopted, without years: 策定済み, as nothing more can be said.

A drafting step still marked 予定 whose written date (``schedule.vague_dates``)
has wholly passed is overdue: 予定（時期経過）, until staff mark it done.

Pure Python: the models and templates call it with today's date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from schedule import fiscal


class PlanState(StrEnum):
    DRAFTING = "drafting"  # 策定中
    DRAFT = "draft"  # 素案
    UPCOMING = "upcoming"  # 開始前（令和N年度から）
    CURRENT = "current"  # 計画期間中
    ENDED = "ended"  # 終了（令和N年度まで）
    ADOPTED = "adopted"  # 策定済み, no years to say more


@dataclass(frozen=True)
class PlanTiming:
    state: PlanState
    fiscal_year: int | None = None  # the first year (upcoming) or the last one (ended)


def plan_timing(stage: str, start: int | None, end: int | None, today: date) -> PlanTiming:
    """The state of a plan at ``stage`` (drafting / draft / adopted) with years ``start``–``end``.

    An open end (None) never closes; a plan with no first year is only 策定済み.
    """
    if stage in (PlanState.DRAFTING, PlanState.DRAFT):
        return PlanTiming(PlanState(stage))
    if not start:
        return PlanTiming(PlanState.ADOPTED)
    current = fiscal.fiscal_year_of(today)
    if current < start:
        return PlanTiming(PlanState.UPCOMING, start)
    if end is not None and current > end:
        return PlanTiming(PlanState.ENDED, end)
    return PlanTiming(PlanState.CURRENT)


def is_overdue(last_day: date, done: bool, today: date) -> bool:
    """A step not yet done whose written date ended before ``today``."""
    return not done and last_day < today
