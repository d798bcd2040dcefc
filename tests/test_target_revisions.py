"""Revised targets (目標変更): the printed target stays, the revision is shown beside it."""

import csv
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from policies.models import Plan
from projects import export
from projects.models import Project, TargetRevision, YearlyTarget
from projects.plan_import import import_plan
from projects.sections import load_section
from projects.target_table import CellKind
from tests.admin_forms import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def voting():
    """2011年度 printed, merged over 2012–2013; 2014年度以降 事業推進."""
    return Project.objects.get(plan__slug="kawasaki-2011", name="住民投票制度運営事業")


def revise(project, fiscal_year, text, decided_in, reason, **fields):
    revision = TargetRevision(
        project=project,
        fiscal_year=fiscal_year,
        text=text,
        decided_in=decided_in,
        reason=reason,
        **fields,
    )
    revision.full_clean()
    revision.save()
    return revision


def test_a_revision_of_a_merged_year_sits_in_the_merged_cell_and_the_print_stays(voting):
    printed = {t.pk: t.text for t in YearlyTarget.objects.filter(project=voting)}
    revise(voting, 2013, "制度の見直し案の検討", 2012, "条例改正の議論を受けて")
    revise(voting, 2013, "見直し案の市民意見聴取", 2013, "検討の進捗に合わせて")
    (row,) = Project.objects.get(pk=voting.pk).target_rows()
    first = row[0]
    assert first.kind is CellKind.TEXT and first.span == 3
    assert [(r.text, r.decided_in) for r in first.revisions] == [
        ("制度の見直し案の検討", 2012),
        ("見直し案の市民意見聴取", 2013),
    ]
    assert row[-1].revisions == ()
    assert {t.pk: t.text for t in YearlyTarget.objects.filter(project=voting)} == printed
    assert voting.target_revisions.count() == 2  # both decisions are kept


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"fiscal_year": 2016}, "fiscal_year", "目標の年度は計画期間（2011～2013年度）か"),
        ({"decided_in": 2009}, "decided_in", "変更を決めた年度は計画期間"),
        ({"reason": "  "}, "reason", "変更の理由を入れてください。"),
        ({"text": " "}, "text", "変更後の内容・目標を入れてください。"),
    ],
)
def test_a_bad_revision_says_what_is_wrong(voting, fields, field, message):
    values = {"fiscal_year": 2012, "text": "新しい目標", "decided_in": 2012, "reason": "理由"}
    with pytest.raises(ValidationError) as error:
        revise(voting, **{**values, **fields})
    assert any(message in text for text in error.value.message_dict[field])
    assert not voting.target_revisions.exists()


def test_the_project_page_shows_the_original_and_the_revision_with_year_and_reason(client, voting):
    revise(voting, 2012, "制度の見直し案の検討", 2012, "条例改正の議論を受けて")
    page = client.get(voting.get_absolute_url()).content.decode()
    original = YearlyTarget.objects.get(project=voting, fiscal_year=2011).text
    assert original.splitlines()[0] in page
    assert "当初の目標" in page and "目標変更" in page
    assert "2012年度：" in page and "制度の見直し案の検討" in page
    assert "平成24年度 (2012)に変更" in page and "条例改正の議論を受けて" in page


def test_the_admin_records_a_revision_inline_on_the_project(admin_client, voting):
    url = reverse("admin:projects_project_change", args=[voting.pk])
    data = form_data(admin_client.get(url))
    data.update(
        {
            "target_revisions-TOTAL_FORMS": "1",
            "target_revisions-0-line": "0",
            "target_revisions-0-fiscal_year": "2013",
            "target_revisions-0-text": "見直し案の検討",
            "target_revisions-0-decided_in": "2014",
            "target_revisions-0-reason": "議会の附帯決議",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200  # 2014 is no year of the plan: refused
    assert not voting.target_revisions.exists()
    data["target_revisions-0-decided_in"] = "2012"
    assert admin_client.post(url, data).status_code == 302
    revision = voting.target_revisions.get()
    assert (revision.fiscal_year, revision.decided_in) == (2013, 2012)
    assert revision.history.count() == 1


def test_exports_show_revisions_and_an_import_of_the_export_leaves_them(voting):
    revise(voting, 2013, "見直し案の検討", 2012, "条例改正の議論を受けて")
    plan = Plan.objects.get(slug="kawasaki-2011")
    section = load_section(plan, voting.home_node, lambda queryset: queryset)
    content = export.to_csv(export.LayoutSection(plan, voting.home_node, lambda q: q))
    header, *rows = list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    row = next(row for row in rows if row[2] == voting.name)
    assert header[-3:] == ["結合セル", "目標変更", "版"]
    assert row[-2] == "2013年度：見直し案の検討（2012年度に変更。理由：条例改正の議論を受けて）"
    tree = json.loads(export.to_tree_json(section))
    (item,) = [p for p in tree["nodes"][0]["projects"] if p["name"] == voting.name]
    assert item["target_lines"][0][0]["revisions"] == [
        {
            "fiscal_year": 2013,
            "after_period": False,
            "text": "見直し案の検討",
            "decided_in": 2012,
            "reason": "条例改正の議論を受けて",
        }
    ]
    report = import_plan(plan=plan, file_name="export.csv", content=content)
    assert (report.created, report.updated) == ([], [])
    assert voting.target_revisions.count() == 1
    assert export.to_csv(export.LayoutSection(plan, voting.home_node, lambda q: q)) == content


def test_search_finds_a_project_by_its_revised_target(client, voting):
    assert voting.name not in client.get("/search/?q=見直し案の市民意見聴取").content.decode()
    revise(voting, 2013, "見直し案の市民意見聴取", 2013, "検討の進捗に合わせて")
    assert voting.name in client.get("/search/?q=見直し案の市民意見聴取").content.decode()
