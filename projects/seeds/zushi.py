"""Seed 002: Zushi, how the comprehensive plan is carried out and tracked.

The document is two sections (節): the principles of plan promotion, and
progress management with numerical targets per pillar of the basic vision and
KPIs per concrete measure, one with the まち・ひと・しごと創生総合戦略.
"""

from __future__ import annotations

import re

from projects.seeds.outline import Level, parse_outline
from projects.seeds.spec import PlanSpec

SOURCE_FILE = "002_7cfe28e0becadae9.txt"

OUTLINE = [
    Level(re.compile(r"^(?P<code>第\s*\d+\s*節)\s*(?P<title>\S.*)$"), depth_label=0),
    Level(re.compile(r"^(?P<code>\d+)\s+(?P<title>\S.*)$")),
]
PROGRESS_SENTENCE = re.compile(r"総合計画の達成すべき目標を明確にするため、[^。]+。")


def parse(text: str) -> list[PlanSpec]:
    _, nodes = parse_outline(text.splitlines(), OUTLINE)
    return [
        PlanSpec(
            slug="zushi",
            municipality="zushi",
            kind="comprehensive",
            stage="adopted",
            title="逗子市総合計画",
            source="逗子市総合計画 第1節 計画の推進にあたって／第2節 進行管理",
            summary=PROGRESS_SENTENCE.search(text)[0],
            levels=["節"],
            nodes=nodes,
        )
    ]
