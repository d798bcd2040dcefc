"""Helpers for the import/export tests: plan snapshots and the seed-001 tables as files."""

from __future__ import annotations

from django.conf import settings

from policies.models import Plan
from projects.layout import NodePaths
from projects.models import Project
from projects.seeds import kawasaki_2011
from projects.seeds.writer import write_plan

SEED_001 = settings.SEED_DOCUMENTS_DIR / kawasaki_2011.SOURCE_FILE


def plan_snapshot(
    plan: Plan, *, with_home_note: bool = True, with_responsibility: bool = True
) -> dict:
    """Everything an import may write, keyed by project (name, 各区) and node path.

    ``with_responsibility``: with the project's bureau, section and wards by name.
    """
    paths = NodePaths(plan.nodes.all())
    snapshot = {}
    projects = (
        Project.objects.filter(plan=plan)
        .select_related("bureau", "division")
        .prefetch_related("targets", "listings", "wards")
    )
    for project in projects:
        responsibility = (
            {
                "bureau": project.bureau.name if project.bureau else None,
                "division": project.division.name if project.division else None,
                "wards": sorted(ward.name for ward in project.wards.all()),
            }
            if with_responsibility
            else {}
        )
        snapshot[(project.name, project.each_ward)] = {
            **responsibility,
            "summary": project.summary,
            "baseline": project.baseline,
            "actions": project.actions_in_period,
            "home": paths.path(project.home_node_id) if project.home_node_id else None,
            "home_note": project.home_note if with_home_note else bool(project.home_note),
            "status": project.status,
            "targets": sorted(
                (t.line, t.fiscal_year, t.after_period, t.text) for t in project.targets.all()
            ),
            "listings": sorted(
                (paths.path(listing.node_id), listing.position)
                for listing in project.listings.all()
            ),
        }
    return snapshot


class _TableCollector(kawasaki_2011._Reader):
    """The seed reader, keeping each measure's raw table lines as printed."""

    def __init__(self, text):
        super().__init__(text)
        self.files: list[tuple[str, str]] = []  # (measure title, tab-separated tables)

    def _flush_tables(self):
        if self.table_lines:
            block = "\n".join(line for _, line in self.table_lines) + "\n"
            if self.files and self.files[-1][0] == self.node.title:
                self.files[-1] = (self.node.title, self.files[-1][1] + block)
            else:
                self.files.append((self.node.title, block))
        super()._flush_tables()


def seed_001_table_files() -> list[tuple[str, str]]:
    """Each measure of seed 001 with its project tables, exactly as the document prints them."""
    collector = _TableCollector(SEED_001.read_text(encoding="utf-8"))
    collector.read()
    return collector.files


def empty_copy_of_seed_001(slug: str) -> Plan:
    """The plan of seed 001 with its whole tree and texts, but no projects."""
    (spec,) = kawasaki_2011.parse(SEED_001.read_text(encoding="utf-8"))
    spec.slug = slug
    for root in spec.nodes:
        for node in root.walk():
            node.table_rows = []
    return write_plan(spec, position=99)
