"""Open data and time: the open-data page and its licences, 新着・更新情報 with its Atom
feed, and 最終更新 on the list, search, print and comment pages."""

import io
import json
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.dateformat import format as date_format
from openpyxl import load_workbook

from consultations.models import CommentPeriod
from planportal.publication import PublicationStatus
from policies.models import DataLicence, Municipality, SDGGoal
from projects.models import Project

ATOM = "{http://www.w3.org/2005/Atom}"


def html(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def stamp(moment) -> str:
    """How a page writes an instant in its <time datetime>."""
    return date_format(timezone.localtime(moment), "c")


def backdate(obj, *, days=30):
    """Published long ago and saved since: a change is then 更新, not 公開."""
    type(obj).objects.filter(pk=obj.pk).update(published_at=timezone.now() - timedelta(days=days))
    obj.refresh_from_db()


# --- 新着・更新情報 and its feed ----------------------------------------------


@pytest.fixture
def changed(db):
    """A published project edited now, a draft edited now and a project published now."""
    edited = Project.objects.get(name="住民投票制度運営事業")
    backdate(edited)
    edited.summary = "住民投票制度の運営（概要を更新）"
    edited.save()
    draft = Project.objects.get(name="自治拡充推進事業")
    Project.objects.filter(pk=draft.pk).unpublish()
    draft.refresh_from_db()
    draft.summary = "下書きの変更"
    draft.save()
    new = Project.objects.create(
        plan=edited.plan,
        name="新しく公開した事業",
        home_node=edited.home_node,
        status=PublicationStatus.PUBLISHED,
    )
    new.listings.create(node=edited.home_node)
    return edited, draft, new


def test_changes_list_published_content_newest_first_and_never_drafts(client, changed):
    edited, draft, new = changed
    page = html(client, "/changes/")
    assert page.index("新しく公開した事業") < page.index("住民投票制度運営事業")
    assert f'事業・公開</span> <a href="{new.get_absolute_url()}">' in page
    assert f'事業・更新</span> <a href="{edited.get_absolute_url()}">' in page
    assert draft.get_absolute_url() not in page
    staff = Client()
    staff.force_login(_superuser())
    assert draft.get_absolute_url() not in html(staff, "/changes/")  # not even for staff
    assert f'<time datetime="{stamp(new.updated_at)}">' in page  # 最終更新: the newest change
    english = html(client, "/en/changes/")
    assert "Project · New" in english and "Project · Updated" in english


def test_the_atom_feed_has_the_same_changes_and_every_page_links_it(client, changed):
    edited, draft, new = changed
    response = client.get("/changes/feed/")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ElementTree.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    titles = [entry.findtext(f"{ATOM}title") for entry in entries]
    assert titles[:2] == ["事業：新しく公開した事業（公開）", "事業：住民投票制度運営事業（更新）"]
    assert not any("自治拡充推進事業" in title for title in titles)
    links = [entry.find(f"{ATOM}link").get("href") for entry in entries]
    assert links[0] == "http://testserver" + new.get_absolute_url()
    ids = [entry.findtext(f"{ATOM}id") for entry in entries]
    assert len(set(ids)) == len(ids)
    home = html(client, "/")
    assert (
        '<link rel="alternate" type="application/atom+xml" title="新着・更新情報" '
        'href="/changes/feed/">' in home
    )
    assert '<a href="/changes/">新着・更新情報</a>' in home


def test_a_comment_period_is_a_change_once_published(client, db):
    period = CommentPeriod.objects.filter(status=PublicationStatus.PUBLISHED).first()
    assert f'href="{period.get_absolute_url()}"' in html(client, "/changes/")
    CommentPeriod.objects.filter(pk=period.pk).unpublish()
    assert f'href="{period.get_absolute_url()}"' not in html(client, "/changes/")


def _superuser():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.create_superuser("root", password=None)


# --- the open-data page and the licence ----------------------------------------


def test_open_data_page_lists_each_plans_files_under_its_municipalitys_licence(client, db):
    page = html(client, "/open-data/")
    assert (
        '<a href="https://creativecommons.org/licenses/by/4.0/deed.ja" rel="license">'
        "クリエイティブ・コモンズ 表示 4.0 国際（CC BY 4.0）</a>" in page
    )
    assert (
        '<a href="/plans/kawasaki-2011/export/csv/" type="text/csv">事業の一覧（CSV）</a>' in page
    )
    assert "<dt>結合セル</dt>" in page  # every column explained
    # A plan without a recorded tree offers no empty files.
    assert '<a href="/plans/kawasaki/">川崎市総合計画</a>' in page
    assert "/plans/kawasaki/export/" not in page
    assert '<a href="/open-data/">オープンデータ</a>' in page  # linked from every page


def test_the_licence_is_set_per_municipality_and_carried_by_the_files(client, db):
    Municipality.objects.filter(slug="kawasaki").update(data_licence=DataLicence.CC0_1)
    cc0 = "https://creativecommons.org/publicdomain/zero/1.0/deed.ja"
    assert f'<a href="{cc0}" rel="license">CC0 1.0' in html(client, "/open-data/")
    base = "/plans/kawasaki-2011/export/"
    for fmt in ("csv", "xlsx", "json", "tree"):
        assert client.get(base + fmt + "/")["Link"] == f'<{cc0}>; rel="license"'
    for fmt in ("json", "tree"):
        data = json.loads(client.get(base + fmt + "/").content)
        assert data["licence"] == {
            "name": "CC0 1.0 全世界 パブリック・ドメイン提供（CC0）",
            "url": cc0,
        }
    book = load_workbook(io.BytesIO(client.get(base + "xlsx/").content), read_only=True)
    assert book.sheetnames == ["事業", "利用条件"]
    terms = {row[0]: row[1] for row in book["利用条件"].iter_rows(values_only=True)}
    assert terms["利用条件のURL"] == cc0
    assert terms["出典"] == "川崎市「川崎市 実行計画（2011～2013年度）」"


def test_staff_change_the_licence_in_the_admin(admin_client, db):
    municipality = Municipality.objects.get(slug="zushi")
    url = f"/admin/policies/municipality/{municipality.pk}/change/"
    assert 'name="data_licence"' in admin_client.get(url).content.decode()
    response = admin_client.post(
        url,
        {
            "name": municipality.name,
            "name_en": municipality.name_en,
            "slug": municipality.slug,
            "data_licence": DataLicence.PDL_1,
        },
    )
    assert response.status_code == 302
    municipality.refresh_from_db()
    assert municipality.data_licence == DataLicence.PDL_1
    assert Municipality.objects.get(slug="kawasaki").data_licence == DataLicence.CC_BY_4


# --- download links after the content -------------------------------------------


def test_download_links_follow_the_content_in_plain_words(client, db):
    node = Project.objects.get(name="自治拡充推進事業").home_node
    page = html(client, node.get_absolute_url())
    downloads = page.index('<section class="downloads"')
    assert page.index('id="projects"') < downloads
    assert "JSON（体系）" not in page
    for label in ("事業の一覧（Excel）", "事業の一覧（CSV）", "計画の体系（プログラム用・JSON）"):
        assert page.index(label) > downloads
    plan_page = html(client, "/plans/kawasaki-2011/")
    assert plan_page.index('id="structure"') < plan_page.index('<section class="downloads"')


# --- 最終更新 -------------------------------------------------------------------


def test_list_search_print_and_comment_pages_say_when_their_content_last_changed(client, db):
    project = Project.objects.get(name="住民投票制度運営事業")
    project.summary = "住民投票制度の運営（概要を更新）"
    project.save()
    updated = f'最終更新：<time datetime="{stamp(project.updated_at)}">'
    for url in (
        "/search/?q=住民投票",
        "/plans/kawasaki-2011/print/",
        f"/plans/kawasaki-2011/nodes/{project.home_node_id}/print/",
    ):
        assert updated in html(client, url), url
    project.sdg_goals.add(SDGGoal.objects.get(number=11))
    project.save()
    assert f'<time datetime="{stamp(project.updated_at)}">' in html(client, "/sdgs/")
    period = CommentPeriod.objects.filter(status=PublicationStatus.PUBLISHED).first()
    period.explanation += "（説明を追記）"
    period.save()
    for url in ("/public-comments/", period.get_absolute_url()):
        assert f'最終更新：<time datetime="{stamp(period.updated_at)}">' in html(client, url), url


def test_the_ward_list_says_when_what_its_wards_list_last_changed(client, db):
    """From the projects and nodes tagged with a ward and the (各区) projects, in the
    page's one query of cities (the query count test keeps it so)."""
    from policies.models import Ward

    project = Project.objects.published().get(name="区役所窓口サービス機能の再編")
    project.tag_with_ward(Ward.objects.get(slug="miyamae-ku"))
    assert f'最終更新：<time datetime="{stamp(project.updated_at)}">' in html(client, "/wards/")
    untagged = Project.objects.published().filter(wards=None, each_ward=False).first()
    untagged.summary += "（追記）"
    untagged.save()  # not listed by any ward page: the date stays
    assert f'<time datetime="{stamp(untagged.updated_at)}">' not in html(client, "/wards/")
    assert f'<time datetime="{stamp(project.updated_at)}">' in html(client, "/wards/")
