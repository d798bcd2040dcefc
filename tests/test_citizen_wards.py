"""Wards as residents look for them (issue 14, point 4): projects whose texts name a place
of the ward, shown apart with the words found; the ward plan linked when recorded."""

import pytest
from django.test import Client

from policies.models import Ward
from projects.models import Project

pytestmark = pytest.mark.django_db


def ward_page(ward, language="") -> str:
    return Client().get(language + ward.get_absolute_url()).content.decode()


def related_section(page: str) -> str:
    start = page.find('id="possibly-related"')
    return page[start : page.index("</section>", start)] if start >= 0 else ""


def test_a_ward_names_itself_and_the_places_the_seeds_print_with_its_name():
    miyamae = Ward.objects.get(slug="miyamae-ku")
    assert miyamae.names_in_text == ["宮前区", "宮前連絡所"]
    assert Ward.objects.get(slug="saiwai-ku").names_in_text == ["幸区"]


def test_a_project_naming_a_place_of_the_ward_is_suggested_with_the_word_found():
    """The window-service project closes the 宮前連絡所 (its target says so) but is
    tagged with no ward: 宮前区's page suggests it, apart from the tagged ones."""
    miyamae = Ward.objects.get(slug="miyamae-ku")
    project = Project.objects.get(plan__slug="kawasaki-2011", name="区役所窓口サービス機能の再編")
    assert not project.wards.exists() and not project.each_ward
    section = related_section(ward_page(miyamae))
    assert "関連する可能性のある事業" in section
    assert project.get_absolute_url() in section
    assert "<mark>宮前連絡所</mark>" in section
    # Tagged projects stay in their own list only.
    tagged = Project.objects.get(plan__slug="kawasaki-2011", name="区役所等庁舎整備事業")
    assert tagged.get_absolute_url() not in section
    # Another ward's page does not suggest it.
    assert project.get_absolute_url() not in ward_page(Ward.objects.get(slug="saiwai-ku"))


def test_a_ward_without_matches_shows_no_such_section():
    assert "関連する可能性のある事業" not in ward_page(Ward.objects.get(slug="nakahara-ku"))


def test_place_names_are_data_staff_edit():
    nakahara = Ward.objects.get(slug="nakahara-ku")
    nakahara.place_names = "連絡所\n\n連絡所"  # blank lines and repeats are ignored
    nakahara.save()
    assert nakahara.names_in_text == ["中原区", "連絡所"]
    section = related_section(ward_page(nakahara))  # the saved ward refreshed the cache
    project = Project.objects.get(plan__slug="kawasaki-2011", name="区役所窓口サービス機能の再編")
    assert project.get_absolute_url() in section and "<mark>連絡所</mark>" in section


def test_the_ward_plan_is_linked_when_recorded():
    ward = Ward.objects.get(slug="miyamae-ku")
    assert "区計画（市のウェブサイト）" not in ward_page(ward)
    ward.ward_plan_url = "https://www.city.example.jp/miyamae/plan.html"
    ward.save()
    page = ward_page(ward)
    assert '<a href="https://www.city.example.jp/miyamae/plan.html">宮前区の区計画' in page
    english = ward_page(ward, "/en")
    assert "Miyamae Ward ward plan (city website)" in english


def test_english_ward_page_marks_the_words_found():
    section = related_section(ward_page(Ward.objects.get(slug="miyamae-ku"), "/en"))
    assert "Projects possibly related" in section
    assert '<mark><span lang="ja">宮前連絡所</span></mark>' in section


def test_staff_edit_place_names_and_the_ward_plan_in_the_admin(client, django_user_model):
    admin = django_user_model.objects.create_superuser("chief", "chief@example.org", "pw")
    client.force_login(admin)
    ward = Ward.objects.get(slug="miyamae-ku")
    page = client.get(f"/admin/policies/ward/{ward.pk}/change/").content.decode()
    assert 'name="place_names"' in page and 'name="ward_plan_url"' in page


def test_the_suggestions_cost_the_same_queries_however_many_they_are():
    from django.core.cache import cache
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ward = Ward.objects.get(slug="miyamae-ku")

    def queries_and_matches():
        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            page = ward_page(ward)
        return len(queries.captured_queries), related_section(page).count("<mark>")

    queries_and_matches()  # warms what the process caches once (content types)
    one = queries_and_matches()
    ward.place_names = "区役所\n連絡所\n出張所"
    ward.save()
    many = queries_and_matches()
    assert one[1] == 1 and many[1] > 5
    assert one[0] == many[0]


def test_staff_find_the_projects_to_confirm_for_a_ward_in_the_admin(client, django_user_model):
    admin = django_user_model.objects.create_superuser("chief", "chief@example.org", "pw")
    client.force_login(admin)
    miyamae = Ward.objects.get(slug="miyamae-ku")
    page = client.get(f"/admin/projects/project/?possibly_in_ward={miyamae.pk}")
    assert page.status_code == 200
    names = [str(project) for project in page.context["cl"].result_list]
    assert names == ["区役所窓口サービス機能の再編"]
    assert "区の地名を含む（区の登録なし）" in page.content.decode()
    nothing = client.get("/admin/projects/project/?possibly_in_ward=①")  # no id: no rows
    assert nothing.status_code == 200 and not nothing.context["cl"].result_list
