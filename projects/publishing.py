"""Publishing a plan or a section: one explicit, stamped step for a whole part.

Citizens see a node only when it, every node above it and its plan are
published (``PolicyNode.objects.published()``), and a project only when it,
its plan and its home measure are visible (``Project.objects.published()``).
Publishing a section therefore publishes the node, everything below it and
the projects whose home is there; what is still hidden above it is reported.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from planportal.publication import PublicationStatus
from policies.models import Plan, PolicyNode
from projects.models import Project


@dataclass
class PublishResult:
    plans: int = 0
    nodes: int = 0
    projects: int = 0
    still_hidden_by: list[str] = field(default_factory=list)

    def __add__(self, other: PublishResult) -> PublishResult:
        return PublishResult(
            self.plans + other.plans,
            self.nodes + other.nodes,
            self.projects + other.projects,
            self.still_hidden_by + other.still_hidden_by,
        )


@transaction.atomic
def publish_plan(plan: Plan) -> PublishResult:
    """Publish a plan with all its nodes and projects."""
    return PublishResult(
        plans=Plan.objects.filter(pk=plan.pk).publish(),
        nodes=plan.nodes.all().publish(),
        projects=plan.projects.all().publish(),
    )


@transaction.atomic
def publish_section(node: PolicyNode) -> PublishResult:
    """Publish a node, every node below it and the projects whose home is among them."""
    node.refresh_from_db()
    section = node.get_descendants(include_self=True)
    result = PublishResult(
        nodes=PolicyNode.objects.filter(pk__in=section.values("pk")).publish(),
        projects=Project.objects.filter(home_node__in=section.values("pk")).publish(),
    )
    if node.plan.status != PublicationStatus.PUBLISHED:
        result.still_hidden_by.append(str(node.plan))
    draft_ancestors = node.get_ancestors().exclude(status=PublicationStatus.PUBLISHED)
    result.still_hidden_by += [str(ancestor) for ancestor in draft_ancestors]
    return result
