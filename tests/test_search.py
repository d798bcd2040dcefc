"""Japanese substring search: matches, filters, highlights, and odd input answered gracefully."""

import re

import pytest
from django.db import connection

from policies.models import PolicyNode, Strategy, Ward
from projects.models import Project
from projects.search import counted_page, split_fiscal_year


def search(client, **params):
    """The page as text: markup (such as the <mark> of highlights) removed."""
    response = client.get("/search/", params)
    assert response.status_code == 200
    return re.sub(r"<[^>]+>", "", response.content.decode())


def results(client, **params):
    """Only the results, without the form's option lists."""
    page = search_html(client, **params)
    section = page.split('<section aria-labelledby="results"', 1)[1].split("</section>", 1)[0]
    return re.sub(r"<[^>]+>", "", section)


def search_html(client, **params):
    response = client.get("/search/", params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("区民会", "区民会議運営事業"),  # a substring of a project name
        ("区民会", "区民会議の充実"),  # and of a measure's title
        ("サンキューコール", "総合的広聴制度の推進"),  # only in a measure's text
        ("柿生連絡所機能再編", "区役所窓口サービス機能の再編"),  # only in a yearly target
        ("区役所 リフォーム", "区役所快適化リフォーム事業"),  # every term must match
        ("ＣＳＲ", "CSR推進事業"),  # full-width letters folded
        ("Ⅶ-1-(1)", "分権時代の新たな自治のしくみづくり"),  # a printed code
        ("まちのひろば", "地域の居場所"),  # the sectoral plan's sections
    ],
)
def test_finds_japanese_substrings(client, db, query, found):
    assert found in search(client, q=query)


def test_matches_are_highlighted_and_escaped(client, db):
    html = search_html(client, q="区民会議")
    assert "<mark>区民会議</mark>" in html
    html = search_html(client, q='<script>alert("x")</script>')
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def test_all_terms_must_match(client, db):
    html = search(client, q="区民会議 ポータルサイト")
    assert "区民会議運営事業" not in html


def test_filters_by_plan_policy_ward_and_strategy(client, db):
    html = results(client, q="協働", plan="zushi")
    assert "協働のまちづくり" in html and "協働型事業の推進" not in html
    root = PolicyNode.objects.get(plan__slug="kawasaki-2011", code="Ⅶ")
    html = results(client, q="推進", policy=root.pk)
    assert "自治基本条例に基づく自治の推進" in html and "逗子" not in html
    html = results(client, ward=Ward.objects.get(slug="saiwai-ku").pk)
    assert "幸区役所庁舎整備事業" in html  # tagged with the ward
    assert "安全・安心まちづくり事業(各区)" in html  # carried out by each ward
    assert "広報事業" not in html
    strategy = Strategy.objects.get(plan__slug="kawasaki", label="戦略6")
    Project.objects.get(name="地域振興事業").strategies.add(strategy)
    html = results(client, strategy=strategy.pk)
    assert "地域振興事業" in html and "広報事業" not in html


def test_results_are_paginated(client, db):
    total = Project.objects.filter(name__contains="事業").count()
    assert total > 30 and 'rel="next"' in search_html(client, q="事業")
    assert "事業" in search(client, q="事業", page=2)
    assert search(client, q="事業", page="abc")  # a malformed page is page 1
    assert search(client, q="事業", page=9999)  # past the end is the last page
    assert search(client, q="事業", page="9" * 30)  # however far past it


def test_a_counted_page_reads_the_rows_and_the_total_in_one_scan(db, django_assert_num_queries):
    projects = Project.objects.filter(name__contains="事業").select_related("plan").order_by("pk")
    expected = list(projects.values_list("pk", flat=True))
    seen = []
    for number in range(1, len(expected) // 30 + 2):
        with django_assert_num_queries(2):  # the page's ids and the total, then its rows
            page = counted_page(projects, number, 30)
            seen += [project.pk for project in page]
        assert page.paginator.count == len(expected) and page.number == number
        assert all(project.plan.slug for project in page)  # the relations came along
    assert seen == expected
    for number in (9999, 10**30):  # the last page, counted apart (no OFFSET overflows)
        past_the_end = counted_page(projects, number, 30)
        assert past_the_end.number == page.number and list(past_the_end) == list(page)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, ""),  # no query at all: the form, no error yet
        ({"q": "   "}, "検索語を入力するか"),
        ({"q": "あ" * 101}, "100文字以内"),
        ({"q": "a b c d e f"}, "5個まで"),
        ({"q": "区", "plan": "no-such-plan"}, "候補にありません"),
        ({"q": "区", "ward": "abc"}, "候補にありません"),
    ],
)
def test_odd_queries_get_a_clear_message(client, db, params, message):
    html = search(client, **params)
    assert message in html


@pytest.mark.parametrize("query", ["%", "_", "\\", "'", '"', "%_%", "\x00", "𠮷野家", "🙂"])
def test_wildcards_and_strange_characters_are_searched_literally(client, db, query):
    html = search(client, q=query)
    assert "見つかりました" in html or "見つかりませんでした" in html or "入力" in html


def test_like_wildcards_are_literal(client, db):
    assert "見つかりませんでした" in search(
        client, q="_"
    )  # as a wildcard it would match everything
    html = results(client, q="%")
    assert "29%" in html  # seed 003 prints percentages
    assert "区民会議運営事業" not in html


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram indexes exist on PostgreSQL only"
)
def test_trigram_indexes_exist_on_postgresql(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%_trgm'")
        names = {row[0] for row in cursor.fetchall()}
    assert {
        "policynode_title_trgm",
        "nodetext_body_trgm",
        "project_name_trgm",
        "yearlytarget_text_trgm",
    } <= names


# --- by fiscal year ---------------------------------------------------------


@pytest.mark.parametrize(
    "year", ["平成25年度", "H25", "2013年度", "2013", "平成２５年度", "H25年度"]
)
def test_a_term_that_reads_as_a_fiscal_year_narrows_to_that_year(client, db, year):
    html = results(client, q=f"町内会 {year}")
    assert "平成25年度 (2013)の計画に絞り込み" in html
    assert "町内会・自治会会館耐震化事業" in html
    assert "平成25年度 (2013)の目標" in html
    assert "逗子" not in html  # Zushi's plan has no year 2013


def test_the_year_shows_what_the_target_table_says_for_it(client, db):
    merged = Project.objects.get(plan__slug="kawasaki-2011", name="地域情報化推進事業")
    row = merged.target_rows()[0]
    assert row[1].kind == "continued"  # 2012 is covered by the 2011 cell
    html = search_html(client, q="地域情報化推進 H24")
    assert "平成24年度 (2012)の目標" in html
    first_line = row[0].text.splitlines()[0]
    assert first_line in html.split("平成24年度 (2012)の目標", 1)[1]


@pytest.mark.parametrize("year", ["R5", "令和5年度", "2023"])
def test_a_year_outside_a_plan_leaves_its_projects_out(client, db, year):
    html = results(client, q=f"町内会 {year}")
    assert "令和5年度 (2023)の計画に絞り込み" in html
    assert "町内会・自治会会館耐震化事業" not in html  # the 2011–2013 plan ended long before
    assert "町内会・自治会会館耐震化事業" in results(client, q="町内会")


def test_no_results_is_one_clear_state_with_suggestions(client, db):
    html = results(client, q="存在しない語句")
    assert "見つかりませんでした" in html and "件見つかりました" not in html
    assert "語を短くする" in html


def test_projects_come_first_with_counts_per_group_at_the_top(client, db):
    html = search_html(client, q="区民会議")
    head = html.split('<section aria-labelledby="results"', 1)[1]
    assert head.index('href="#result-projects"') < head.index('id="result-projects"')
    assert head.index('id="result-projects"') < head.index('id="result-nodes"')
    assert html.index('id="results"') < html.index('class="search-form"')


@pytest.mark.parametrize(
    ("terms", "expected"),
    [
        (["町内会", "平成25年度"], (2013, ["町内会"])),
        (["H25", "町内会"], (2013, ["町内会"])),
        (["R5"], (2023, [])),
        (["2013年度", "2014"], (2013, ["2014"])),  # one year narrows; the next is text
        (["町内会", "25"], (None, ["町内会", "25"])),
    ],
)
def test_split_fiscal_year(terms, expected):
    assert split_fiscal_year(terms) == expected
