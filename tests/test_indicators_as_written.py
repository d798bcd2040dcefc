"""Indicators as cities write them: text targets, dated baselines, 2030 goals, project
indicators, 市民の実感指標, compound indicators; charts draw only the numbers."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from planportal.permissions import BUREAU_EDITORS
from planportal.publication import PublicationStatus
from policies.indicator_text import Condition, Reading, read_quantity
from policies.models import Bureau, Indicator, IndicatorValue, PolicyNode
from projects.models import Project
from tests.admin_forms import form_data

PUBLISHED = PublicationStatus.PUBLISHED
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "reading"),
    [
        ("80%以上", Reading(Decimal(80), Condition.AT_LEAST)),
        ("８０％以上", Reading(Decimal(80), Condition.AT_LEAST)),
        ("1,200人", Reading(Decimal(1200), Condition.EXACT)),
        ("約3万人", Reading(Decimal(30000), Condition.EXACT)),
        ("45.2 %", Reading(Decimal("45.2"), Condition.EXACT)),
        ("10件未満", Reading(Decimal(10), Condition.BELOW)),
        ("継続実施", Reading(None, Condition.EXACT)),
        ("増加", Reading(None, Condition.EXACT)),
        ("現状値以上", Reading(None, Condition.AT_LEAST)),
        ("2030年度までに80%", Reading(None, Condition.EXACT)),
        ("", Reading(None, Condition.EXACT)),
    ],
)
def test_a_number_is_read_only_where_the_whole_text_is_one_quantity(text, reading):
    assert read_quantity(text) == reading


@pytest.fixture
def node():
    return PolicyNode.objects.get(
        plan__slug="kawasaki-2011", title="区における地域のまちづくりの推進"
    )


@pytest.fixture
def project():
    return Project.objects.get(plan__slug="kawasaki-2011", name="住民投票制度運営事業")


def indicator(owner=None, **fields):
    fields.setdefault("status", PUBLISHED)
    if isinstance(owner, Project):
        fields["project"] = owner
    elif owner is not None:
        fields["node"] = owner
    item = Indicator(**{"name": "地域活動への参加率", "unit": "%", **fields})
    item.full_clean()
    item.save()
    return item


def value(item, fiscal_year, **fields):
    entry = IndicatorValue(indicator=item, fiscal_year=fiscal_year, **fields)
    entry.full_clean()
    entry.save()
    return entry


def test_text_targets_keep_their_words_and_give_a_number_where_there_is_one(node):
    item = indicator(node, baseline_text="32.5%", baseline_label="計画策定時")
    assert item.baseline_value == Decimal("32.5") and item.baseline_when == "計画策定時"
    continued = value(item, 2011, target_text="継続実施")
    assert (continued.target, continued.target_written) == (None, "継続実施")
    eighty = value(item, 2012, target_text="80%以上", actual_text="78.4%")
    assert (eighty.target, eighty.target_condition, eighty.actual) == (
        Decimal(80),
        "at_least",
        Decimal("78.4"),
    )
    typed = value(item, 2013, target=Decimal(85), target_condition="at_least")
    assert typed.target_written == "85以上"
    eighty.target_text, eighty.actual_text = "増加", "80.1%"  # the text is the truth
    eighty.full_clean()
    assert (eighty.target, eighty.target_condition, eighty.actual) == (None, "", Decimal("80.1"))


def test_a_goal_after_the_plan_is_a_target_only_and_years_before_it_are_refused(node):
    item = indicator(node)
    goal = value(item, 2030, target_text="90%")
    assert goal.target == Decimal(90)
    with pytest.raises(ValidationError) as error:
        value(item, 2016, target_text="90%", actual_text="70%")
    assert "計画期間（2011～2013年度）より後の年度には、目標だけを入れられます。" in str(
        error.value
    )
    with pytest.raises(ValidationError) as error:
        value(item, 2009, actual_text="30%")
    assert "計画の最初の年度（2011年度）以降" in str(error.value)
    with pytest.raises(ValidationError) as error:
        value(item, 2012)
    assert "目標か実績の少なくとも一方を入れてください。" in str(error.value)
    assert list(item.values.values_list("fiscal_year", flat=True)) == [2030]


@pytest.mark.parametrize(
    ("owners", "fields", "field", "message"),
    [
        ("both", {}, "node", "項目か事業のどちらか一方を選んでください。"),
        ("none", {}, "node", "項目か事業のどちらか一方を選んでください。"),
        ("project", {"kind": "perception"}, "kind", "市民の実感指標は政策などの項目に付けて"),
        ("node", {"baseline_text": "32%"}, "baseline_year", "年度か時点の表記"),
        ("node", {"baseline_label": "計画策定時"}, "baseline_year", "時点だけでは入れられません"),
    ],
)
def test_a_badly_placed_or_undated_indicator_says_what_is_wrong(
    node, project, owners, fields, field, message
):
    owner_fields = {
        "both": {"node": node, "project": project},
        "none": {},
        "project": {"project": project},
        "node": {"node": node},
    }[owners]
    item = Indicator(name="指標", **owner_fields, **fields)
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert any(message in text for text in error.value.message_dict[field])


def test_the_database_holds_an_indicator_on_exactly_one_owner(node, project):
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(name="両方", node=node, project=project)
    with pytest.raises(IntegrityError), transaction.atomic():
        Indicator.objects.create(name="どちらもなし")


def test_a_compound_indicator_has_parts_one_level_deep_on_the_same_owner(node, project):
    whole = indicator(node, name="地域活動の担い手")
    part = indicator(node, name="自治会加入率", part_of=whole)
    for bad in (
        Indicator(node=node, name="孫", part_of=part),
        Indicator(project=project, name="別の持ち主", part_of=whole),
    ):
        with pytest.raises(ValidationError) as error:
            bad.full_clean()
        assert "part_of" in error.value.message_dict
    whole.part_of = indicator(node, name="もう一つ")
    with pytest.raises(ValidationError):
        whole.full_clean()


def test_the_data_migration_writes_stored_numbers_as_text_and_keeps_them(node):
    old = Indicator.objects.create(
        node=node, name="旧指標", unit="人", baseline_value=Decimal("1234.5"), baseline_year=2010
    )
    stored = IndicatorValue.objects.create(
        indicator=old, fiscal_year=2012, target=Decimal(30), actual=Decimal("29.5")
    )
    target_only = IndicatorValue.objects.create(indicator=old, fiscal_year=2013, target=40)
    written = IndicatorValue.objects.create(
        indicator=old, fiscal_year=2011, target_text="継続実施", actual_text="実施"
    )
    migration = importlib.import_module("policies.migrations.0008_indicator_values_written")
    migration.write_numbers_as_text(apps, BaseDatabaseSchemaEditor)
    old.refresh_from_db()
    assert (old.baseline_text, old.baseline_value, old.baseline_year) == (
        "1,234.5人",
        Decimal("1234.5"),
        2010,
    )
    values = {v.pk: v for v in IndicatorValue.objects.filter(indicator=old)}
    assert (values[stored.pk].target_text, values[stored.pk].actual_text) == ("30", "29.5")
    assert (values[stored.pk].target, values[stored.pk].actual) == (Decimal(30), Decimal("29.5"))
    assert (values[target_only.pk].target_text, values[target_only.pk].actual_text) == ("40", "")
    assert (values[written.pk].target_text, values[written.pk].actual_text) == ("継続実施", "実施")


def test_the_node_page_draws_the_numbers_and_lists_text_targets(client, node):
    item = indicator(
        node, baseline_text="32.5%", baseline_label="計画策定時", source="市民アンケート"
    )
    value(item, 2011, target_text="継続実施")
    value(item, 2012, target_text="80%以上", actual_text="78.4%")
    value(item, 2030, target_text="90%")
    part = indicator(node, name="自治会加入率", part_of=item)
    value(part, 2012, target_text="増加")
    page = client.get(node.get_absolute_url()).content.decode()
    chart = page[page.index('<figure class="chart">') : page.index("</figure>")]
    assert chart.count('class="marker-target"') == 2 + 1  # 2012 and 2030, and the legend
    assert chart.count('class="marker-actual"') == 1 + 1
    assert "基準値（計画策定時）" in chart
    for text in ("継続実施", "80%以上", "78.4%", "90%", "令和12年度 (2030)", "市民アンケート"):
        assert text in page
    assert "基準値：32.5%（計画策定時）" in page
    assert "自治会加入率" in page and "増加" in page
    assert page.count("<figure") == 1  # the part has no number: no chart


def test_a_project_indicator_shows_on_its_project_page_only_while_it_is_published(client, project):
    item = indicator(project, name="投票制度の周知率", kind="outcome")
    value(item, 2012, target_text="50%")
    assert "投票制度の周知率" in client.get(project.get_absolute_url()).content.decode()
    assert item in Indicator.objects.published()
    Project.objects.filter(pk=project.pk).unpublish()
    assert item not in Indicator.objects.published()
    assert (
        "投票制度の周知率" not in client.get(project.home_node.get_absolute_url()).content.decode()
    )


def count_queries(client, url):
    from django.core.cache import cache
    from django.db import connection

    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries.captured_queries)


def test_indicator_pages_run_the_same_queries_for_one_indicator_or_many(client, node, project):
    first = indicator(node, name="一つ目")
    value(first, 2012, target_text="10")
    own = indicator(project, name="事業の指標")
    value(own, 2012, target_text="10")
    part = indicator(node, name="内訳", part_of=first)
    value(part, 2012, target_text="5")
    counts = [count_queries(client, node.get_absolute_url())]
    counts_project = [count_queries(client, project.get_absolute_url())]
    for number in range(2, 6):
        more = indicator(node, name=f"指標{number}")
        value(more, 2012, target_text=f"{number}0%")
        value(more, 2013, actual_text="増加")
        value(indicator(node, name=f"内訳{number}", part_of=more), 2012, target_text="1")
        value(indicator(project, name=f"事業の指標{number}"), 2013, target_text="継続")
    counts.append(count_queries(client, node.get_absolute_url()))
    counts_project.append(count_queries(client, project.get_absolute_url()))
    assert counts == [13, 13]  # no comment-period query: the plan has no periods
    assert counts_project == [12, 12]


def test_a_bureau_editor_records_indicators_of_their_projects_only(
    admin_client, client_for, make_staff, project
):
    bureau = Bureau.objects.create(municipality=project.plan.municipality, name="市民・こども局")
    Project.objects.filter(pk=project.pk).update(bureau=bureau)
    other = Project.objects.exclude(bureau=bureau).filter(plan=project.plan).first()
    mine, theirs = indicator(project, name="自分の"), indicator(other, name="他局の")
    editor = client_for(make_staff("civic", BUREAU_EDITORS, bureau=bureau))
    for item, status in ((mine, 302), (theirs, 403)):
        url = reverse("admin:policies_indicator_change", args=[item.pk])
        data = form_data(admin_client.get(url))  # the form as an administrator sees it
        data.update({"values-0-fiscal_year": "2012", "values-0-target_text": "継続実施"})
        assert editor.post(url, data).status_code == status, item
    assert mine.values.get().target_text == "継続実施"
    assert not theirs.values.exists()
