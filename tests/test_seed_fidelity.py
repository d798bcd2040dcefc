"""Every project, listing and yearly target of seed 001 is in the database.

The test reads 001 on its own, with plain string handling (not the portal's
parser): a table header starts a table, a tab-separated line is a row, the
first cell names the project. Cell texts are compared with all white space and
markup removed, so the check does not depend on how the portal splits lines.
"""

import re

import pytest
from django.conf import settings

from policies.models import Plan
from projects.models import Project, ProjectListing

SEED = settings.SEED_DOCUMENTS_DIR / "001_6a8f268f0c523767.txt"
TAG = re.compile(r"<[^>]+>")


def squash(text: str) -> str:
    return re.sub(r"\s+", "", TAG.sub("", text))


def printed_name(first_cell: str, form: str) -> str:
    first_cell = first_cell.strip()
    bold = re.match(r"<b>(.*?)</b>", first_cell)
    paragraph = re.match(r"<p>(.*?)</p>", first_cell)
    if form == "short":
        return TAG.sub("", first_cell).strip()
    if bold or paragraph:
        return (bold or paragraph)[1].strip()
    return first_cell.split()[0]


def seed_rows():
    """(form, printed name, first cell, other cells, continuation lines) per printed row."""
    rows, form = [], None
    for line in SEED.read_text(encoding="utf-8").splitlines():
        if line.startswith("事業名\t現状"):
            form = "yearly"
        elif line.startswith("事業名\t事業概要"):
            form = "short"
        elif line.startswith("\t\t2011年度"):
            continue
        elif "\t" in line and form:
            cells = line.split("\t")
            if not cells[0].strip():
                rows[-1]["more"].append(cells[2:])
            else:
                rows.append(
                    {"form": form, "name": printed_name(cells[0], form), "cells": cells, "more": []}
                )
        elif line.strip():
            form = None
    return rows


def key(name: str) -> tuple[str, bool]:
    name = name.replace("(再掲)", "")
    return (name.replace("(各区)", ""), name.endswith("(各区)"))


@pytest.fixture
def plan(db):
    return Plan.objects.get(slug="kawasaki-2011")


def test_seed_has_the_counts_the_issue_names(plan):
    rows = seed_rows()
    assert len(rows) == 81
    assert len({key(row["name"]) for row in rows}) == 67
    assert plan.projects.count() == 67
    assert ProjectListing.objects.filter(project__plan=plan).count() == 81


def test_every_listing_is_there_and_relistings_are_links_not_copies(plan):
    rows = seed_rows()
    for name, each_ward in {key(row["name"]) for row in rows}:
        project = Project.objects.get(plan=plan, name=name, each_ward=each_ward)
        printed = [row for row in rows if key(row["name"]) == (name, each_ward)]
        assert project.listings.count() == len(printed), name
        homes = [row for row in printed if "(再掲)" not in row["name"]]
        if homes:
            assert project.home_node is not None
            assert project.listings.filter(node=project.home_node).exists()
            assert project.home_note == ""
        else:
            assert project.home_node is None
            assert "範囲外" in project.home_note


def test_every_yearly_target_summary_and_baseline_is_there(plan):
    rows = seed_rows()
    columns = [(2011, False), (2012, False), (2013, False), (2014, True)]
    checked = set()
    for row in rows:
        name, each_ward = key(row["name"])
        project = Project.objects.get(plan=plan, name=name, each_ward=each_ward)
        is_home = "(再掲)" not in row["name"]
        if not is_home and (project.home_node is not None or project.pk in checked):
            continue  # the targets come from the home row (or the first 再掲 row)
        checked.add(project.pk)
        cells = row["cells"]
        if row["form"] == "short":
            assert squash(project.summary) == squash(cells[1]), name
            assert squash(project.actions_in_period) == squash(cells[2]), name
            continue
        assert squash(project.summary) == squash(cells[0]).removeprefix(squash(row["name"])), name
        assert squash(project.baseline) == squash(cells[1]), name
        stored = {(t.line, t.fiscal_year, t.after_period): t.text for t in project.targets.all()}
        expected = {}
        for line, texts in enumerate([cells[2:]] + row["more"]):
            for (fiscal_year, after), text in zip(columns, texts, strict=True):
                if squash(text):
                    expected[(line, fiscal_year, after)] = squash(text)
        assert {k: squash(v) for k, v in stored.items()} == expected, name
    assert len(checked) == 67
