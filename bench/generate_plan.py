"""Generate a large plan for benchmarks and query-count tests.

    python -m bench.generate_plan --projects 20000        # slug "bench-20000"

The text is machine-made filler, clearly labelled; it is never demo data. The
tree is 8 basic policies × 5 policies × 10 measures; projects are spread over
the measures, one in twenty is also listed again (再掲) under another measure,
one in ten is a (各区) project, and each has yearly targets using → and merged
cells like the printed plans.
"""

from __future__ import annotations

import argparse
import os

BASIC_POLICIES, POLICIES, MEASURES = 8, 5, 10


def generate_plan(projects: int = 20_000, slug: str | None = None):
    from django.db import connection, transaction

    from planportal.caching import bump_content_version
    from planportal.publication import PublicationStatus
    from policies.models import Municipality, Plan, PlanLevel, PolicyNode
    from projects.models import Project, ProjectListing, YearlyTarget

    published = PublicationStatus.PUBLISHED
    slug = slug or f"bench-{projects}"
    with transaction.atomic():
        municipality = Municipality.objects.get(slug="kawasaki")
        plan = Plan.objects.create(
            municipality=municipality,
            slug=slug,
            kind=Plan.Kind.COMPREHENSIVE,
            title=f"ベンチマーク用の生成計画（{projects}事業）",
            summary="性能測定のために機械的に生成した計画です。内容に意味はありません。",
            start_fiscal_year=2022,
            end_fiscal_year=2025,
            status=published,
            position=900,
        )
        levels = PlanLevel.objects.bulk_create(
            PlanLevel(plan=plan, depth=depth, name=name)
            for depth, name in enumerate(["基本政策", "政策", "施策"])
        )
        with PolicyNode.objects.disable_mptt_updates():
            tree_id = (
                PolicyNode.objects.order_by("-tree_id").values_list("tree_id", flat=True).first()
                or 0
            ) + 1
            roots = PolicyNode.objects.bulk_create(
                _node(plan, None, levels[0], f"B{b}", f"生成基本政策{b}", tree_id + b, published)
                for b in range(1, BASIC_POLICIES + 1)
            )
            policies = PolicyNode.objects.bulk_create(
                _node(
                    plan, root, levels[1], f"B{b}-{p}", f"生成政策{b}-{p}", root.tree_id, published
                )
                for b, root in enumerate(roots, start=1)
                for p in range(1, POLICIES + 1)
            )
            measures = PolicyNode.objects.bulk_create(
                _node(
                    plan,
                    policy,
                    levels[2],
                    "",
                    f"生成施策{policy.code}-{m}",
                    policy.tree_id,
                    published,
                )
                for policy in policies
                for m in range(1, MEASURES + 1)
            )
        for root in roots:
            PolicyNode.objects.partial_rebuild(root.tree_id)
        created = Project.objects.bulk_create(
            (
                Project(
                    plan=plan,
                    name=f"生成事業{n:05d}",
                    each_ward=n % 10 == 0,
                    summary=f"生成事業{n:05d}の概要。地域の課題解決に向けた取組を推進します。",
                    baseline=f"現状の取組{n}",
                    home_node=measures[n % len(measures)],
                    status=published,
                )
                for n in range(projects)
            ),
            batch_size=2000,
        )
        ProjectListing.objects.bulk_create(
            (
                ProjectListing(project=project, node=project.home_node, position=n)
                for n, project in enumerate(created)
            ),
            batch_size=5000,
        )
        ProjectListing.objects.bulk_create(
            (
                ProjectListing(
                    project=project, node=measures[(n + 7) % len(measures)], position=100_000 + n
                )
                for n, project in enumerate(created)
                if n % 20 == 0
            ),
            batch_size=5000,
        )
        YearlyTarget.objects.bulk_create(
            (
                YearlyTarget(project=project, fiscal_year=year, after_period=after, text=text)
                for n, project in enumerate(created)
                for year, after, text in (
                    (2022, False, f"取組{n}の実施"),
                    (2023, False, "→"),
                    (2024, False, f"取組{n}の拡充"),
                    (2026, True, "事業推進"),
                )
            ),
            batch_size=5000,
        )
    bump_content_version()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics, as autovacuum would gather
            cursor.execute("ANALYZE")
    return plan


def _node(plan, parent, level, code, title, tree_id, status):
    from policies.models import PolicyNode

    return PolicyNode(
        plan=plan,
        parent=parent,
        level_label=level,
        code=code,
        title=title,
        tree_id=tree_id,
        lft=0,
        rght=0,
        level=0,
        status=status,
    )


def main():
    import django

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument("--slug")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planportal.settings")
    django.setup()
    plan = generate_plan(args.projects, args.slug)
    print(f"generated {plan.slug}: {plan.nodes.count()} nodes, {plan.projects.count()} projects")


if __name__ == "__main__":
    main()
