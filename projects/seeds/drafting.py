"""Read the drafting schedules (策定スケジュール) that seed documents print as tables.

Seed 000 prints one row per step ("令和3年度 / 4月中旬 / 第3期実施計画策定方針
の策定・公表"); seed 004 prints one row per quarter, each holding 《…》 steps
with their ・ items. Both become MilestoneSpecs; the kind of a step is read
from its words (``milestone_kind``), its date is kept as written.
"""

from __future__ import annotations

import re

from projects.seeds.spec import MilestoneSpec
from schedule.fiscal import parse_fiscal_year

# In order: the first rule whose words a step contains decides its kind.
KIND_RULES = (
    ("public_comment", ("パブリックコメント",)),
    ("briefing", ("説明会",)),
    ("council", ("議案", "議決")),
    ("final_draft", ("計画（案）", "原案")),
    ("draft", ("素案",)),
    ("review", ("レビュー", "進捗確認")),
    ("survey", ("調査",)),
    ("policy", ("方針", "考え方")),
    ("adoption", ("策定・公表", "の策定")),
)
# Words naming the drafting policy itself: the step that published the document.
DRAFTING_POLICY_WORDS = ("策定方針", "策定基本方針")

_STEP = re.compile(r"《(?P<title>[^》]+)》(?P<items>[^《]*)")
# An item bullet stands apart ("・ 策定方針の決定"); a "・" inside words joins them
# ("基本構想・基本計画の原案作成").
_ITEM = re.compile(r"(?:^|\s)・\s*")


def milestone_kind(text: str) -> str:
    """The Milestone.Kind of a step, from its words; "other" when none apply."""
    for kind, words in KIND_RULES:
        if any(word in text for word in words):
            return kind
    return "other"


def names_drafting_policy(text: str) -> bool:
    return any(word in text for word in DRAFTING_POLICY_WORDS)


def table_after(lines: list[str], heading: str) -> list[list[str]]:
    """The tab-separated rows that follow ``heading``, up to the first line that is not one."""
    start = next(i for i, line in enumerate(lines) if line.strip() == heading)
    rows: list[list[str]] = []
    for line in lines[start + 1 :]:
        if "\t" in line:
            rows.append([cell.strip() for cell in line.split("\t")])
        elif line.strip() and rows:
            break
    return rows


def _spec(fiscal_year, when, title, details, *, plan, period) -> MilestoneSpec:
    text = " ".join([title, *details])
    return MilestoneSpec(
        plan=plan,
        period=period,
        fiscal_year=fiscal_year,
        when=when,
        title=title,
        details=details,
        kind=milestone_kind(text),
        documented_here=names_drafting_policy(text),
    )


def rows_to_milestones(rows, *, plan: str, period: str = "") -> list[MilestoneSpec]:
    """Rows of (fiscal year, when, what): the year cell is printed only where it changes.

    "What" is either one step (seed 000) or 《step》 ・item ・item … (seed 004).
    Each step is one milestone; steps of one row keep their printed order.
    """
    milestones: list[MilestoneSpec] = []
    fiscal_year = None
    for year_cell, when, what in rows:
        if year_cell:
            fiscal_year = parse_fiscal_year(year_cell)
        steps = list(_STEP.finditer(what))
        if not steps:
            milestones.append(_spec(fiscal_year, when, what, [], plan=plan, period=period))
            continue
        for step in steps:
            items = [item.strip() for item in _ITEM.split(step["items"]) if item.strip()]
            title = step["title"].strip()
            milestones.append(_spec(fiscal_year, when, title, items, plan=plan, period=period))
    _number_same_dates(milestones)
    return milestones


def _number_same_dates(milestones: list[MilestoneSpec]) -> None:
    """Steps printed under the same date keep their printed order (11月下旬 ×2)."""
    seen: dict[tuple[int, str], int] = {}
    for milestone in milestones:
        key = (milestone.fiscal_year, milestone.when)
        milestone.position = seen.get(key, 0)
        seen[key] = milestone.position + 1
