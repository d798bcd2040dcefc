"""Benchmark: importing a 20,000-project table (dry run and write).

    .venv/bin/python bench/import_bench.py [--projects 20000]
    DATABASE_URL=postgres://…/throwaway .venv/bin/python bench/import_bench.py

Builds a throwaway SQLite database in bench/out/ (git-ignored; or uses the
empty database of ``DATABASE_URL``, which it migrates and fills), generates the
plan of ``bench/generate_plan.py`` and exports it as CSV, then times the
importer (``projects.plan_import.import_plan``) on that file: into an empty
plan with the same tree (every project, listing and target created), again
(a no-op: nothing written), and with every project's summary edited (20,000
updates with their history). Each as a dry run (the preview) and as the write.
The figures go into the README.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.django_setup import setup_django  # noqa: E402


def export_csv(plan) -> bytes:
    from projects import export

    return export.to_csv(export.LayoutSection(plan, None, lambda queryset: queryset))


def timed_import(label: str, plan, content: bytes, *, dry_run: bool) -> None:
    from django.db import connection

    from projects.plan_import import import_plan

    queries = []

    def count(execute, sql, params, many, context):
        queries.append(sql)
        return execute(sql, params, many, context)

    cpu = time.process_time()
    start = time.perf_counter()
    with connection.execute_wrapper(count):
        report = import_plan(plan=plan, file_name="bench.csv", content=content, dry_run=dry_run)
    wall = time.perf_counter() - start
    print(
        f"| {label}{' (dry run)' if dry_run else ''} | {report.rows:,} | {wall:.1f} s "
        f"| {time.process_time() - cpu:.1f} s | {len(queries)} | "
        f"{len(report.created):,} created, {len(report.updated):,} updated, "
        f"{len(report.new_listings):,} listings |",
        flush=True,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=20_000)
    args = parser.parse_args()
    setup_django("import_bench", given_database=True)

    from bench.generate_plan import generate_plan
    from policies.models import Municipality

    Municipality.objects.get_or_create(slug="kawasaki", defaults={"name": "川崎市"})
    source = generate_plan(args.projects, slug="bench-import-source")
    content = export_csv(source)
    target = generate_plan(0, slug="bench-import-target")
    print(f"file: {len(content) / 1024 / 1024:.1f} MB")
    print("| import | rows | wall | CPU | queries | result |")
    print("|---|---|---|---|---|---|")
    timed_import("new plan", target, content, dry_run=True)
    timed_import("new plan", target, content, dry_run=False)
    content = export_csv(target)
    timed_import("unchanged file", target, content, dry_run=True)
    timed_import("unchanged file", target, content, dry_run=False)
    edited = content.decode("utf-8-sig").replace("の概要。", "の概要（改訂）。").encode()
    timed_import("every summary edited", target, edited, dry_run=True)
    timed_import("every summary edited", target, edited, dry_run=False)


if __name__ == "__main__":
    main()
