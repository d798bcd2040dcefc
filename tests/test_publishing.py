"""Drafts never reach citizens: not on any public URL, in any language, in search.

The leak test walks the URL configuration itself, so a public page added
later (an export, a feed, a PDF) is crawled too; a URL argument it does not
know how to fill makes it fail until ``argument_values()`` is taught it.
Bodies are searched as bytes: a compressed PDF needs its own test that
extracts the text.
"""

import io
from datetime import timedelta

import openpyxl
import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone, translation
from pypdf import PdfReader

from consultations.models import Comment, CommentPeriod, CommentTopic
from consultations.services.submission import comment_submit
from planportal.publication import PublicationStatus
from policies import tree
from policies.models import (
    Bureau,
    Indicator,
    MeasureEvaluation,
    NodeText,
    Plan,
    PolicyNode,
    SDGGoal,
    Strategy,
    Ward,
)
from projects import export, publishing
from projects.models import Project, ProjectListing
from projects.section_views import EXPORT_FORMATS
from schedule.models import Milestone, PlanPeriod
from tests.consultations import close

MARK = "LEAKCHECK"
SEEN = f"{MARK}-".encode()  # what hidden content shows; a search for MARK echoes only MARK
DRAFT, PUBLISHED = PublicationStatus.DRAFT, PublicationStatus.PUBLISHED


@pytest.fixture
def hidden(make_plan):
    """Content citizens must not see, each piece carrying MARK, tagged everywhere.

    Published plan P: A (published) → B (draft) → C (published, hidden by B).
    Projects: X published under C; Y a draft under A; Z published with no home,
    listed only under B. Draft plan Q with published content.
    """
    ward = Ward.objects.get(slug="saiwai-ku")
    goal = SDGGoal.objects.get(number=11)
    shown = make_plan("leak-shown", title="公開計画P")
    strategy = Strategy.objects.create(plan=shown, label="戦略1", title="公開戦略")
    a = tree.create_node(plan=shown, title="公開基本政策A", status=PUBLISHED)
    b = tree.create_node(plan=shown, parent=a, title=f"{MARK}-B 下書きの政策", status=DRAFT)
    c = tree.create_node(plan=shown, parent=b, title=f"{MARK}-C 下書きの下の施策", status=PUBLISHED)
    NodeText.objects.create(node=b, heading="現状と課題", body=f"{MARK}-B-text")
    x = Project.objects.create(
        plan=shown, name=f"{MARK}-X 下書きの下の事業", home_node=c, status=PUBLISHED
    )
    y = Project.objects.create(plan=shown, name=f"{MARK}-Y 下書きの事業", home_node=a)
    z = Project.objects.create(plan=shown, name=f"{MARK}-Z 再掲だけの事業", status=PUBLISHED)
    for project, node in ((x, c), (y, a), (z, b)):
        ProjectListing.objects.create(project=project, node=node)
    for item in (b, c, x, y, z):
        item.wards.add(ward)
        item.sdg_goals.add(goal)
        item.strategies.add(strategy)
    # Evaluations and indicators: drafts, or published on something hidden.
    MeasureEvaluation.objects.create(node=a, sheet_label=f"{MARK}-A-draft-evaluation")
    MeasureEvaluation.objects.create(node=c, sheet_label=f"{MARK}-C-evaluation", status=PUBLISHED)
    Indicator.objects.create(node=a, name=f"{MARK}-A-draft-indicator")
    Indicator.objects.create(project=y, name=f"{MARK}-Y-indicator", status=PUBLISHED)

    draft_plan = make_plan("leak-draft", title=f"{MARK}-Q 下書きの計画", status=DRAFT)
    q_node = tree.create_node(plan=draft_plan, title=f"{MARK}-Q-node", status=PUBLISHED)
    q_project = Project.objects.create(
        plan=draft_plan, name=f"{MARK}-Q-project", home_node=q_node, status=PUBLISHED
    )
    ProjectListing.objects.create(project=q_project, node=q_node)
    q_project.wards.add(ward)
    q_project.sdg_goals.add(goal)
    Strategy.objects.create(plan=draft_plan, title=f"{MARK}-Q-strategy")
    PlanPeriod.objects.create(
        plan=draft_plan, part="basic_plan", name=f"{MARK}-Q-period", start_fiscal_year=2022
    )
    return {"shown": shown, "draft_plan": draft_plan, "a": a, "b": b, "c": c, "x": x, "z": z}


def argument_values(hidden):
    """Values to fill each kind of URL argument with: hidden and visible objects alike."""
    plans = [hidden["shown"], hidden["draft_plan"]]
    ids = set()
    for plan in plans:
        ids |= set(plan.nodes.values_list("pk", flat=True))
        ids |= set(plan.projects.values_list("pk", flat=True))
        ids |= set(plan.strategies.values_list("pk", flat=True))
    ward = Ward.objects.select_related("municipality").get(slug="saiwai-ku")
    return {
        "slug": [plan.slug for plan in plans],
        "pk": sorted(ids),
        "number": [11],
        "municipality": [ward.municipality.slug],
        "ward": [ward.slug],
        "bureau": sorted(
            Bureau.objects.filter(municipality__plans__in=plans).values_list("pk", flat=True)
        ),
        "fmt": list(EXPORT_FORMATS),
    }


def public_patterns(patterns=None, namespace=""):
    """(name, argument names) of every URL pattern outside the admin."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == admin.site.name:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from public_patterns(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            assert entry.name, f"name the URL pattern {entry.pattern} so the leak test can crawl it"
            yield namespace + entry.name, list(entry.pattern.regex.groupindex)


def public_urls(values):
    urls = []
    for language in ("ja", "en"):
        with translation.override(language):
            for name, arguments in public_patterns():
                unknown = [a for a in arguments if a not in values]
                assert not unknown, f"teach argument_values() to fill {unknown} of {name}"
                combos = [{}]
                for argument in arguments:
                    combos = [{**c, argument: v} for c in combos for v in values[argument]]
                urls += [reverse(name, kwargs=combo) for combo in combos]
    return sorted(set(urls))


def readable_text(response) -> bytes:
    """What a reader gets out of a response: PDFs and Excel files are compressed,
    so their text is extracted before the search."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    content_type = response.get("Content-Type", "")
    if content_type.startswith("application/pdf"):
        pages = PdfReader(io.BytesIO(body)).pages
        return "\n".join(page.extract_text() for page in pages).encode()
    if content_type.startswith(export.XLSX_CONTENT_TYPE):
        book = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
        cells = (str(value) for sheet in book for row in sheet.values for value in row if value)
        return "\n".join(cells).encode()
    return body


def test_no_public_url_shows_unpublished_content(client, hidden):
    urls = public_urls(argument_values(hidden))
    urls += [f"/search/?q={MARK}", f"/en/search/?q={MARK}", f"/search/?q={MARK}&ward=1"]
    assert len(urls) > 50
    leaks, errors = [], []
    for url in urls:
        response = client.get(url)
        if response.status_code >= 500:
            errors.append(url)
        if SEEN in readable_text(response):
            leaks.append(url)
    assert not errors, errors
    assert not leaks, leaks
    # The crawl did reach the hidden objects' own pages, which do not exist for citizens.
    for item in ("b", "c", "x", "z"):
        assert client.get(hidden[item].get_absolute_url()).status_code == 404
    assert client.get(hidden["draft_plan"].get_absolute_url()).status_code == 404


def test_hidden_projects_are_not_published_querysets(hidden):
    published = set(Project.objects.published())
    assert not {hidden["x"], hidden["z"]} & published
    assert not any(project.name.startswith(MARK) for project in published)


def test_staff_preview_shows_drafts_marked_as_such(admin_client, hidden):
    response = admin_client.get(hidden["b"].get_absolute_url())
    assert response.status_code == 200
    assert "下書き" in response.content.decode()


def test_publishing_a_section_is_one_stamped_step_that_citizens_then_see(client, hidden):
    node_url = hidden["c"].get_absolute_url()
    assert client.get(node_url).status_code == 404
    plan_page = client.get(hidden["shown"].get_absolute_url()).content.decode()
    assert f"{MARK}-B" not in plan_page

    result = publishing.publish_section(hidden["b"])

    assert (result.nodes, result.projects) == (1, 0)  # B; C and X were already published
    b = PolicyNode.objects.get(pk=hidden["b"].pk)
    assert b.status == PUBLISHED and b.published_at is not None
    assert b.history.first().history_change_reason == "公開"
    assert client.get(node_url).status_code == 200
    assert f"{MARK}-B" in client.get(hidden["shown"].get_absolute_url()).content.decode()
    assert {hidden["x"], hidden["z"]} <= set(Project.objects.published())


def test_publishing_a_section_under_a_draft_plan_says_what_still_hides_it(hidden):
    q_node = hidden["draft_plan"].nodes.get()
    result = publishing.publish_section(q_node)
    assert result.still_hidden_by == [hidden["draft_plan"].title]


def test_publishing_a_plan_publishes_everything_in_it(admin_client, hidden):
    plan = hidden["draft_plan"]
    plan.nodes.update(status=DRAFT)
    response = admin_client.post(
        reverse("admin:policies_plan_changelist"),
        {"action": "publish_with_contents", "_selected_action": [plan.pk]},
        follow=True,
    )
    assert "計画1件、項目1件、事業0件を公開しました。" in response.content.decode()
    plan.refresh_from_db()
    assert plan.status == PUBLISHED and plan.published_at is not None
    assert plan.nodes.published().count() == 1
    assert Project.objects.published().filter(plan=plan).count() == 1


def test_the_admin_action_publishes_a_section(admin_client, hidden):
    admin_client.post(
        reverse("admin:policies_policynode_changelist"),
        {"action": "publish_section", "_selected_action": [hidden["b"].pk]},
    )
    assert PolicyNode.objects.published().filter(pk=hidden["c"].pk).exists()


def test_unpublishing_hides_at_once_from_cached_pages(client, hidden):
    url = hidden["a"].get_absolute_url()
    assert client.get(url).status_code == 200  # cached now
    PolicyNode.objects.filter(pk=hidden["a"].pk).unpublish()
    assert client.get(url).status_code == 404
    assert Plan.objects.get(pk=hidden["shown"].pk).status == PUBLISHED


@pytest.fixture
def references(hidden):
    """Published content of plan P that refers to hidden objects, each carrying MARK:
    P's related plan is the draft plan Q; a milestone of P links Q as its document;
    node A and a project W under it are tagged with Q's strategy; the published
    results of a closed comment period on P answer comments (and a topic) on the draft B."""
    shown, draft_plan, a, b = (hidden[key] for key in ("shown", "draft_plan", "a", "b"))
    Plan.objects.filter(pk=shown.pk).update(related_plan=draft_plan)
    Milestone.objects.create(
        plan=shown,
        fiscal_year=2022,
        when="4月",
        title="公開の作業",
        document=draft_plan,
        status=PUBLISHED,
    )
    q_strategy = draft_plan.strategies.get()
    w = Project.objects.create(plan=shown, name="公開事業W", home_node=a, status=PUBLISHED)
    ProjectListing.objects.create(project=w, node=a)
    for item in (a, w):
        item.strategies.add(q_strategy)
    now = timezone.now()
    period = CommentPeriod.objects.create(
        plan=shown,
        title="公開の意見募集",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=1),
        status=PUBLISHED,
    )
    period.sections.add(a)
    on_b = [comment_submit(period=period, section=b, text=f"Bへの意見{i}") for i in range(2)]
    topic = CommentTopic.objects.create(period=period, section=b, summary="Bについての論点")
    Comment.objects.filter(pk=on_b[0].pk).update(status="publish", answer="市の考え方")
    Comment.objects.filter(pk=on_b[1].pk).update(status="publish", topic=topic)
    close(period)
    CommentPeriod.objects.filter(pk=period.pk).update(results_published=True)
    return {"period": period, "w": w}


def test_no_reference_from_published_content_shows_a_draft(
    client, admin_client, hidden, references
):
    """A reference is shown only to who may see the page of what it refers to."""
    values = argument_values(hidden)
    values["pk"] = sorted({*values["pk"], references["period"].pk, references["w"].pk})
    urls = public_urls(values)
    leaks = [url for url in urls if SEEN in readable_text(client.get(url))]
    assert not leaks, leaks
    # What refers to them is still shown, and staff still preview the drafts it names.
    plan_url, results_url = (
        hidden["shown"].get_absolute_url(),
        reverse("consultations:results", args=[references["period"].pk]),
    )
    results = client.get(results_url).content.decode()
    assert "市の考え方" in results and "Bについての論点" in results
    assert "現在公開していない章・節" in results
    for url in (plan_url, reverse("schedule:plan_schedule", args=["leak-shown"]), results_url):
        assert SEEN in admin_client.get(url).content, url
