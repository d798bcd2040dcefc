"""Benchmark: the exports of the generated 20,000-project plan (bench.generate_plan).

    .venv/bin/python bench/export_bench.py [--projects 20000] [--reuse]
    DATABASE_URL=postgres://… .venv/bin/python bench/export_bench.py --reuse

Without DATABASE_URL it builds a throwaway SQLite database in bench/out/ (git-ignored;
--reuse keeps the one a previous run built); with it, it uses that database and
generates the plan there unless it already holds it. It then requests each export of
the whole plan as a citizen would (through the URL, the page cache off) and prints the
time to the first byte, the total time, the queries and the size. The figures go into
the README. Nothing else should be busy.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT))


def setup_django(reuse: bool) -> None:
    if "DATABASE_URL" not in os.environ:
        OUT.mkdir(parents=True, exist_ok=True)
        database = OUT / "export_bench.sqlite3"
        if not reuse:
            database.unlink(missing_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ["PAGE_CACHE"] = "0"
    os.environ["HTTPS_ONLY"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planportal.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=20_000)
    parser.add_argument("--reuse", action="store_true")
    options = parser.parse_args()
    setup_django(options.reuse)

    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.generate_plan import generate_plan
    from policies.models import Municipality, Plan

    slug = f"bench-{options.projects}"
    if not Plan.objects.filter(slug=slug).exists():
        Municipality.objects.get_or_create(slug="kawasaki", defaults={"name": "川崎市"})
        started = time.perf_counter()
        generate_plan(options.projects, slug)
        print(f"generated {options.projects} projects in {time.perf_counter() - started:.1f} s")
    client = Client(HTTP_HOST="testserver")
    print(f"{'export':<8}{'first byte s':>13}{'total s':>9}{'queries':>9}{'MB':>8}")
    for fmt in ("csv", "json", "xlsx", "tree"):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/plans/{slug}/export/{fmt}/")
            assert response.status_code == 200, response.status_code
            if response.streaming:
                pieces = iter(response.streaming_content)
                first = next(pieces)
                first_byte = time.perf_counter() - started
                size = len(first) + sum(len(piece) for piece in pieces)
            else:
                first_byte, size = None, len(response.content)
        total = time.perf_counter() - started
        shown = f"{first_byte:.2f}" if first_byte is not None else "-"
        print(
            f"{fmt:<8}{shown:>13}{total:>9.2f}{len(queries.captured_queries):>9}{size / 1e6:>8.2f}"
        )


if __name__ == "__main__":
    main()
