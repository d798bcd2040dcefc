"""The citizen pages: content, published-only, caching and a fixed number of queries."""

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.generate_plan import generate_plan
from bench.pages import page_urls
from planportal.publication import PublicationStatus
from policies.models import Plan, PolicyNode
from projects.models import Project

DRAFT = PublicationStatus.DRAFT


def get_text(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_home_lists_the_seed_plans_with_vision_goals_and_ways_in(client, db):
    html = get_text(client, "/")
    for title in (
        "川崎市総合計画",
        "川崎市 実行計画（2011～2013年度）",
        "逗子市総合計画",
        "これからのコミュニティ施策の基本的考え方（素案）",
        "第6次鶴ヶ島市総合計画 後期基本計画",
    ):
        assert title in html
    assert "成長と成熟の調和による持続可能な最幸のまち かわさき" in html
    assert "安心のふるさとづくり（成熟）" in html
    assert "参加と協働による市民自治のまちづくり" in html  # by basic policy
    assert "政策から事業と年度ごとの目標まで読める計画" in html  # what can be read comes first
    assert 'href="/wards/"' in html and 'href="/sdgs/"' in html and 'action="/search/"' in html


def test_node_page_shows_texts_children_and_projects_with_relisting_marked(client, db):
    node = PolicyNode.objects.get(
        plan__slug="kawasaki-2011", title="区における地域のまちづくりの推進"
    )
    html = get_text(client, node.get_absolute_url())
    assert "現状と課題" in html and "計画期間(2011～2013年度)の取組" in html
    assert "安全・安心まちづくり事業(各区)" in html
    assert html.count("再掲</span>") == 6  # 地域コミュニティ推進事業 and five short-form 再掲 rows
    assert "本来の施策：" in html
    assert "Ⅶ-2-(1) 区における地域課題への的確な対応" in html  # breadcrumbs
    parent = node.parent
    html = get_text(client, parent.get_absolute_url())
    assert "区における総合的な子ども支援の推進" in html  # a child


def test_project_page_labels_fiscal_years_in_both_calendars_and_keeps_table_semantics(client, db):
    project = Project.objects.get(name="戸籍住民基本台帳事務")
    html = get_text(client, project.get_absolute_url())
    assert "2012年度" in html and "平成24年度" in html
    assert "2014年度以降" in html and "平成26年度以降" in html
    assert "前年度と同じ" in html  # 2012 is "→"
    merged = Project.objects.get(name="地域情報化推進事業")
    html = get_text(client, merged.get_absolute_url())
    assert 'colspan="3"' in html and "2011年度～2013年度" in html
    relisted = Project.objects.get(name="道路維持補修事業")
    html = get_text(client, relisted.get_absolute_url())
    assert "範囲外" in html  # its home measure is outside the seed, and the page says so


def test_english_pages_translate_fiscal_labels(client, db):
    project = Project.objects.get(name="戸籍住民基本台帳事務")
    html = get_text(client, "/en" + project.get_absolute_url())
    assert '<html lang="en">' in html
    assert "FY2012" in html and "Heisei 24" in html


def test_unknown_urls_get_a_helpful_404(client, db):
    for url in (
        "/no-such-page/",
        "/plans/no-such-plan/",
        "/plans/kawasaki-2011/nodes/999999/",
        "/plans/kawasaki/projects/1/",
        "/sdgs/18/",
        "/wards/kawasaki/no-ward/",
    ):
        response = client.get(url)
        assert response.status_code == 404, url
        assert "ページが見つかりません" in response.content.decode()
        assert 'action="/search/"' in response.content.decode()


def test_drafts_are_hidden_from_citizens_and_previewed_for_staff(client, admin_client, db):
    node = PolicyNode.objects.get(plan__slug="kawasaki-2011", code="Ⅶ-1-(2)")
    child = node.get_children().first()
    project = Project.objects.get(name="地域振興事業")
    PolicyNode.objects.filter(pk=node.pk).unpublish()
    Project.objects.filter(pk=project.pk).unpublish()
    assert client.get(node.get_absolute_url()).status_code == 404
    assert client.get(child.get_absolute_url()).status_code == 404  # below a draft
    assert client.get(project.get_absolute_url()).status_code == 404
    assert "協働のまちづくりの推進" not in get_text(client, "/plans/kawasaki-2011/")
    assert "地域振興事業" not in get_text(client, "/search/?q=地域振興")
    preview = admin_client.get(node.get_absolute_url()).content.decode()
    assert "職員向けプレビュー" in preview and "下書き" in preview


def test_a_draft_plan_is_hidden_everywhere(client, db):
    Plan.objects.filter(slug="zushi").unpublish()
    assert client.get("/plans/zushi/").status_code == 404
    assert "逗子市総合計画" not in get_text(client, "/")
    assert "逗子" not in get_text(client, "/search/?q=協働のまちづくり")


def test_pages_are_cached_and_a_staff_save_refreshes_them(client, db, django_assert_num_queries):
    node = PolicyNode.objects.get(plan__slug="kawasaki-2011", code="Ⅶ-1")
    url = node.get_absolute_url()
    get_text(client, url)
    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200
    node.title = "自治と協働のしくみをつくる（改）"
    node.save()
    assert "自治と協働のしくみをつくる（改）" in get_text(client, url)


# --- a fixed number of queries, whatever the plan's size --------------------

# Each count includes one query for the comment periods' opening and closing
# instants (part of the page-cache key, read once per content version); node
# and project pages one for the projects due an evaluation (未評価, rounds) and
# one for the evaluation values (the criteria are read only when there are results,
# values or a node's own values to show, a node's or project's tags and indicators only
# when it has some; a node's comment periods only when its plan has some, which these
# plans have not).
EXPECTED_QUERIES = {
    "home": 10,  # with the open comment periods
    "plan": 12,
    "basic policy": 9,
    "measure": 9,
    "project": 9,
    "sdg matrix": 6,
    "strategy": 5,
    "wards": 3,
    "ward": 6,  # with the possibly related projects (none here)
    "sdgs": 3,
    "sdg goal": 4,
    "search": 12,  # the page's ids with their total, then its rows with their relations
}

# A list longer than a page costs a COUNT (a first page is read with one row more than
# it shows, which tells a list that fits): the generated plan's 2,000 (各区) projects
# are a long list on the ward page.
LONG_LISTS = {"generated": {"ward": 1}}


# The print page, the PDF (built at once: tests run the task queue's jobs as they are
# enqueued) and the exports of a measure, and the print page of its policy: each reads
# the section in a fixed number of queries, whatever the plan's size.
EXPECTED_SECTION_QUERIES = {
    "print": 11,
    "pdf": 15,
    "csv": 8,
    "xlsx": 8,
    "json": 8,
    "tree": 10,
    "policy print": 11,
}


def section_urls(measure: PolicyNode) -> dict[str, str]:
    base = f"/plans/{measure.plan.slug}/nodes/{measure.pk}/"
    exports = {fmt: f"{base}export/{fmt}/" for fmt in ("csv", "xlsx", "json", "tree")}
    return {
        "print": base + "print/",
        "pdf": base + "pdf/",
        **exports,
        "policy print": f"/plans/{measure.plan.slug}/nodes/{measure.parent_id}/print/",
    }


def count_queries(client, url):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        assert response.status_code == 200, url
        if response.streaming:  # a streamed export runs its queries as it is sent
            b"".join(response.streaming_content)
    return len(queries.captured_queries)


@pytest.mark.parametrize("slug", ["kawasaki-2011", "generated"])
def test_every_page_type_runs_a_fixed_number_of_queries(client, db, slug):
    more = LONG_LISTS.get(slug, {})
    if slug == "generated":
        slug = generate_plan(20_000).slug  # ~20,000 projects, 448 nodes
    counts = {name: count_queries(client, url) for name, url in page_urls(slug).items()}
    assert counts == {name: count + more.get(name, 0) for name, count in EXPECTED_QUERIES.items()}
    measure = PolicyNode.objects.filter(plan__slug=slug, listings__isnull=False).first()
    counts = {name: count_queries(client, url) for name, url in section_urls(measure).items()}
    assert counts == EXPECTED_SECTION_QUERIES


def test_target_list_names_each_entry_by_its_years_in_both_calendars(client, db):
    merged = Project.objects.get(name="地域情報化推進事業")
    html = get_text(client, merged.get_absolute_url())
    assert "<dt>2011年度～2013年度（平成23年度～平成25年度）" in html
    english = get_text(client, "/en" + merged.get_absolute_url())
    assert "<dt>FY2011 to FY2013 (Heisei 23 to Heisei 25)" in english
    assert "the same for 3 years" in english


def test_a_search_by_year_runs_the_queries_of_any_search(client, db):
    assert count_queries(client, "/search/?q=事業 H24") == EXPECTED_QUERIES["search"]


def test_language_links_are_built_from_the_resolved_page_never_the_raw_url(client, db):
    def language_links(response):
        return re.findall(r'<a href="([^"]*)" lang="(?:ja|en)"', response.content.decode())

    # "//evil.example/" is a path to Django, but a link to another site in a browser.
    response = client.get("/", PATH_INFO="//evil.example/")
    assert response.status_code == 404
    assert "evil.example" not in response.content.decode()
    assert language_links(response) == ["/en/"]
    english = client.get("/", PATH_INFO="/en//evil.example/plans/")
    assert "evil.example" not in english.content.decode()
    assert language_links(english) == ["/"]
    # A page that exists links to itself in the other language, query included.
    page = client.get("/search/", {"q": "地域 振興"})
    assert language_links(page) == ["/en/search/?q=%E5%9C%B0%E5%9F%9F+%E6%8C%AF%E8%88%88"]
    plan = client.get("/en/plans/kawasaki/")
    assert language_links(plan) == ["/plans/kawasaki/"]


def test_the_roll_ups_excluded_projects_cost_one_query_however_many_they_are(client, db):
    """The node page lists the projects its roll-up line does not count as evaluated in
    one query (none when all are evaluated), whatever their number and reasons."""
    from tests.evaluations import record

    node = PolicyNode.objects.get(
        plan__slug="kawasaki-2011", title="区における地域のまちづくりの推進"
    )
    url = node.get_absolute_url()
    under = list(Project.objects.under(node).order_by("pk"))
    record(under[0], 2012, achievement="1")
    one_evaluated = count_queries(client, url)
    for project in under[1:3]:
        record(project, 2012, actual="実施した")  # excluded for another reason
    assert count_queries(client, url) == one_evaluated
    for project in under[3:]:
        record(project, 2012, achievement="2")
    record(under[1], 2011, achievement="2")  # an older year changes nothing
    assert count_queries(client, url) == one_evaluated
    for project in under[1:3]:
        project.results.get(fiscal_year=2012).delete()
        record(project, 2012, achievement="3")
    html = get_text(client, url)
    assert "評価済みに数えない" not in html
    assert count_queries(client, url) == one_evaluated - 1  # nothing excluded: no query


def test_node_and_project_pages_check_the_projects_rules_once(client, db):
    """PostgreSQL takes a millisecond to plan a project's visibility rules in each query that
    has them: a measure's page checks them in its listings and a project's page in the
    project; the results, values and pending evaluations of those projects are checked only
    by their own status (the rules' SQL is the one naming its listings "vis_listing")."""
    node = PolicyNode.objects.get(
        plan__slug="kawasaki-2011", title="区における地域のまちづくりの推進"
    )
    project = node.listings.order_by("position", "pk").first().project
    for url in (node.get_absolute_url(), project.get_absolute_url()):
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            get_text(client, url)
        checking = [query for query in queries.captured_queries if "vis_listing" in query["sql"]]
        assert len(checking) == 1, url


def test_a_first_page_that_holds_the_whole_list_needs_no_count(rf, db, django_assert_num_queries):
    from projects.site_views import LISTINGS_PER_PAGE, paginate

    projects = Project.objects.order_by("pk")
    ids = list(projects.values_list("pk", flat=True))
    assert LISTINGS_PER_PAGE < len(ids) < 2 * LISTINGS_PER_PAGE  # the demo's 67
    with django_assert_num_queries(1):
        page = paginate(rf.get("/"), projects.filter(pk__in=ids[:3]))
        assert [p.pk for p in page] == ids[:3]
        assert page.paginator.count == 3 and not page.has_other_pages()
    with django_assert_num_queries(2):  # the rows, then a COUNT for the number of pages
        page = paginate(rf.get("/"), projects)
        assert [p.pk for p in page] == ids[:LISTINGS_PER_PAGE]
        assert page.paginator.count == len(ids) and page.paginator.num_pages == 2
    page = paginate(rf.get("/", {"page": "2"}), projects)
    assert [p.pk for p in page] == ids[LISTINGS_PER_PAGE:] and not page.has_next()


def test_tags_are_read_only_for_a_node_or_project_that_has_some(client, db):
    """A node's or project's SDG goals and wards show on its page; one without any costs
    no query for them (strategies, goals and wards: three when there are some)."""
    from policies.models import SDGGoal, Ward

    node = PolicyNode.objects.get(
        plan__slug="kawasaki-2011", title="区における地域のまちづくりの推進"
    )
    project = node.listings.order_by("position", "pk").first().project
    urls = [node.get_absolute_url(), project.get_absolute_url()]
    untagged = [count_queries(client, url) for url in urls]
    for item in (node, project):
        item.sdg_goals.add(SDGGoal.objects.get(number=11))
        item.wards.add(Ward.objects.get(slug="saiwai-ku"))
    assert [count_queries(client, url) for url in urls] == [count + 3 for count in untagged]
    for url in urls:
        html = get_text(client, url)
        assert 'href="/sdgs/11/"' in html and 'href="/wards/kawasaki/saiwai-ku/"' in html
