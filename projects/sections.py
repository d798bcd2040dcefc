"""A section of a plan: one node (or the whole plan) with everything below it.

What the print view, the PDF and the exports show, loaded in a fixed number of
queries, in the plan's printed order, limited to what the visitor may see:
``visible`` is ``VisibleContentMixin.visible`` (published content for
citizens, everything for staff).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Prefetch

from planportal.views import last_updated
from policies.models import NodeText, Plan, PolicyNode
from projects.layout import NodePaths
from projects.models import Project, ProjectListing, target_prefetches
from projects.target_table import Column, plan_columns


@dataclass
class SectionNode:
    node: PolicyNode
    depth: int  # 0 for the section's own top nodes
    listings: list[ProjectListing] = field(default_factory=list)


@dataclass
class Section:
    plan: Plan
    node: PolicyNode | None  # None: the whole plan
    entries: list[SectionNode]
    paths: NodePaths

    @property
    def columns(self) -> list[Column]:
        plan = self.plan
        if not plan.has_fiscal_period:
            return []
        return plan_columns(plan.start_fiscal_year, plan.end_fiscal_year)

    @property
    def title(self) -> str:
        return self.node.heading if self.node else self.plan.title

    @property
    def listing_count(self) -> int:
        return sum(len(entry.listings) for entry in self.entries)

    @property
    def updated_at(self):
        """The latest change to what the section shows: its plan, nodes and projects."""
        return last_updated(
            [self.plan],
            (entry.node for entry in self.entries),
            (listing.project for listing in self.listings()),
        )

    def listings(self):
        for entry in self.entries:
            yield from entry.listings

    def file_stem(self) -> str:
        """plan-slug or plan-slug-node-12, for download file names."""
        return self.plan.slug + (f"-node-{self.node.pk}" if self.node else "")


def section_nodes(plan: Plan, node: PolicyNode | None, visible: Callable):
    """The visible nodes of the section, in printed order."""
    nodes = visible(plan.nodes.all())
    if node is not None:
        nodes = nodes.within(node)
    return nodes.in_printed_order()


def load_section(
    plan: Plan, node: PolicyNode | None, visible: Callable, *, with_texts: bool = False
) -> Section:
    nodes = section_nodes(plan, node, visible).select_related("level_label")
    if with_texts:
        nodes = nodes.prefetch_related(Prefetch("texts", queryset=NodeText.objects.all()))
    nodes = list(nodes)
    listings = (
        ProjectListing.objects.filter(
            visible(Project.objects.filter(plan=plan)).exists_for("project"),
            node__in=section_nodes(plan, node, visible),
        )
        .select_related(
            "project__plan",
            "project__home_node",
            "project__bureau",
            "project__division__bureau",
        )
        .prefetch_related(*target_prefetches("project__"), "project__wards")
        .order_by("position", "pk")
    )
    by_pk = {n.pk: n for n in nodes}
    by_node: dict[int, list[ProjectListing]] = {}
    for listing in listings:
        listing.node = by_pk[listing.node_id]  # loaded above; not joined again
        by_node.setdefault(listing.node_id, []).append(listing)
    top_level = node.level if node is not None else 0
    entries = [SectionNode(n, n.level - top_level, by_node.get(n.pk, [])) for n in nodes]
    paths = NodePaths(plan.nodes.values_list("pk", "parent_id", "code", "title", named=True))
    return Section(plan=plan, node=node, entries=entries, paths=paths)
