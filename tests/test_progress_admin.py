"""Staff record a year's results and indicator values in the admin, with validation."""

import pytest
from django.urls import reverse

from policies.models import Indicator, PolicyNode
from projects.models import EvaluationValue, Project, ProjectResult
from schedule.models import Milestone
from tests.admin_forms import form_data
from tests.evaluations import level_of

pytestmark = pytest.mark.django_db


def project_form(admin_client, project):
    url = reverse("admin:projects_project_change", args=[project.pk])
    response = admin_client.get(url)
    assert response.status_code == 200
    return url, response, form_data(response)


def add_result(data, prefix="results", **fields):
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = str(index + 1)
    for name, value in fields.items():
        data[f"{prefix}-{index}-{name}"] = value
    return data


def test_a_planner_records_a_years_result_on_the_project(admin_client):
    project = Project.objects.get(plan__slug="kawasaki-2011", name="地域情報化推進事業")
    url, response, data = project_form(admin_client, project)
    html = response.content.decode()
    # Only the plan's years are offered, in both calendars; only its scheme's criteria.
    assert '<option value="2011">平成23年度 (2011)</option>' in html
    assert '<option value="2014">' not in html
    assert "3ヵ年の事業目標に対する達成度" in html  # Kawasaki 2011's scheme
    three = level_of(project.plan, "3")
    add_result(data, fiscal_year="2012", actual="地域ポータルを運営した", status="published")
    add_result(
        data,
        "evaluation_values",
        criterion=str(three.criterion_id),
        fiscal_year="2012",
        level=str(three.pk),
        explanation="計画どおり",
        status="published",
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, [
        formset.formset.errors for formset in response.context["inline_admin_formsets"]
    ]
    result = ProjectResult.objects.get(project=project)
    assert (result.fiscal_year, result.actual) == (2012, "地域ポータルを運営した")
    value = EvaluationValue.objects.get(project=project)
    assert (value.fiscal_year, value.level, value.explanation) == (2012, three, "計画どおり")
    page = admin_client.get(project.get_absolute_url()).content.decode()
    assert "地域ポータルを運営した" in page
    assert '<span class="level-code">3</span>目標をほぼ達成' in page


def test_a_result_outside_the_plan_or_twice_a_year_changes_nothing(admin_client):
    project = Project.objects.get(plan__slug="kawasaki-2011", name="地域情報化推進事業")
    url, _response, data = project_form(admin_client, project)
    add_result(data, fiscal_year="2014", actual="計画期間の後")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert not ProjectResult.objects.filter(project=project).exists()
    url, _response, data = project_form(admin_client, project)
    add_result(data, fiscal_year="2012", actual="一つ目")
    add_result(data, fiscal_year="2012", actual="二つ目")
    assert admin_client.post(url, data).status_code == 200
    assert not ProjectResult.objects.filter(project=project).exists()


def test_a_planner_records_indicator_values_with_numbers_only(admin_client):
    node = PolicyNode.objects.get(
        plan__slug="kawasaki-2011", title="区における地域のまちづくりの推進"
    )
    indicator = Indicator.objects.create(node=node, name="認知度", unit="%")
    url = reverse("admin:policies_indicator_change", args=[indicator.pk])
    data = form_data(admin_client.get(url))
    data.update(
        {"values-0-fiscal_year": "2012", "values-0-target": "30", "values-0-actual": "多い"}
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200 and not indicator.values.exists()
    data["values-0-actual"] = "29.5"
    assert admin_client.post(url, data).status_code == 302
    value = indicator.values.get()
    assert (value.fiscal_year, str(value.target), str(value.actual)) == (2012, "30.0000", "29.5000")


def test_milestone_admin_refuses_a_date_the_documents_would_not_write(admin_client):
    milestone = Milestone.objects.filter(plan__slug="kawasaki").order_by("pk").first()
    url = reverse("admin:schedule_milestone_change", args=[milestone.pk])
    data = form_data(admin_client.get(url))
    data["when"] = "4月末"
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "時期は年度の中の月で" in response.content.decode()
    milestone.refresh_from_db()
    assert milestone.when == "4月中旬"
    data["when"] = "4月20日"
    data["progress"] = "done"
    assert admin_client.post(url, data).status_code == 302
    milestone.refresh_from_db()
    assert (milestone.when, milestone.progress, str(milestone.starts_on)) == (
        "4月20日",
        "done",
        "2021-04-20",
    )


def test_indicator_values_outside_the_plan_are_refused_on_add_as_on_change(admin_client):
    """While the indicator is being added its rows belong to no saved indicator yet:
    they are checked against the plan of the node chosen on the same form."""
    node = PolicyNode.objects.get(
        plan__slug="kawasaki-2011", title="区における地域のまちづくりの推進"
    )
    url = reverse("admin:policies_indicator_add")
    data = form_data(admin_client.get(url))
    data.update(node=str(node.pk), name="認知度", unit="%")
    # After the plan a year may hold a target only (a 2030 goal), never an actual.
    data.update({"values-0-fiscal_year": "2030", "values-0-actual_text": "30"})
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "計画期間（2011～2013年度）より後の年度には、目標だけを入れられます。" in (
        response.content.decode()
    )
    assert not Indicator.objects.filter(name="認知度").exists()
    data.update({"values-0-actual_text": "", "values-0-target": "30"})
    data["values-0-fiscal_year"] = "2012"
    assert admin_client.post(url, data).status_code == 302
    assert Indicator.objects.get(name="認知度").values.get().fiscal_year == 2012


def test_results_of_a_project_being_added_are_checked_against_its_plan(admin_client):
    plan = Project.objects.get(name="地域情報化推進事業").plan
    url = reverse("admin:projects_project_add")
    data = form_data(admin_client.get(url, {"plan": plan.pk}))
    data.update(plan=str(plan.pk), name="新しい事業")
    add_result(data, fiscal_year="2030", actual="計画期間の後")
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "年度は計画期間（2011～2013年度）の中にしてください。" in response.content.decode()
    assert not Project.objects.filter(name="新しい事業").exists()
    data = form_data(admin_client.get(url, {"plan": plan.pk}))
    data.update(plan=str(plan.pk), name="新しい事業", **{"targets-TOTAL_FORMS": "1"})
    data.update({"targets-0-line": "0", "targets-0-fiscal_year": "2030", "targets-0-text": "実施"})
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "年度は計画期間（2011～2013年度）か" in response.content.decode()
    assert not Project.objects.filter(name="新しい事業").exists()
