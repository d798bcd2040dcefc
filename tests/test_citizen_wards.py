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


# --- confirming suggestions in the admin (the action on the filtered list) ------------

CONFIRM = "tag_with_filtered_ward"


def tagged_section(page: str) -> str:
    start = page.index('id="tagged"')
    return page[start : page.index('id="each"', start)]


def confirm(client, project, query: str):
    return client.post(
        f"/admin/projects/project/{query}",
        {"action": CONFIRM, "_selected_action": [project.pk], "index": 0},
        follow=True,
    )


def window_project():
    return Project.objects.get(plan__slug="kawasaki-2011", name="区役所窓口サービス機能の再編")


def test_a_planner_confirms_a_suggestion_and_the_project_is_tagged(make_staff, client_for):
    from planportal.permissions import PLAN_ADMINS

    planner = make_staff("planner", PLAN_ADMINS)
    miyamae = Ward.objects.get(slug="miyamae-ku")
    project = window_project()
    version, history = project.version, project.history.count()
    ward_page(miyamae)  # cached before the change
    page = confirm(client_for(planner), project, f"?possibly_in_ward={miyamae.pk}")
    assert "1件の事業を宮前区に登録しました。" in page.content.decode()
    project.refresh_from_db()
    assert list(project.wards.all()) == [miyamae]
    assert project.version == version + 1
    record = project.history.first()  # one history record, by the planner, with the ward
    assert project.history.count() == history + 1 and record.history_user == planner
    assert [m2m.ward for m2m in record.wards.all()] == [miyamae]
    shown = ward_page(miyamae)
    assert project.get_absolute_url() in tagged_section(shown)
    assert project.get_absolute_url() not in related_section(shown)


def test_another_wards_editor_and_a_viewer_are_refused(make_staff, client_for):
    from planportal.permissions import REVIEWERS, WARD_EDITORS

    miyamae = Ward.objects.get(slug="miyamae-ku")
    saiwai = Ward.objects.get(slug="saiwai-ku")
    project = window_project()
    query = f"?possibly_in_ward={miyamae.pk}"
    editor = make_staff("saiwai-editor", WARD_EDITORS, ward=saiwai)
    page = confirm(client_for(editor), project, query)
    assert "担当範囲外のものがあります。何も変更していません。" in page.content.decode()
    viewer = make_staff("viewer", REVIEWERS)
    listing = client_for(viewer).get(f"/admin/projects/project/{query}").content.decode()
    assert CONFIRM not in listing  # not offered
    confirm(client_for(viewer), project, query)  # and not done when posted anyway
    assert not project.wards.exists()


def test_without_the_filter_or_outside_the_rule_nothing_changes(client, django_user_model):
    admin = django_user_model.objects.create_superuser("chief", "chief@example.org", "pw")
    client.force_login(admin)
    project = window_project()
    page = confirm(client, project, "").content.decode()
    assert "先に「区の地名を含む（区の登録なし）」で区を選んでから" in page
    saiwai = Ward.objects.get(slug="saiwai-ku")  # its places are not named: not a suggestion
    page = confirm(client, project, f"?possibly_in_ward={saiwai.pk}").content.decode()
    assert "幸区の地名を含まないもの" in page
    assert not project.wards.exists()
