"""Write plan descriptions (PlanSpec) into the database, idempotently.

Every object is found by its natural key (a plan by slug, a node by its code
or, where none is printed, its title within its parent, …) and saved only
when a value differs, so loading the same seeds twice changes nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.db import transaction

from planportal.publication import PublicationStatus
from policies import tree
from policies.models import (
    BasicGoal,
    Criterion,
    CriterionLevel,
    EvaluationScheme,
    Municipality,
    NodeText,
    Plan,
    PlanLevel,
    PolicyNode,
    SDGGoal,
    Strategy,
    Ward,
)
from policies.scales import ensure_schemes
from projects.seeds.spec import MilestoneSpec, NodeSpec, PlanSpec
from projects.services import PlacedRow, apply_table_rows, sync_fields
from projects.table_format import Responsibility
from schedule.models import Milestone, PlanPeriod

PUBLISHED = PublicationStatus.PUBLISHED
REFERENCE_DIR = Path(settings.BASE_DIR) / "fixtures" / "reference"


def _reference(name: str):
    return json.loads((REFERENCE_DIR / name).read_text(encoding="utf-8"))


def sync(model, lookup: dict, values: dict):
    """The object matching ``lookup``, created or brought up to ``values``."""
    obj = model.objects.filter(**lookup).first()
    if obj is None:
        obj = model(**lookup, **values)
        obj.full_clean()
        obj.save()
    else:
        sync_fields(obj, values)
    return obj


def write_reference_data() -> None:
    ensure_schemes(EvaluationScheme, Criterion, CriterionLevel)
    for entry in _reference("municipalities.json"):
        sync(
            Municipality,
            {"slug": entry["slug"]},
            {"name": entry["name"], "name_en": entry["name_en"]},
        )
    for municipality_slug, wards in _reference("wards.json").items():
        municipality = Municipality.objects.get(slug=municipality_slug)
        for position, ward in enumerate(wards):
            sync(
                Ward,
                {"municipality": municipality, "slug": ward["slug"]},
                {
                    "name": ward["name"],
                    "name_en": ward["name_en"],
                    "position": position,
                    "place_names": "\n".join(ward.get("place_names", [])),
                },
            )
    for goal in _reference("sdg_goals.json"):
        sync(
            SDGGoal,
            {"number": goal["number"]},
            {"title": goal["title"], "title_en": goal["title_en"]},
        )


@transaction.atomic
def write_plan(spec: PlanSpec, position: int = 0) -> Plan:
    municipality = Municipality.objects.get(slug=spec.municipality)
    related = Plan.objects.get(slug=spec.related_plan) if spec.related_plan else None
    plan = sync(
        Plan,
        {"slug": spec.slug},
        {
            "municipality": municipality,
            "kind": spec.kind,
            "stage": spec.stage,
            "title": spec.title,
            "source": spec.source,
            "start_fiscal_year": spec.start_fiscal_year,
            "end_fiscal_year": spec.end_fiscal_year,
            "period_note": spec.period_note,
            "vision": spec.vision,
            "summary": spec.summary,
            "related_plan": related,
            "strategy_set_name": spec.strategy_set_name,
            "evaluation_scheme": (
                EvaluationScheme.objects.get(name=spec.scheme) if spec.scheme else None
            ),
            "position": position,
            "status": PUBLISHED,
        },
    )
    levels = {
        depth: sync(PlanLevel, {"plan": plan, "depth": depth}, {"name": name})
        for depth, name in enumerate(spec.levels)
    }
    for position, title in enumerate(spec.basic_goals):
        sync(BasicGoal, {"plan": plan, "position": position}, {"title": title})
    for position, strategy in enumerate(spec.strategies):
        sync(
            Strategy,
            {"plan": plan, "title": strategy.title},
            {
                "label": strategy.label,
                "direction": strategy.direction,
                "main_actions": strategy.main_actions,
                "position": position,
            },
        )
    for position, period in enumerate(spec.periods):
        sync(
            PlanPeriod,
            {"plan": plan, "name": period.name},
            {
                "part": period.part,
                "phase": period.phase,
                "start_fiscal_year": period.start_fiscal_year,
                "end_fiscal_year": period.end_fiscal_year,
                "span_note": period.span_note,
                "position": position,
            },
        )
    placed: list[PlacedRow] = []
    for node_spec in spec.nodes:
        _write_node(plan, None, node_spec, levels, placed)
    if placed:
        _state_responsibility(placed, spec.bureaus, municipality)
        apply_table_rows(plan, placed, home_note=spec.home_note, status=PUBLISHED)
    for milestone in spec.milestones:
        _write_milestone(milestone, document=plan)
    return plan


def _write_milestone(spec: MilestoneSpec, document: Plan) -> Milestone:
    """A step of the schedule ``document`` prints, on the plan it drafts."""
    plan = Plan.objects.get(slug=spec.plan)
    period = PlanPeriod.objects.get(plan=plan, name=spec.period) if spec.period else None
    return sync(
        Milestone,
        {"plan": plan, "fiscal_year": spec.fiscal_year, "when": spec.when, "title": spec.title},
        {
            "period": period,
            "details": "\n".join(spec.details),
            "kind": spec.kind,
            "position": spec.position,
            "document": document if spec.documented_here else None,
            "status": PUBLISHED,
        },
    )


def _write_node(plan, parent, spec: NodeSpec, levels, placed) -> PolicyNode:
    siblings = PolicyNode.objects.filter(plan=plan, parent=parent)
    node = siblings.filter(code=spec.code, title=spec.title).first() or (
        siblings.filter(code=spec.code).first() if spec.code else None
    )
    values = {
        "title": spec.title,
        "code": spec.code,
        "level_label": levels.get(spec.depth_label),
        "status": PUBLISHED,
    }
    if node is None:
        node = tree.create_node(plan=plan, parent=parent, **values)
    else:
        sync_fields(node, values)
    for position, text in enumerate(spec.texts):
        sync(
            NodeText,
            {"node": node, "position": position},
            {"kind": text.kind, "heading": text.heading, "body": text.body},
        )
    NodeText.objects.filter(node=node, position__gte=len(spec.texts)).delete()
    placed.extend(PlacedRow(node, row) for row in spec.table_rows)
    for child in spec.children:
        _write_node(plan, node, child, levels, placed)
    return node


def _state_responsibility(placed: list[PlacedRow], bureaus: dict[str, str], municipality):
    """Each row's bureau (the spec's, by printed name) and the wards its printed
    text names (幸区役所… → 幸区)."""
    wards = list(municipality.wards.values_list("name", flat=True))
    for item in placed:
        row = item.row
        text = " ".join(
            [row.project_name.name, row.summary, row.baseline]
            + [cell for line in row.target_lines for cell in line.values()]
        )
        row.responsibility = Responsibility(
            bureau=bureaus.get(row.printed_name, ""),
            wards=tuple(name for name in wards if name in text),
        )
