"""Benchmark: importing 5,000 evaluation values from a file, and the file round trip.

    .venv/bin/python bench/evaluation_import.py [--projects 1000]

Builds a throwaway SQLite database in bench/out/ (git-ignored) with the plan of
``bench/pdf_bench.py`` (seed 001's target tables, 100 projects per measure),
evaluating with Kawasaki 2011's scheme and its period 実行計画 (2011–2013).
Five values a project — 達成度 for 2011, 2012 and 2013, 評価結果 for 2013 and
the period-end 3ヵ年の事業目標に対する達成度 — make 5,000 rows for 1,000
projects, written as the import reads them (CSV with a BOM). Then times: the
preview (a dry run that checks every row), the import that writes them, the
re-import of the same file (writes nothing), the CSV and Excel exports, and
the re-import of the Excel file. The figures go into the README.
"""

from __future__ import annotations

import csv
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.django_setup import setup_django  # noqa: E402
from bench.pdf_bench import generate_plan  # noqa: E402
from bench.rounds import measured  # noqa: E402


def rows_for(plan) -> list[list[str]]:
    from projects import evaluation_exchange as exchange
    from projects import layout

    paths = layout.NodePaths(plan.nodes.only("pk", "parent_id", "code", "title"))
    rows = [exchange.HEADERS]
    for project in plan.projects.order_by("pk"):
        where = [paths.path(project.home_node_id), project.display_name]
        for year, code in ((2011, "3"), (2012, "2"), (2013, "3")):
            rows.append([*where, "達成度", str(year), "", "", code, "", "実績どおり", "公開"])
        rows.append([*where, "評価結果", "2013", "", "", "C", "", "", "公開"])
        rows.append(
            [*where, "3ヵ年の事業目標に対する達成度", "", "実行計画", "", "Ⅱ", "", "", "下書き"]
        )
    return rows


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1000)
    options = parser.parse_args()
    setup_django("evaluation_bench")

    from policies.models import EvaluationScheme
    from policies.scales import KAWASAKI_2011_NAME
    from projects import evaluation_exchange as exchange
    from projects.models import EvaluationValue
    from schedule.models import PlanPeriod

    plan = generate_plan(options.projects, 100)
    plan.evaluation_scheme = EvaluationScheme.objects.get(name=KAWASAKI_2011_NAME)
    plan.save()
    PlanPeriod.objects.create(
        plan=plan,
        part="implementation",
        name="実行計画",
        start_fiscal_year=2011,
        end_fiscal_year=2013,
    )
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows_for(plan))
    content = buffer.getvalue().encode("utf-8-sig")
    rows = content.count(b"\r\n") - 1
    print(f"{plan.projects.count()} projects, a file of {rows} rows ({len(content) / 1e3:.0f} kB)")

    report, seconds, cpu = measured(
        exchange.import_evaluations, plan, "bench.csv", content, dry_run=True
    )
    print(
        f"preview (check every row): {seconds:.2f} s (CPU {cpu:.2f} s), {len(report.created)} new"
    )
    report, seconds, cpu = measured(exchange.import_evaluations, plan, "bench.csv", content)
    stored = EvaluationValue.objects.count()
    print(f"import (write {len(report.created)} values): {seconds:.2f} s (CPU {cpu:.2f} s)")
    assert stored == rows, (stored, rows)
    report, seconds, cpu = measured(exchange.import_evaluations, plan, "bench.csv", content)
    assert not report.changes_anything
    print(f"re-import of the same file (writes nothing): {seconds:.2f} s (CPU {cpu:.2f} s)")
    exported, seconds, cpu = measured(exchange.to_csv, plan)
    print(f"CSV export ({len(exported) / 1e3:.0f} kB): {seconds:.2f} s (CPU {cpu:.2f} s)")
    workbook, seconds, cpu = measured(exchange.to_xlsx, plan)
    print(f"Excel export ({len(workbook) / 1e3:.0f} kB): {seconds:.2f} s (CPU {cpu:.2f} s)")
    report, seconds, cpu = measured(exchange.import_evaluations, plan, "bench.xlsx", workbook)
    assert not report.changes_anything
    print(f"re-import of the Excel file (writes nothing): {seconds:.2f} s (CPU {cpu:.2f} s)")


if __name__ == "__main__":
    main()
