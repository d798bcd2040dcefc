"""Seed 004: Tsurugashima, the policy for drafting the later basic plan (FY2025–2029).

It yields the later basic plan (vision, period, its levels 政策分野 → 施策 and
its 重点戦略) and the drafting policy itself as a numbered outline. The
document counts 7 policy fields, 40 measures and 3 priority strategies but
names none of them, so none are created: the plan's summary quotes the count.
Its schedule (5. 主な策定作業スケジュール, by quarter over 令和5–6年度) becomes
the drafting milestones of the later basic plan, one per 《…》 step.
"""

from __future__ import annotations

import re

from projects.seeds.drafting import rows_to_milestones, table_after
from projects.seeds.outline import Level, parse_outline
from projects.seeds.spec import PeriodSpec, PlanSpec
from schedule.fiscal import parse_fiscal_year

SOURCE_FILE = "004_602455df39db9b2f.txt"

OUTLINE = [
    Level(re.compile(r"^(?P<code>\d+)\.\s*(?P<title>\S.*)$")),
    Level(re.compile(r"^(?P<code>\(\d+\))\s*(?P<title>\S.*)$")),
    Level(re.compile(r"^(?P<code>[①-⑳])\s*(?P<title>\S.*)$")),
]
VISION = re.compile(r"「(?P<vision>[^「」]+)」を将来像に掲げ")
PERIOD = re.compile(r"(?P<era>令和)(?P<first>\d+)年度から(?P<last>\d+)年度までを計画期間")
SCHEDULE_HEADING = "5. 主な策定作業スケジュール"
STRUCTURE = re.compile(r"前期基本計画では、[^。]+。")
PURPOSE = re.compile(r"そのため、前期基本計画の取組を継承しながらも、[^。]+。")


def parse(text: str) -> list[PlanSpec]:
    lines = text.splitlines()
    preamble, nodes = parse_outline(lines, OUTLINE)
    period = PERIOD.search(text)
    first = parse_fiscal_year(f"{period['era']}{period['first']}年度")
    last = parse_fiscal_year(f"{period['era']}{period['last']}年度")
    plan = PlanSpec(
        slug="tsurugashima",
        municipality="tsurugashima",
        kind="comprehensive",
        stage="drafting",
        title="第6次鶴ヶ島市総合計画 後期基本計画",
        source=preamble[0],
        start_fiscal_year=first,
        end_fiscal_year=last,
        vision=VISION.search(text)["vision"],
        summary="\n\n".join([STRUCTURE.search(text)[0], PURPOSE.search(text)[0]]),
        strategy_set_name="重点戦略",
        levels=["政策分野", "施策"],
        periods=[PeriodSpec("basic_plan", "後期基本計画", first, last)],
    )
    drafting_policy = PlanSpec(
        slug="tsurugashima-policy",
        municipality="tsurugashima",
        kind="drafting_policy",
        stage="adopted",
        title=preamble[0],
        source=preamble[0],
        summary=preamble[1] if len(preamble) > 1 else "",
        related_plan="tsurugashima",
        nodes=nodes,
        milestones=rows_to_milestones(
            table_after(lines, SCHEDULE_HEADING)[1:],  # below the header row (年度 / 月 / …)
            plan="tsurugashima",
            period="後期基本計画",
        ),
    )
    return [plan, drafting_policy]
