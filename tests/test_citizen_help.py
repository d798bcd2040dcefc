"""Who is responsible, what the words mean, and the site's icon."""

import pytest
from django.contrib.staticfiles import finders

from policies.models import Bureau, Division
from projects.models import Project

pytestmark = pytest.mark.django_db


def text_of(client, url):
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def test_a_project_page_names_its_bureau_section_and_contact(client):
    project = Project.objects.get(name="地域情報化推進事業")
    bureau = Bureau.objects.create(municipality=project.plan.municipality, name="総務企画局")
    division = Division.objects.create(
        bureau=bureau,
        name="情報化推進課",
        phone="044-200-0000",
        email="johoka@example.jp",
        contact_url="https://www.example.jp/johoka/",
    )
    project.division = division  # the bureau follows from the section
    project.save()
    html = text_of(client, project.get_absolute_url())
    assert "<dt>所管局</dt><dd>総務企画局</dd>" in html
    assert "<dt>所管課</dt><dd>情報化推進課</dd>" in html
    assert '<a href="tel:0442000000">044-200-0000</a>' in html
    assert '<a href="mailto:johoka@example.jp">johoka@example.jp</a>' in html
    assert '<a href="https://www.example.jp/johoka/">情報化推進課のページ</a>' in html


def test_no_contact_heading_without_a_contact(client):
    project = Project.objects.get(name="地域情報化推進事業")
    bureau = Bureau.objects.create(municipality=project.plan.municipality, name="総務企画局")
    project.bureau = bureau
    project.division = Division.objects.create(bureau=bureau, name="情報化推進課")
    project.save()
    html = text_of(client, project.get_absolute_url())
    assert "<dt>所管課</dt><dd>情報化推進課</dd>" in html and "問い合わせ先" not in html


def test_the_glossary_explains_insider_terms_and_pages_link_to_it(client):
    html = text_of(client, "/glossary/")
    for anchor, term in (
        ("term-home-measure", "本来の施策"),
        ("term-relisted", "再掲"),
        ("term-each-ward", "各区（各区で実施）"),
        ("term-has-projects", "事業あり"),
    ):
        assert f'<dt id="{anchor}">{term}</dt>' in html
    project = Project.objects.get(name="地域情報化推進事業")
    page = text_of(client, project.get_absolute_url())
    assert 'href="/glossary/#term-home-measure">本来の施策</a></dt>' in page
    assert 'href="/glossary/#term-relisted"' in page
    assert 'href="/glossary/">用語集</a>' in text_of(client, "/")  # in every page's footer
    assert "<h1>Glossary</h1>" in text_of(client, "/en/glossary/")


def test_favicon_is_served_and_linked(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == "/static/favicon.ico"
    assert finders.find("favicon.ico")
    assert 'rel="icon" href="/static/favicon.ico"' in text_of(client, "/")
