"""Japanese substring search over the plan tree and its projects.

Japanese has no spaces between words, so the search is by substring: every
space-separated term must occur somewhere in a node (code, title, texts) or a
project (name, summary, baseline, actions, yearly targets). Full-width
letters and digits are folded first. On PostgreSQL, trigram indexes
(policies/search_indexes.py) serve these LIKE queries.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django import forms
from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, Q, Window
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from planportal.i18n import has_japanese, is_english
from policies.models import NodeText, Plan, PolicyNode, Strategy, Ward
from projects.models import (
    Project,
    ProjectListing,
    TargetRevision,
    YearlyTarget,
    target_prefetches,
)
from projects.target_table import cell_for_year, fold_width
from schedule.fiscal import FiscalYearError, parse_fiscal_year

MAX_QUERY_LENGTH = 100
MAX_TERMS = 5
RESULTS_PER_PAGE = 30
SNIPPET_RADIUS = 40


def search_terms(query: str) -> list[str]:
    """The distinct terms of a query, width-folded, in order."""
    terms = []
    for term in fold_width(query or "").split():
        if term not in terms:
            terms.append(term)
    return terms


def split_fiscal_year(terms: list[str]) -> tuple[int | None, list[str]]:
    """Take out the first term that reads as a fiscal year (平成25年度, H25, R5, 2013年度,
    2013): the search narrows to that year. The other terms are searched as text."""
    for index, term in enumerate(terms):
        try:
            fiscal_year = parse_fiscal_year(term)
        except FiscalYearError:
            continue
        return fiscal_year, terms[:index] + terms[index + 1 :]
    return None, terms


def year_targets(project, fiscal_year: int) -> list[str]:
    """What the project's target table says for ``fiscal_year``, one text per printed line."""
    texts = []
    for row in project.target_rows():
        cell = cell_for_year(row, fiscal_year)
        if cell is not None and cell.resolved_text:
            texts.append(cell.resolved_text)
    return texts


def counted_page(queryset, number, per_page: int) -> Page:
    """Page ``number`` of ``queryset`` (rows without duplicates), its total counted in
    the same scan: the page's ids with a window COUNT over every match, then those rows
    with their relations. Counting first and then reading the page scanned the matches
    twice and joined every match's relations before the LIMIT (20,000 matches: 140 ms
    of PostgreSQL's time, now 60)."""
    paginator = Paginator(queryset, per_page)
    try:
        wanted = max(int(number or 1), 1)
    except (TypeError, ValueError):
        wanted = 1
    bottom = (wanted - 1) * per_page
    if bottom > 2**31:  # beyond any list, and beyond the database's integers: the last page
        return paginator.get_page(wanted)
    ids_and_total = list(
        queryset.annotate(matches=Window(Count("pk"))).values_list("pk", "matches")[
            bottom : bottom + per_page
        ]
    )
    if not ids_and_total:  # past the last page, or no match: the paginator counts
        return paginator.get_page(wanted)
    paginator.count = ids_and_total[0][1]
    page = paginator.get_page(wanted)
    found = queryset.in_bulk([pk for pk, _ in ids_and_total])
    page.object_list = [found[pk] for pk, _ in ids_and_total]
    return page


def highlight(text: str, terms: list[str]) -> str:
    """Escape ``text`` and wrap every occurrence of a term in <mark>."""
    if not terms:
        return escape(text)
    pattern = re.compile(
        "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True)), re.I
    )
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(f"<mark>{escape(match.group())}</mark>")
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))


def snippet(texts: list[str], terms: list[str]) -> str:
    """The part of the first text that contains a term, around its first match."""
    lowered = [term.lower() for term in terms]
    for text in texts:
        flat = " ".join(text.split())
        position = min((i for t in lowered if (i := flat.lower().find(t)) >= 0), default=-1)
        if position >= 0:
            start = max(0, position - SNIPPET_RADIUS)
            end = min(len(flat), position + SNIPPET_RADIUS * 2)
            excerpt = ("…" if start else "") + flat[start:end] + ("…" if end < len(flat) else "")
            return highlight(excerpt, terms)
    return ""


@dataclass
class SearchResults:
    terms: list[str]
    nodes: list
    node_count: int
    projects: object  # a Page of projects
    project_count: int
    fiscal_year: int | None = None  # the year the search is narrowed to

    @property
    def total(self) -> int:
        return self.node_count + self.project_count


class ContentSelect(forms.Select):
    """A choice among plan content: on English pages, options named in Japanese say so."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        if is_english() and has_japanese(label):
            option["attrs"]["lang"] = "ja"
        return option


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("検索語"),
        required=False,
        max_length=MAX_QUERY_LENGTH,
        error_messages={"max_length": _("検索語は%(limit_value)d文字以内で入力してください。")},
        help_text=_("語の一部でも探せます。空白で区切ると、すべての語を含むものを探します。"),
    )
    plan = forms.ModelChoiceField(
        label=_("計画"),
        queryset=Plan.objects.none(),
        required=False,
        to_field_name="slug",
        empty_label=_("すべての計画"),
        widget=ContentSelect,
    )
    policy = forms.ModelChoiceField(
        label=_("基本政策など最上位の項目"),
        queryset=PolicyNode.objects.none(),
        required=False,
        empty_label=_("すべて"),
        widget=ContentSelect,
    )
    ward = forms.ModelChoiceField(
        label=_("区"),
        queryset=Ward.objects.select_related("municipality"),
        required=False,
        empty_label=_("すべての区"),
        widget=ContentSelect,
    )
    strategy = forms.ModelChoiceField(
        label=_("戦略"),
        queryset=Strategy.objects.none(),
        required=False,
        empty_label=_("すべての戦略"),
        widget=ContentSelect,
    )
    page = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)

    def __init__(self, *args, visible=lambda queryset: queryset.published(), **kwargs):
        super().__init__(*args, **kwargs)
        self.visible = visible
        plans = visible(Plan.objects.all())
        self.fields["plan"].queryset = plans
        self.fields["policy"].queryset = visible(
            PolicyNode.objects.filter(parent=None, plan__in=plans)
        ).select_related("plan")
        self.fields["policy"].label_from_instance = lambda node: f"{node.plan.title}：{node}"
        self.fields["ward"].label_from_instance = lambda ward: (
            ward.name_en if is_english() and ward.name_en else str(ward)
        )
        self.fields["strategy"].queryset = visible(Strategy.objects.select_related("plan"))

    def clean_q(self):
        terms = search_terms(self.cleaned_data["q"])
        if len(terms) > MAX_TERMS:
            raise forms.ValidationError(
                _("検索語は%(count)d個までにしてください。") % {"count": MAX_TERMS}
            )
        return " ".join(terms)

    def clean(self):
        cleaned = super().clean()
        filters = ("plan", "policy", "ward", "strategy")
        if not self.errors and not cleaned.get("q") and not any(cleaned.get(f) for f in filters):
            raise forms.ValidationError(_("検索語を入力するか、絞り込みの条件を選んでください。"))
        return cleaned

    # --- the search ---------------------------------------------------------

    def search(self) -> SearchResults:
        data = self.cleaned_data
        fiscal_year, terms = split_fiscal_year(search_terms(data["q"]))
        nodes = self._nodes(terms, data, fiscal_year)
        projects = self._projects(terms, data, fiscal_year)
        page = counted_page(projects, data.get("page"), RESULTS_PER_PAGE)
        node_list = list(nodes[:RESULTS_PER_PAGE]) if page.number == 1 else []
        for node in node_list:
            node.snippet = snippet([text.body for text in node.texts.all()], terms)
        for project in page:
            project.snippet = snippet(
                [project.summary, project.baseline, project.actions_in_period]
                + [target.text for target in project.targets.all()],
                terms,
            )
            if fiscal_year:
                project.year_targets = year_targets(project, fiscal_year)
        return SearchResults(
            terms, node_list, nodes.count(), page, page.paginator.count, fiscal_year
        )

    def _nodes(self, terms, data, fiscal_year):
        nodes = self.visible(PolicyNode.objects.all())
        if fiscal_year:
            nodes = nodes.filter(plan__in=Plan.objects.covering(fiscal_year))
        for term in terms:
            in_texts = NodeText.objects.filter(node=OuterRef("pk"), body__icontains=term)
            nodes = nodes.filter(
                Q(title__icontains=term) | Q(code__icontains=term) | Exists(in_texts)
            )
        if data.get("plan"):
            nodes = nodes.filter(plan=data["plan"])
        if data.get("policy"):
            nodes = nodes.within(data["policy"])
        if data.get("ward"):
            nodes = nodes.filter(wards=data["ward"])
        if data.get("strategy"):
            nodes = nodes.filter(strategies=data["strategy"])
        return (
            nodes.select_related("plan", "level_label")
            .prefetch_related("texts")
            .order_by("plan__position", "tree_id", "lft")
        )

    def _projects(self, terms, data, fiscal_year):
        projects = self.visible(Project.objects.all())
        if fiscal_year:
            projects = projects.filter(plan__in=Plan.objects.covering(fiscal_year, after=True))
        for term in terms:
            in_targets = YearlyTarget.objects.filter(project=OuterRef("pk"), text__icontains=term)
            in_revisions = TargetRevision.objects.filter(
                project=OuterRef("pk"), text__icontains=term
            )
            projects = projects.filter(
                Q(name__icontains=term)
                | Q(summary__icontains=term)
                | Q(baseline__icontains=term)
                | Q(actions_in_period__icontains=term)
                | Exists(in_targets)
                | Exists(in_revisions)
            )
        if data.get("plan"):
            projects = projects.filter(plan=data["plan"])
        if data.get("policy"):
            listed = ProjectListing.objects.filter(
                project=OuterRef("pk"), node__in=PolicyNode.objects.within(data["policy"])
            )
            projects = projects.filter(Exists(listed))
        if data.get("ward"):
            ward = data["ward"]
            in_ward = Project.wards.through.objects.filter(project=OuterRef("pk"), ward=ward)
            projects = projects.filter(
                Exists(in_ward) | Q(each_ward=True, plan__municipality=ward.municipality)
            )
        if data.get("strategy"):
            projects = projects.filter(strategies=data["strategy"])
        # counted_page reads the page's ids without these relations, then its 30 rows
        # with them: joined before the LIMIT, PostgreSQL carried them through every match
        # of a broad search (20,000 on the generated plan) to the sort.
        return (
            projects.select_related("plan", "home_node")
            .prefetch_related(*target_prefetches())
            .order_by("plan__position", "pk")
        )
