"""Plain descriptions of a plan, as read from a seed document, before any write."""

from __future__ import annotations

from dataclasses import dataclass, field

from projects.table_format import TableRow


@dataclass
class TextSpec:
    kind: str  # a NodeText.Kind value
    heading: str
    body: str


@dataclass
class NodeSpec:
    title: str
    code: str = ""
    depth_label: int | None = None  # the PlanLevel depth naming this node, if any
    texts: list[TextSpec] = field(default_factory=list)
    children: list[NodeSpec] = field(default_factory=list)
    table_rows: list[TableRow] = field(default_factory=list)

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class StrategySpec:
    label: str
    title: str
    direction: str = ""
    main_actions: str = ""


@dataclass
class PeriodSpec:
    part: str  # a PlanPeriod.Part value
    name: str
    start_fiscal_year: int
    end_fiscal_year: int | None = None
    phase: int | None = None
    span_note: str = ""


@dataclass
class MilestoneSpec:
    """A step of a drafting schedule, for the plan it drafts (``plan``, a slug)."""

    plan: str
    fiscal_year: int
    when: str  # as printed: 4月中旬, 7～9月
    title: str
    kind: str  # a Milestone.Kind value
    details: list[str] = field(default_factory=list)
    period: str = ""  # the name of the PlanPeriod it drafts
    position: int = 0
    documented_here: bool = False  # the step that produced the document read


@dataclass
class PlanSpec:
    slug: str
    municipality: str
    kind: str
    stage: str
    title: str
    source: str
    start_fiscal_year: int | None = None
    end_fiscal_year: int | None = None
    period_note: str = ""
    vision: str = ""
    summary: str = ""
    related_plan: str = ""  # slug
    strategy_set_name: str = ""
    scheme: str = ""  # the name of a shipped evaluation scheme (policies.scales); "" the default
    levels: list[str] = field(default_factory=list)
    basic_goals: list[str] = field(default_factory=list)
    strategies: list[StrategySpec] = field(default_factory=list)
    periods: list[PeriodSpec] = field(default_factory=list)
    nodes: list[NodeSpec] = field(default_factory=list)
    bureaus: dict[str, str] = field(default_factory=dict)  # project name -> bureau
    home_note: str = ""  # for 再掲 projects whose home lies outside the document
    milestones: list[MilestoneSpec] = field(default_factory=list)  # its drafting schedule

    def walk(self):
        for node in self.nodes:
            yield from node.walk()
