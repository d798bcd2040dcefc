"""Benchmark: the bound PDF (and the Excel) of the evaluation sheets of 100 measures.

    .venv/bin/python bench/sheet_book_bench.py [--measures 100] [--per-measure 5]

Builds a throwaway SQLite database in bench/out/ (git-ignored) with one plan of
``--measures`` measures, ``--per-measure`` projects each (texts and target
tables from seed 001, as ``bench/pdf_bench.py`` makes them), every project of
one bureau, and on each measure an evaluation (課題, 概要, 目標, 成果の説明) and
an indicator with a target and an actual for each year; each project has a
result with levels for each year. Then times the bureau's book: loading the
sheets, the HTML, the PDF (WeasyPrint) and the Excel. The figures go into the
README. Runs on one core; nothing else should be busy.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.django_setup import setup_django  # noqa: E402


def add_evaluations(plan):
    """A bureau for every project, and each measure's evaluation, indicator and results."""
    from planportal.publication import PublicationStatus
    from policies.models import (
        Bureau,
        Division,
        Indicator,
        IndicatorValue,
        MeasureEvaluation,
    )
    from projects.models import EvaluationValue, ProjectResult

    published = PublicationStatus.PUBLISHED
    bureau = Bureau.objects.create(municipality=plan.municipality, name="ベンチ局")
    division = Division.objects.create(bureau=bureau, name="ベンチ課")
    plan.projects.update(bureau=bureau, division=division)
    criteria = [(c, list(c.levels.all())) for c in plan.yearly_criteria()]  # 達成度, 評価結果
    years = range(plan.start_fiscal_year, plan.end_fiscal_year + 1)
    text = "地域の担い手が不足しており、活動の継続が課題となっている。" * 4
    for number, measure in enumerate(plan.nodes.filter(level=2).order_by("lft")):
        MeasureEvaluation.objects.create(
            node=measure,
            fiscal_year=plan.end_fiscal_year,
            is_priority=number % 3 == 0,
            author_division=division,
            issues=text,
            overview=text,
            goal=text,
            outcome=text,
            explanation=text,
            status=published,
        )
        indicator = Indicator.objects.create(
            node=measure,
            name=f"地域活動への参加率 {number + 1}",
            unit="%",
            baseline_text="20.5%",
            baseline_label="計画策定時",
            status=published,
        )
        IndicatorValue.objects.bulk_create(
            IndicatorValue(
                indicator=indicator,
                fiscal_year=year,
                target_text=f"{21 + index}%以上",
                target=21 + index,
                actual_text=f"{20 + index}.8%",
                actual=20 + index,
            )
            for index, year in enumerate(years)
        )
    ProjectResult.objects.bulk_create(
        ProjectResult(
            project=project,
            fiscal_year=year,
            actual="計画どおり実施した。" * 3,
            status=published,
        )
        for project in plan.projects.all()
        for year in years
    )
    EvaluationValue.objects.bulk_create(
        EvaluationValue(
            project=project,
            fiscal_year=year,
            criterion=criterion,
            level=levels[(project.pk + year) % len(levels)],
            status=published,
        )
        for project in plan.projects.all()
        for year in years
        for criterion, levels in criteria
    )
    return bureau


def timed(function, *args, **kwargs):
    """The result, and the wall-clock and CPU seconds it took (the CPU time says what the
    work costs when other processes share the cores)."""
    start, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    return result, (time.perf_counter() - start, time.process_time() - cpu)


def seconds(pair) -> str:
    wall, cpu = pair
    return f"{wall:.2f} s (CPU {cpu:.2f} s)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--measures", type=int, default=100)
    parser.add_argument("--per-measure", type=int, default=5)
    options = parser.parse_args()
    setup_django("sheet_book_bench", cache="sheet_book_cache")

    from io import BytesIO

    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from pypdf import PdfReader

    from bench.pdf_bench import generate_plan
    from projects import sheet_book

    projects = options.measures * options.per_measure
    plan, took = timed(generate_plan, projects, options.per_measure)
    bureau = add_evaluations(plan)
    print(f"generated {options.measures} measures, {projects} projects in {took[0]:.1f} s")

    def visible(queryset):
        return queryset.published()

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        book, load_seconds = timed(sheet_book.load_book, plan, visible, bureau=bureau)
    html, html_seconds = timed(sheet_book.render_book_html, book, is_preview=False)
    job = sheet_book.SheetBookJob(plan.pk, None, bureau.pk, False, "ja", "http://bench/", plan.slug)
    pdf, pdf_seconds = timed(sheet_book.build_book_pdf, job)
    pages = len(PdfReader(BytesIO(pdf)).pages)
    xlsx, xlsx_seconds = timed(sheet_book.to_xlsx, book)
    print(f"sheets bound: {len(book.sheets)} ({len(queries)} queries, {seconds(load_seconds)})")
    print(f"HTML: {seconds(html_seconds)}, {len(html) / 1e6:.2f} MB")
    print(
        f"PDF (load + HTML + WeasyPrint): {seconds(pdf_seconds)}, {pages} pages, "
        f"{len(pdf) / 1e6:.2f} MB"
    )
    print(f"Excel (sheets loaded): {seconds(xlsx_seconds)}, {len(xlsx) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
