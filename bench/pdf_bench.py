"""Benchmark: the PDF of a 100-project section and of a 1,000-project plan.

    .venv/bin/python bench/pdf_bench.py [--projects 1000] [--per-measure 100]
    .venv/bin/python bench/pdf_bench.py --memory 5000 [--part-listings 150]
        [--part-processes 1] [--only-parts] [--chromium /usr/bin/chromium]

``--memory N`` measures instead the peak memory (RSS) of building the PDF of one basic
policy of the plan ``bench/generate_plan.py`` makes with N projects (N / 8 × 1.05
listings: 20,000 gives the 2,650-listing section of issue 16), once in one piece and
once in parts; each build runs in a forked process, whose peak RSS the kernel reports
(``getrusage``), so the figures include the ~100 MB of Python, Django and the loaded
section; a build in parts lays them out in child processes of its own, whose largest
peak is shown beside. ``--chromium /usr/bin/chromium`` also prints the same section's
print page with Chromium, for comparison (time and the memory of all its processes).

Builds a throwaway SQLite database in bench/out/ (git-ignored) with one plan of
``--projects`` projects, ``--per-measure`` under each measure, their texts and
target tables taken in turn from seed 001's printed tables (so cells are as long
as real ones), then times the print HTML, the PDF (WeasyPrint) and the exports.
The figures go into the README. Runs on one core; nothing else should be busy.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.django_setup import setup_django  # noqa: E402
from bench.proc import TICK, processes  # noqa: E402


def seed_rows():
    """Every project row of seed 001, as its tables print them."""
    from django.conf import settings

    from projects.seeds import kawasaki_2011

    text = (settings.SEED_DOCUMENTS_DIR / kawasaki_2011.SOURCE_FILE).read_text(encoding="utf-8")
    (spec,) = kawasaki_2011.parse(text)
    return [
        row
        for root in spec.nodes
        for node in root.walk()
        for row in node.table_rows
        if not row.project_name.relisted
    ]


def generate_plan(projects: int, per_measure: int):
    """A plan of basic policies → policies → measures, ``per_measure`` projects each."""
    from dataclasses import replace

    from planportal.publication import PublicationStatus
    from policies import tree
    from policies.models import Municipality, Plan, PlanLevel
    from projects.services import PlacedRow, apply_table_rows
    from projects.target_table import ProjectName

    published = PublicationStatus.PUBLISHED
    municipality, _ = Municipality.objects.get_or_create(slug="bench", name="ベンチ市")
    plan = Plan.objects.create(
        municipality=municipality,
        slug="bench",
        kind=Plan.Kind.COMPREHENSIVE,
        title="ベンチマーク用の計画",
        start_fiscal_year=2011,
        end_fiscal_year=2013,
        status=published,
    )
    levels = [
        PlanLevel.objects.create(plan=plan, depth=depth, name=name)
        for depth, name in enumerate(["基本政策", "政策", "施策"])
    ]
    rows = seed_rows()
    measures = max(1, projects // per_measure)
    numerals = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ"
    placed, number = [], 0
    for index in range(measures):
        if index % 2 == 0:
            basic_code = numerals[index // 2 % len(numerals)] + str(index // 20 or "")
            basic = tree.create_node(
                plan=plan,
                code=basic_code,
                title=f"基本政策 {index // 2 + 1}",
                level_label=levels[0],
                status=published,
            )
        policy = tree.create_node(
            plan=plan,
            parent=basic,
            code=f"{basic_code}-{index % 2 + 1}",
            title=f"政策 {index + 1}",
            level_label=levels[1],
            status=published,
        )
        measure = tree.create_node(
            plan=plan,
            parent=policy,
            title=f"施策 {index + 1}",
            level_label=levels[2],
            status=published,
        )
        for _ in range(per_measure):
            row = rows[number % len(rows)]
            number += 1
            name = ProjectName(f"{row.project_name.name}（{number:04d}）", False, False)
            placed.append(PlacedRow(measure, replace(row, project_name=name)))
    apply_table_rows(plan, placed, status=published)
    return plan


def timed(function, *args, **kwargs):
    start = time.perf_counter()
    result = function(*args, **kwargs)
    seconds = time.perf_counter() - start
    return result, seconds


def peak_rss(function) -> tuple[object, float, float, float, float, float]:
    """Run ``function`` in a forked child: its result (pickled back), seconds, CPU seconds
    (what counts on a busy machine, the child's own children included), its peak RSS and
    the largest peak RSS of its own children (the parts' layouts), in MB, and the peak of
    the PSS summed over it and its children (sampled, as for Chromium)."""
    import pickle
    import resource
    import tempfile

    from django.db import connections

    connections.close_all()  # the child opens its own
    with tempfile.TemporaryFile(dir=ROOT / "bench" / "out") as file:
        start = time.perf_counter()
        pid = os.fork()
        if pid == 0:  # the child
            result = function()
            children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            pickle.dump((result, own, children), file)
            file.flush()
            os._exit(0)
        ended = []

        def running() -> bool:
            done, status, usage = os.wait4(pid, os.WNOHANG)
            if done:
                ended.append((status, usage))
            return not done

        pss, _, _ = sample_tree(pid, running)
        (status, usage), seconds = ended[0], time.perf_counter() - start
        file.seek(0)
        result, own, children = pickle.load(file)
    if status:
        raise RuntimeError(f"the build failed: {status}")
    cpu = usage.ru_utime + usage.ru_stime
    return result, seconds, cpu, own / 1024, children / 1024, pss / 1024  # Linux: kB


def memory(options) -> None:
    from io import BytesIO

    from pypdf import PdfReader

    from bench.generate_plan import generate_plan
    from policies.models import Municipality, PolicyNode
    from projects import printing

    Municipality.objects.get_or_create(slug="kawasaki", defaults={"name": "川崎市"})
    from django.conf import settings

    plan, seconds = timed(generate_plan, options.memory)
    print(f"generated {plan.projects.count()} projects in {seconds:.1f} s")
    node = PolicyNode.objects.filter(plan=plan, level=0).order_by("tree_id").first()
    job = printing.PdfJob(plan.pk, node.pk, False, "ja", "http://bench/", plan.slug)

    import logging

    logging.getLogger("projects.printing").setLevel(logging.DEBUG)  # each child's peak

    def build(limit: int):
        def run():  # the PDF is read back in this process, not in the measured one
            printing.PART_LISTINGS = limit
            settings.PDF_PART_PROCESSES = options.part_processes
            return printing.build_pdf(job)

        return run

    listings = printing.load_section(plan, node, printing._published).listing_count
    print(
        f"section {node.heading}: {listings} listings; parts of "
        f"{options.part_listings // options.part_processes} listings, "
        f"{options.part_processes} at once"
    )
    print(
        f"{'build':<10}{'pages':>7}{'MB file':>9}{'s':>8}{'CPU s':>8}"
        f"{'peak RSS MB':>13}{'largest child MB':>18}{'PSS sum MB':>12}"
    )
    builds = [("in parts", options.part_listings)]
    if not options.only_parts:
        builds.append(("one piece", listings))
    for label, limit in builds:
        pdf, seconds, cpu, peak, child, pss = peak_rss(build(limit))
        pages = len(PdfReader(BytesIO(pdf)).pages)
        print(
            f"{label:<10}{pages:>7}{len(pdf) / 1e6:>9.1f}{seconds:>8.1f}{cpu:>8.1f}"
            f"{peak:>13.0f}{child:>18.0f}{pss:>12.0f}"
        )
    if options.chromium:
        print_with_chromium(options.chromium, job)


def print_with_chromium(executable: str, job) -> None:
    """The same section's print page printed to PDF by Chromium (headless, its
    ``--print-to-pdf``), for comparison: seconds, CPU seconds of its processes, and the
    peak of their summed memory (RSS, and PSS, which counts shared pages once), sampled
    from /proc every 0.1 s (its processes are not all reaped by the one started, so
    ``getrusage`` would miss their CPU)."""
    import subprocess
    import tempfile

    from django.contrib.staticfiles import finders
    from django.utils import translation
    from pypdf import PdfReader

    from projects import printing

    with translation.override(job.language):
        html = printing.render_print_html(job.section(), for_pdf=True, is_preview=False)
    styles = "".join(Path(finders.find(path)).read_text() for path in printing.STYLESHEETS)
    html = html.replace("</head>", f"<style>{styles}</style></head>", 1)
    with tempfile.TemporaryDirectory(dir=ROOT / "bench" / "out") as folder:
        page, pdf = Path(folder, "section.html"), Path(folder, "section.pdf")
        page.write_text(html, encoding="utf-8")
        start = time.perf_counter()
        process = subprocess.Popen(
            [
                executable,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-pdf-header-footer",
                f"--user-data-dir={folder}/profile",
                f"--print-to-pdf={pdf}",
                page.as_uri(),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        pss, rss, cpu = sample_tree(process.pid, lambda: process.poll() is None)
        seconds = time.perf_counter() - start
        pages = len(PdfReader(pdf).pages)
        print(
            f"Chromium: {pages} pages, {pdf.stat().st_size / 1e6:.1f} MB, {seconds:.1f} s, "
            f"CPU {cpu:.1f} s, peak of its processes' summed RSS {rss / 1024:.0f} MB, "
            f"PSS {pss / 1024:.0f} MB"
        )


def sample_tree(root: int, running) -> tuple[int, int, float]:
    """While ``running()``, every 0.1 s: the peaks of the PSS and of the RSS summed over
    ``root`` and its descendants (kB), and their CPU seconds as last seen."""
    pss = rss = 0
    ticks = {}  # pid → CPU clock ticks, as last seen
    while running():
        seen = processes()
        tree = process_tree(root, seen)
        rss = max(rss, sum(memory_kb(pid, "Rss") for pid in tree))
        pss = max(pss, sum(memory_kb(pid, "Pss") for pid in tree))
        ticks.update((pid, seen[pid][1]) for pid in tree if pid in seen)
        time.sleep(0.1)
    return pss, rss, sum(ticks.values()) * TICK


def process_tree(root: int, seen: dict[int, tuple[int, int]]) -> list[int]:
    """``root`` and its descendants among the processes ``seen``."""
    tree, stack = [], [root]
    while stack:
        pid = stack.pop()
        tree.append(pid)
        stack.extend(child for child, (parent, _ticks) in seen.items() if parent == pid)
    return tree


def memory_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass  # ended meanwhile
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1000)
    parser.add_argument("--per-measure", type=int, default=100)
    parser.add_argument("--memory", type=int, metavar="N", help="peak memory, N projects")
    parser.add_argument("--part-listings", type=int, default=150)
    parser.add_argument("--only-parts", action="store_true", help="skip the one-piece build")
    parser.add_argument("--part-processes", type=int, default=1, help="parts laid out at once")
    parser.add_argument(
        "--chromium", metavar="PATH", help="also print the section with this Chromium"
    )
    options = parser.parse_args()
    setup_django("pdf_bench")
    if options.memory:
        memory(options)
        return

    from io import BytesIO

    from django.core.cache import cache
    from pypdf import PdfReader

    from policies.models import PolicyNode
    from projects import export, printing
    from projects.sections import load_section

    plan, seconds = timed(generate_plan, options.projects, options.per_measure)
    print(f"generated {plan.projects.count()} projects in {seconds:.1f} s")
    # The first policy (its measure and the 100 projects under it).
    policy = PolicyNode.objects.filter(plan=plan, level=1).order_by("tree_id", "lft").first()
    print(f"{'section':<28}{'listings':>9}{'HTML s':>9}{'PDF s':>8}{'pages':>7}{'MB':>7}")
    for label, node in ((f"{options.per_measure}-project section", policy), ("whole plan", None)):
        cache.clear()
        job = printing.PdfJob(
            plan.pk, node.pk if node else None, False, "ja", "http://bench/", plan.slug
        )
        section = load_section(plan, node, printing._published, with_texts=True)
        _, html_seconds = timed(printing.render_print_html, section, for_pdf=True, is_preview=False)
        pdf, pdf_seconds = timed(printing.build_pdf, job)
        pages = len(PdfReader(BytesIO(pdf)).pages)
        print(
            f"{label:<28}{section.listing_count:>9}{html_seconds:>9.2f}{pdf_seconds:>8.1f}"
            f"{pages:>7}{len(pdf) / 1e6:>7.2f}"
        )
    section = export.LayoutSection(plan, None, printing._published)
    for name, writer in (
        ("CSV", export.to_csv),
        ("Excel", export.to_xlsx),
        ("JSON", export.to_json),
    ):
        data, seconds = timed(writer, section)
        print(f"export {name:<6} whole plan: {seconds:.2f} s, {len(data) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
