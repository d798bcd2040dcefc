"""Seed 000: Kawasaki's policy for drafting the 3rd implementation plan (FY2021).

It yields two plans:

- ``kawasaki``, the comprehensive plan the document describes: its city
  vision and basic goals, its plan periods (the table 【「基本構想」「基本計画」
  「実施計画」の計画期間】) and the seven かわさき10年戦略 with their 2030
  directions and the main actions of the 2nd phase. The document does not name
  the 5 basic policies or 23 policies, so the plan's tree stays empty.
- ``kawasaki-3rd-policy``, the drafting policy itself, as a numbered outline.
  Its schedule (4 計画策定までのスケジュール（予定）) is the drafting schedule of
  the 3rd implementation plan: its milestones belong to ``kawasaki``, the plan
  being drafted, and draft its period 第3期実施計画; the step that published
  this policy links to it.
"""

from __future__ import annotations

import re

from projects.seeds.drafting import rows_to_milestones, table_after
from projects.seeds.outline import Level, clean_line, join_paragraphs, paragraphs, parse_outline
from projects.seeds.spec import PeriodSpec, PlanSpec, StrategySpec
from schedule.fiscal import parse_fiscal_year

SOURCE_FILE = "000_2cf7753d9f33d819.txt"
SOURCE = "川崎市総合計画 第3期実施計画策定方針（令和3(2021)年度）"

VISION = re.compile(r"めざす都市像である「(?P<vision>[^「」]+)」")
BASIC_GOALS = re.compile(
    r"「(?P<first>[^「」]+)」と「(?P<second>[^「」]+)」の調和によるまちづくりの基本目標"
)
PERIOD_TABLE = "【「基本構想」「基本計画」「実施計画」の計画期間】"
PHASE = re.compile(r"第(?P<phase>\d+)期\s*実施計画\s*(?P<first>\w+)～(?P<last>\w+)")
MAIN_ACTIONS = re.compile(r"^戦略(?P<n>\d)\s+「[^」]+」をめざす\s*→\s*(?P<actions>.+)$")
DIRECTION_HEADING = "かわさき10年戦略における戦略ごとの方向性（案）"
SCHEDULE_HEADING = "4 計画策定までのスケジュール（予定）"
DRAFTED_PERIOD = "第3期実施計画"
STRATEGY = re.compile(r"^戦略(?P<n>\d)\s+(?P<title>「[^」]+」をめざす)$")

OUTLINE = [
    Level(re.compile(r"^(?P<code>\d+)\s+(?P<title>\S.*)$")),
    Level(re.compile(r"^(?P<code>\(\d+\))\s*(?P<title>\S.*)$")),
    Level(re.compile(r"^(?P<code>[①-⑳]|[ア-オ](?=\s))\s*(?P<title>\S.*)$")),
]


def _periods(lines: list[str]) -> list[PeriodSpec]:
    start = next(i for i, line in enumerate(lines) if line.strip() == PERIOD_TABLE)
    header, *rows = (line.split("\t") for line in lines[start + 1 : start + 5])
    first_year = parse_fiscal_year(re.search(r"\((\d{4})\)", header[1])[1])
    periods = []
    for label, *cells in rows:
        label = label.strip()
        filled = [cell.strip() for cell in cells if cell.strip()]
        if label == "実施計画":
            for cell in filled:
                match = PHASE.search(cell)
                periods.append(
                    PeriodSpec(
                        "implementation",
                        f"第{match['phase']}期実施計画",
                        parse_fiscal_year(match["first"]),
                        parse_fiscal_year(match["last"]),
                        phase=int(match["phase"]),
                    )
                )
        else:
            part = {"基本構想": "basic_vision", "基本計画": "basic_plan"}[label]
            note = filled[0].split(label, 1)[1].strip()  # "川崎市 基本構想 30年程度を展望"
            periods.append(PeriodSpec(part, label, first_year, None, span_note=note))
    return periods


def _strategies(lines: list[str]) -> list[StrategySpec]:
    actions = {
        m["n"]: m["actions"].strip() for line in lines if (m := MAIN_ACTIONS.match(line.strip()))
    }
    start = next(i for i, line in enumerate(lines) if line.strip() == DIRECTION_HEADING)
    strategies: list[StrategySpec] = []
    body: list[str] = []
    for line in lines[start + 1 :] + ["(3) end"]:
        if (match := STRATEGY.match(line.strip())) or line.startswith("(3)"):
            if strategies:
                strategies[-1].direction = join_paragraphs(paragraphs(body)).lstrip("・ ")
            if not match:
                break
            strategies.append(
                StrategySpec(f"戦略{match['n']}", match["title"], main_actions=actions[match["n"]])
            )
            body = []
        else:
            body.append(line)
    return strategies


def parse(text: str) -> list[PlanSpec]:
    lines = text.splitlines()
    preamble, nodes = parse_outline(lines, OUTLINE)
    title, intro, context = preamble[0], preamble[1], preamble[2]
    goals = BASIC_GOALS.search(text)
    vision_note = next(
        clean_line(line) for line in lines if clean_line(line).startswith("※「最幸」とは")
    )
    comprehensive = PlanSpec(
        slug="kawasaki",
        municipality="kawasaki",
        kind="comprehensive",
        stage="adopted",
        title="川崎市総合計画",
        source=SOURCE,
        start_fiscal_year=2016,
        period_note="基本構想は30年程度を展望、基本計画は平成28(2016)年度から概ね10年",
        vision=VISION.search(text)["vision"],
        summary=join_paragraphs([intro, vision_note]),
        strategy_set_name="かわさき10年戦略",
        levels=["基本政策", "政策", "施策"],
        basic_goals=[goals["first"], goals["second"]],
        strategies=_strategies(lines),
        periods=_periods(lines),
    )
    drafting_policy = PlanSpec(
        slug="kawasaki-3rd-policy",
        municipality="kawasaki",
        kind="drafting_policy",
        stage="adopted",
        title=title,
        source=SOURCE,
        period_note="第3期実施計画の計画期間：令和4(2022)年度から令和7(2025)年度までの4年間",
        summary=context,
        related_plan="kawasaki",
        nodes=nodes,
        milestones=rows_to_milestones(
            table_after(lines, SCHEDULE_HEADING), plan="kawasaki", period=DRAFTED_PERIOD
        ),
    )
    return [comprehensive, drafting_policy]
