"""Seed 003: Kawasaki's basic approach to community policy (素案, summary edition).

A sectoral plan that is a document of chapters (章) and sections (節), with
target year 2028, three levels of action (地域/区域/市域), and its place
beside the comprehensive plan. The running page headers "…概要版（1/4）" are
not content and are skipped.
"""

from __future__ import annotations

import re

from projects.seeds.outline import Level, parse_outline
from projects.seeds.spec import PlanSpec

SOURCE_FILE = "003_a26088e6b9195158.txt"

OUTLINE = [
    Level(re.compile(r"^(?P<code>第\d+章)\s*(?P<title>\S.*)$"), depth_label=0),
    Level(re.compile(r"^(?P<code>\d+)\s+(?P<title>\S.*)$"), depth_label=1),
    Level(re.compile(r"^(?P<code>\(\d+\))\s*(?P<title>\S.*)$")),
    Level(re.compile(r"^(?P<code>[①-⑳])\s*(?P<title>\S.*)$")),
]
PAGE_HEADER = re.compile(r"概要版（\d/\d）$")
TITLE = re.compile(r"^(?P<title>.+（素案）)概要版")
PLACE = re.compile(r"この「考え方」は、[^。]+。")


def parse(text: str) -> list[PlanSpec]:
    lines = text.splitlines()
    _, nodes = parse_outline(lines, OUTLINE, skip=PAGE_HEADER)
    title = next(m["title"] for line in lines if (m := TITLE.match(line.strip())))
    return [
        PlanSpec(
            slug="kawasaki-community",
            municipality="kawasaki",
            kind="sectoral",
            stage="draft",
            title=title,
            source=f"{title} 概要版",
            period_note="目標年次：概ね10年後の2028年",
            summary=PLACE.search(text)[0],
            related_plan="kawasaki",
            levels=["章", "節"],
            nodes=nodes,
        )
    ]
