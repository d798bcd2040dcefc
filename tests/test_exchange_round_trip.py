"""Seed 001 through the importer, and export → import → export without change."""

import csv
import io

import pytest
from django.core.management import call_command

from policies.models import Division, Plan
from projects import export
from projects.models import Project
from projects.plan_import import import_plan
from projects.sections import load_section
from tests.exchange import empty_copy_of_seed_001, plan_snapshot, seed_001_table_files


def everything(queryset):
    return queryset


@pytest.fixture
def seeded(db):
    return Plan.objects.get(slug="kawasaki-2011")


def test_seed_001_is_reproduced_by_importing_its_printed_tables(seeded, tmp_path):
    copy = empty_copy_of_seed_001("kawasaki-2011-imported")
    files = seed_001_table_files()
    assert len(files) >= 10
    for number, (measure, tables) in enumerate(files):
        path = tmp_path / f"measure-{number}.tsv"
        path.write_text(tables, encoding="utf-8")
        call_command(
            "import_plan", str(path), plan=copy.slug, under=measure, publish=True, verbosity=0
        )
    expected = plan_snapshot(seeded, with_home_note=False, with_responsibility=False)
    assert plan_snapshot(copy, with_home_note=False, with_responsibility=False) == expected
    # The projects whose home lies outside the document say so.
    assert all(project["home"] or project["home_note"] for project in expected.values())
    # The printed tables have no 所管局, 所管課 or 区 columns (the seed loader reads
    # the wards from the text): the importer sets none.
    assert not copy.projects.filter(bureau__isnull=False).exists()
    assert not copy.projects.filter(wards__isnull=False).exists()


def test_importing_the_seed_tables_again_changes_nothing(seeded, tmp_path):
    """Nor does it touch the bureau and wards of the seed's projects: the tables have none."""
    before = plan_snapshot(seeded)
    assert any(project["wards"] for project in before.values())
    assert any(project["bureau"] for project in before.values())
    for number, (measure, tables) in enumerate(seed_001_table_files()):
        path = tmp_path / f"measure-{number}.tsv"
        path.write_text(tables, encoding="utf-8")
        call_command("import_plan", str(path), plan=seeded.slug, under=measure, verbosity=0)
    assert plan_snapshot(seeded) == before


@pytest.mark.parametrize(("fmt", "name"), [("csv", "plan.csv"), ("xlsx", "plan.xlsx")])
def test_export_import_export_round_trips_without_change(seeded, fmt, name):
    """Bureaus, sections and wards included."""
    cals = Project.objects.get(plan=seeded, name="CALS/EC整備推進事業(まちづくり局)")
    cals.division = Division.objects.create(bureau=cals.bureau, name="技術監理課")
    cals.save()
    writer = export.to_csv if fmt == "csv" else export.to_xlsx
    exported = writer(load_section(seeded, None, everything))
    before = plan_snapshot(seeded)
    assert before[(cals.name, False)]["division"] == "技術監理課"
    assert [key for key, project in before.items() if len(project["wards"]) > 1]

    # Into the same plan: nothing changes.
    report = import_plan(plan=seeded, file_name=name, content=exported)
    assert (report.created, report.updated, report.new_listings) == ([], [], [])
    homes = [key for key, project in before.items() if project["home"]]
    assert sorted((p.name, p.each_ward) for p in report.unchanged) == sorted(homes)
    assert plan_snapshot(seeded) == before

    # Into an empty copy of the tree: the same projects, targets and listings.
    copy = empty_copy_of_seed_001("kawasaki-2011-copy")
    report = import_plan(plan=copy, file_name=name, content=exported, publish=True)
    assert (report.new_bureaus, report.new_divisions) == ([], [])  # the city has them
    assert plan_snapshot(copy, with_home_note=False) == plan_snapshot(seeded, with_home_note=False)
    # And its export is the same file, cell for cell, but for the projects' versions.
    again = export.to_csv(load_section(copy, None, everything))
    assert without_versions(again) == without_versions(
        export.to_csv(load_section(seeded, None, everything))
    )


def without_versions(content: bytes) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert rows[0][-1] == "版"
    return [row[:-1] for row in rows]
