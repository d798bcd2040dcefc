"""Seed 001 through the importer, and export → import → export without change."""

import csv
import io

import pytest
from django.core.management import call_command
from django.db.models import Count

from policies.models import Division, Plan
from projects import export
from projects.models import Project
from projects.plan_import import PlanImportError, import_plan
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
    exported = writer(export.LayoutSection(seeded, None, everything))
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
    again = export.to_csv(export.LayoutSection(copy, None, everything))
    assert without_versions(again) == without_versions(
        export.to_csv(export.LayoutSection(seeded, None, everything))
    )


def without_versions(content: bytes) -> list[list[str]]:
    rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    assert rows[0][-1] == "版"
    return [row[:-1] for row in rows]


# --- re-importing an unchanged export writes nothing ---------------------------------

EXPORTERS = {"csv": export.to_csv, "xlsx": export.to_xlsx, "json": export.to_json}


def database_dump() -> str:
    """Every table, history included, as dumpdata writes it."""
    out = io.StringIO()
    call_command("dumpdata", format="json", indent=0, stdout=out)
    return out.getvalue()


def sections_of_every_demo_plan():
    """Each demo plan whole, and one node of it: the node with the most listings."""
    for plan in Plan.objects.order_by("pk"):
        node = (
            plan.nodes.annotate(count=Count("listings"))
            .order_by("-count", "tree_id", "lft")
            .first()
        )
        yield plan, None
        if node is not None:
            yield plan, node


def reimport_every_export(**options) -> list[str]:
    """Import every export format of every section into its own plan; the problems met."""
    problems = []
    for plan, node in sections_of_every_demo_plan():
        section = export.LayoutSection(plan, node, everything)
        files = {fmt: writer(section) for fmt, writer in EXPORTERS.items()}
        files["tree.json"] = export.to_tree_json(load_section(plan, node, everything))
        for fmt, content in files.items():
            try:
                report = import_plan(
                    plan=plan, file_name=f"export.{fmt}", content=content, **options
                )
            except PlanImportError as error:
                problems.extend(problem.message for problem in error.problems)
            else:
                assert not report.changes_anything, (plan.slug, node, fmt)
                assert report.file_format == fmt
    return problems


def test_reimporting_every_unchanged_export_leaves_the_database_byte_for_byte_equal(seeded):
    before = database_dump()
    problems = reimport_every_export()
    assert database_dump() == before
    # Sections without projects have nothing to import; the JSON tree is not an import
    # format and says so once, plainly.
    assert set(problems) == {
        "事業の行がありません。",
        "JSON（体系）は取り込めません。事業の表を取り込むには、このポータルの"
        "「JSON」（事業の行）、CSV か Excel で書き出したファイルを使ってください。",
    }


def test_an_unchanged_export_of_a_plan_staff_have_edited_writes_nothing(seeded, superuser):
    """Texts saved through a browser (CRLF, trailing spaces), a name with tag-like
    text, listings whose positions have gaps and a target table whose lines do."""
    project = Project.objects.get(plan=seeded, name="自治拡充推進事業")
    project.baseline = project.baseline.replace("\n", "\r\n") + "  \r\n"
    project.summary = "<SDGs>の視点で " + project.summary
    project.save()
    renamed = Project.objects.get(plan=seeded, name="住民投票制度運営事業")
    renamed.name = "<SDGs>住民投票制度運営事業"
    renamed.save()
    measure = project.home_node
    listings = list(measure.listings.order_by("position"))
    listings[1].delete()
    for listing in listings[2:]:
        listing.position += 5
        listing.save()
    several = Project.objects.get(plan=seeded, name="地域情報化推進事業")
    several.targets.filter(line=1).update(line=7)
    before = database_dump()
    for fmt, writer in EXPORTERS.items():
        content = writer(export.LayoutSection(seeded, None, everything))
        report = import_plan(plan=seeded, file_name=f"plan.{fmt}", content=content, user=superuser)
        assert not report.changes_anything, fmt
        assert database_dump() == before, fmt
