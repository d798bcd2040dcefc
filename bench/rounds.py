"""Benchmark: an evaluation round over 1,000 projects.

    .venv/bin/python bench/rounds.py [--projects 1000]

Builds a throwaway SQLite database in bench/out/ (git-ignored) with the plan of
``bench/pdf_bench.py`` (seed 001's target tables, 100 projects per measure),
its projects spread over bureaus of 200, 200, 200, 200, 150 and 50 projects,
then times: opening the round; a bureau's grid of 200 rows (and of 50, to show
that the queries do not grow with the rows); saving 200 changed rows in one
submit; planning's dashboard; and the Excel round trip of all 1,000 rows
(download, preview of the upload, confirm). The figures go into the README.
"""

from __future__ import annotations

import datetime
import io
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.django_setup import OUT  # noqa: E402
from bench.pdf_bench import generate_plan, timed  # noqa: E402

BUREAU_SIZES = [200, 200, 200, 200, 150, 50]


def setup_django() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    database = OUT / "rounds_bench.sqlite3"
    database.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    os.environ["CACHE_DIR"] = str(OUT / "cache")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ["HTTPS_ONLY"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "planportal.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    # Pages render {% static %} without collectstatic, as in the tests.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }

    call_command("migrate", verbosity=0)
    call_command("setup_staff_roles", verbosity=0)


def staff(username, role, **scope):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from policies.models import StaffScope

    user = get_user_model().objects.create_user(username, password=None, is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    if scope:
        StaffScope.objects.create(user=user, **scope)
    return user


def measured(function, *args, **kwargs):
    """(result, wall seconds, CPU seconds of this process): on a busy machine the CPU
    time says what the work costs, the wall time what a user would wait."""
    cpu = time.process_time()
    result, seconds = timed(function, *args, **kwargs)
    return result, seconds, time.process_time() - cpu


def get(client, url):
    """(wall seconds, CPU seconds, queries, response) of one GET."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response, seconds, cpu = measured(client.get, url)
    assert response.status_code == 200, (url, response.status_code)
    return seconds, cpu, len(queries.captured_queries), response


def main() -> None:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--projects", type=int, default=1000)
    options = parser.parse_args()
    setup_django()

    from django.test import Client
    from django.urls import reverse
    from openpyxl import load_workbook

    from planportal.permissions import BUREAU_EDITORS, PLAN_ADMINS
    from policies.models import Bureau
    from projects.models import Project
    from rounds import exchange
    from rounds.models import Round

    plan, seconds = timed(generate_plan, options.projects, 100)
    print(f"generated {plan.projects.count()} projects in {seconds:.1f} s")
    projects = list(plan.projects.order_by("pk").values_list("pk", flat=True))
    bureaus, start = [], 0
    for number, size in enumerate(BUREAU_SIZES, start=1):
        bureau = Bureau.objects.create(municipality=plan.municipality, name=f"第{number}局")
        Project.objects.filter(pk__in=projects[start : start + size]).update(bureau=bureau)
        bureaus.append(bureau)
        start += size
    planner = staff("planner", PLAN_ADMINS)
    editor = staff("editor-200", BUREAU_EDITORS, bureau=bureaus[0])
    small = staff("editor-50", BUREAU_EDITORS, bureau=bureaus[-1])

    from rounds.services import open_round

    round = Round(plan=plan, fiscal_year=2012, deadline=datetime.date.today())
    opened, seconds, cpu = measured(open_round, round, user=planner)
    print(f"open the round: {opened.tasks} tasks in {seconds:.2f} s (CPU {cpu:.2f} s)")

    clients = {}
    for user in (planner, editor, small):
        clients[user] = Client()
        clients[user].force_login(user)
    grid = reverse("admin:rounds_round_tasks", args=[round.pk])
    for user, label in ((editor, "200 rows"), (small, "50 rows")):
        get(clients[user], grid)  # warm: session, permissions
        seconds, cpu, queries, response = get(clients[user], grid)
        print(
            f"grid {label}: {seconds:.2f} s (CPU {cpu:.2f} s), {queries} queries, "
            f"{len(response.content) / 1e3:.0f} kB"
        )

    # Save 200 changed rows in one submit, as the grid posts them.
    achievement = plan.yearly_criteria()[0]  # 達成度
    achieved = achievement.levels.get(code="3")
    fields = ["actual", "comment", *(f"c{c.pk}" for c in plan.yearly_criteria())]
    data = {"row": [], "action": "save"}
    for task in round.tasks.filter(project__bureau=bureaus[0]):
        prefix = f"t{task.pk}"
        data["row"].append(str(task.pk))
        data[f"{prefix}-version"] = str(task.version)
        for name in fields:
            data[f"{prefix}-{name}"] = data[f"initial-{prefix}-{name}"] = ""
        data[f"{prefix}-actual"] = "計画どおり実施した。"
        data[f"{prefix}-c{achievement.pk}"] = str(achieved.pk)
    response, seconds, cpu = measured(clients[editor].post, grid, data)
    assert response.status_code == 302, response.status_code
    print(f"grid save of 200 changed rows: {seconds:.2f} s (CPU {cpu:.2f} s)")

    dashboard = reverse("admin:rounds_round_dashboard", args=[round.pk])
    get(clients[planner], dashboard)
    seconds, cpu, queries, _ = get(clients[planner], dashboard)
    print(f"dashboard: {seconds:.2f} s (CPU {cpu:.2f} s), {queries} queries")

    content, seconds, cpu = measured(exchange.task_workbook, round, round.tasks.all(), user=planner)
    print(
        f"workbook of {round.tasks.count()} rows: {seconds:.2f} s (CPU {cpu:.2f} s), "
        f"{len(content) / 1e3:.0f} kB"
    )
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook["評価"]
    for row in range(2, sheet.max_row + 1):
        sheet[f"F{row}"] = f"実績（Excel）{row}"
        sheet[f"G{row}"] = "3 目標をほぼ達成"
        sheet[f"H{row}"] = "C"
    buffer = io.BytesIO()
    workbook.save(buffer)
    report, seconds, cpu = measured(exchange.read_workbook, round, buffer.getvalue(), user=planner)
    print(
        f"upload preview of {report.rows} rows ({len(report.changes)} changed): "
        f"{seconds:.2f} s (CPU {cpu:.2f} s)"
    )
    count, seconds, cpu = measured(exchange.apply_changes, report, user=planner)
    print(f"upload confirm, {count} rows written: {seconds:.2f} s (CPU {cpu:.2f} s)")


if __name__ == "__main__":
    started = time.perf_counter()
    main()
    print(f"total {time.perf_counter() - started:.0f} s")
