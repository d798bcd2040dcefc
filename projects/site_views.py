"""Public, read-only pages of plans and their trees.

Every view asks ``VisibleContentMixin.visible()`` for its content: citizens
see what is published; signed-in staff also see drafts, marked as such (the
preview). Each page runs a fixed number of queries, whatever the plan's size.
"""

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    Exists,
    Max,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    prefetch_related_objects,
)
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from planportal.publication import any_related, compiled
from planportal.views import VisibleContentMixin, last_updated
from policies.models import Municipality, Plan, PolicyNode, SDGGoal, Strategy, Ward
from projects import layout
from projects.changes import latest_changes
from projects.models import (
    EvaluationValue,
    Project,
    ProjectListing,
    ProjectResult,
    target_prefetches,
)
from projects.progress import excluded_projects, pending_evaluations, rollup_line, rollups
from projects.search import SearchForm
from projects.sheets import visible_indicators
from projects.templatetags.plan_tags import ja
from schedule.timeline import build_timeline

LISTINGS_PER_PAGE = 50


def paginate(request, queryset, param: str = "page"):
    """One page of ``queryset``; a missing or malformed page number gives a valid page.

    The first page is read with one row more than it shows: without that row, the rows
    read are all there are and no COUNT query is needed (most lists fit on one page)."""
    number = request.GET.get(param)
    if number not in (None, "1"):
        return Paginator(queryset, LISTINGS_PER_PAGE).get_page(number)
    rows = list(queryset[: LISTINGS_PER_PAGE + 1])
    paginator = Paginator(queryset if len(rows) > LISTINGS_PER_PAGE else rows, LISTINGS_PER_PAGE)
    return Page(rows[:LISTINGS_PER_PAGE], 1, paginator)


class PlanContentMixin(VisibleContentMixin):
    """A page of one plan, found by its slug among the plans the visitor may see."""

    def visible_plan(self, slug) -> Plan:
        return self.visible_or_404(Plan.objects.select_related("municipality"), slug=slug)


def strategies_with_content(visible):
    """Strategies, each with ``has_content``: whether a visible node or project is tied to it
    (a strategy page without them would be a dead end)."""
    nodes = visible(PolicyNode.objects.all()).filter(strategies=OuterRef("pk"))
    projects = visible(Project.objects.all()).filter(strategies=OuterRef("pk"))
    return Strategy.objects.annotate(has_content=Exists(nodes) | Exists(projects))


def plans_with_sdg_links(plans):
    """Plans, each with ``has_sdg_links``: whether its policy × SDG matrix has a mark."""
    nodes = PolicyNode.objects.filter(plan=OuterRef("pk"), sdg_goals__isnull=False)
    projects = Project.objects.filter(plan=OuterRef("pk"), sdg_goals__isnull=False)
    return plans.annotate(has_sdg_links=Exists(nodes) | Exists(projects))


class HomeView(VisibleContentMixin, TemplateView):
    """The plans of every municipality, with ways in: basic policies, strategies, wards, SDGs, search."""

    template_name = "policies/home.html"

    def get_context_data(self, **kwargs):
        plans = self.visible(Plan.objects.all()).prefetch_related(
            "basic_goals",
            "periods",
            "levels",
            Prefetch("strategies", queryset=strategies_with_content(self.visible)),
        )
        roots = self.visible(PolicyNode.objects.filter(parent=None)).select_related("level_label")
        municipalities = Municipality.objects.prefetch_related(
            Prefetch(
                "plans",
                queryset=plans.prefetch_related(Prefetch("nodes", queryset=roots, to_attr="roots")),
            ),
            "wards",
        ).order_by("pk")
        sections = []
        for municipality in municipalities:
            plans_here = list(municipality.plans.all())
            for plan in plans_here:
                plan.timeline = build_timeline(plan.periods.all())
                plan.ways_to_strategies = [s for s in plan.strategies.all() if s.has_content]
            if plans_here:
                sections.append(
                    {
                        "municipality": municipality,
                        "plans": [p for p in plans_here if p.kind != Plan.Kind.DRAFTING_POLICY],
                        "drafting_policies": [
                            p for p in plans_here if p.kind == Plan.Kind.DRAFTING_POLICY
                        ],
                    }
                )
        shown = [plan for section in sections for plan in section["plans"]]
        return super().get_context_data(
            sections=sections,
            readable=[plan for plan in shown if plan.roots],
            updated_at=last_updated(shown),
            **kwargs,
        )


class PlanDetailView(PlanContentMixin, TemplateView):
    """A plan: its vision and goals, periods, strategies and its whole tree."""

    template_name = "policies/plan_detail.html"

    def get_context_data(self, slug, **kwargs):
        plan = self.visible_plan(slug)
        nodes = self.visible(plan.nodes.all()).select_related("level_label")
        parent_plan = (
            self.visible(Plan.objects.filter(pk=plan.related_plan_id)).first()
            if plan.related_plan_id
            else None
        )
        return super().get_context_data(
            plan=plan,
            tree=nodes.get_cached_trees(),
            basic_goals=plan.basic_goals.all(),
            timeline=build_timeline(plan.periods.all()),
            has_milestones=self.visible(plan.milestones.all()).exists(),
            # A drafting policy's schedule is its target plan's; any other plan's
            # schedule is its own, never the one of the plan above it.
            parent_has_milestones=bool(parent_plan)
            and plan.kind == Plan.Kind.DRAFTING_POLICY
            and self.visible(parent_plan.milestones.all()).exists(),
            strategies=strategies_with_content(self.visible).filter(plan=plan),
            related_plans=self.visible(plan.related_plans.all()),
            parent_plan=parent_plan,
            project_count=self.visible(plan.projects.all()).count(),
            has_sdg_links=_sdg_links(plan).exists(),
            updated_at=plan.updated_at,
            **kwargs,
        )


def _sdg_links(plan):
    return SDGGoal.objects.filter(Q(nodes__plan=plan) | Q(projects__plan=plan))


class NodeDetailView(PlanContentMixin, TemplateView):
    """A node: breadcrumbs, texts, children and the projects listed under it."""

    template_name = "policies/node_detail.html"

    def get_context_data(self, slug, pk, **kwargs):
        # The node, its plan and the nodes above it in one query: the node is visible
        # when it is the last of the visible ones.
        path = list(
            self.visible(PolicyNode.objects.filter(plan__slug=slug))
            .path_to(pk)
            .select_related("plan__municipality", "level_label")
            .annotate(
                has_tags=any_related(PolicyNode, "strategies", "sdg_goals", "wards"),
                has_indicators=any_related(PolicyNode, "indicators"),
                has_evaluation_values=any_related(PolicyNode, "evaluation_values"),
                plan_has_comment_periods=any_related(Plan, "comment_periods", pk="plan"),
            )
        )
        if not path or path[-1].pk != pk:
            raise Http404
        node, plan = path[-1], path[-1].plan
        if node.has_tags:
            prefetch_related_objects(
                [node],
                self.visible_related(PolicyNode, "strategies", "plan"),
                "sdg_goals",
                "wards",
            )
        # Rows of projects the visitor may see: formatted SQL, not a nested queryset.
        shown = Q() if self.is_preview else Project.objects.published_for("project")
        listings = self.listings(plan, node, shown)
        listed = self.all_listed(node, listings)
        under = self.visible(Project.objects.all()).under(node)
        # The visible projects under the node, for the roll-up's three queries: those just
        # listed, or else the subquery compiled once. Their results and values need only
        # be published themselves.
        under_pks = listed if listed is not None else compiled(under.values("pk"))
        projects = Project.objects.filter(pk__in=under_pks)
        # The visible results and values of any project: the pending evaluations and the
        # excluded projects ask them only of these projects' rows (correlated).
        any_results = self.visible_own(ProjectResult.objects.all())
        any_values = self.visible_own(EvaluationValue.objects.all())
        results = any_results.filter(project__in=under_pks)
        values = any_values.filter(project__in=under_pks)
        pending = pending_evaluations(projects, any_results)
        progress = [r for r in rollups(results, values, plan.yearly_criteria, pending) if r]
        # The node's own values show when its plan's scheme rates nodes: asked of a node
        # that has some.
        rates_nodes = node.has_evaluation_values and any(
            not criterion.on_project for criterion in plan.criteria(with_levels=False)
        )
        below = 0
        if progress or not node.is_leaf_node():
            below = len(listed) if listed is not None else under.count()
        line = rollup_line(progress[0], below, pending) if progress else None
        excluded = (
            excluded_projects(line, projects, any_results, any_values)
            if line and line.excluded
            else None
        )
        return super().get_context_data(
            plan=plan,
            node=node,
            ancestors=path[:-1],
            trail=[{"label": str(node)}],
            texts=node.texts.all(),
            children=self.children(plan, node, shown),
            listings=listings,
            projects_below=below if not node.is_leaf_node() else 0,
            rollups=progress,
            node_values=(
                self.visible_own(node.evaluation_values.with_levels()) if rates_nodes else []
            ),
            rollup_line=line,
            excluded_projects=excluded,
            indicators=(
                visible_indicators(self.visible, node.indicators.all())
                if node.has_indicators
                else []
            ),
            updated_at=node.updated_at,
            **kwargs,
        )

    def listings(self, plan, node, projects_shown):
        """A page of the node's listings of visible projects, with their home measure and
        targets; their plan is the node's (a listing's project and node are of one plan),
        not read again for each."""
        listings = (
            node.listings.filter(projects_shown)
            .order_by("position", "pk")  # the model's ordering starts with the node
            .select_related("project__home_node")
            .prefetch_related(*target_prefetches("project__"))
        )
        page = paginate(self.request, listings)
        for listing in page:
            listing.project.plan = plan
        return page

    @staticmethod
    def all_listed(node, listings) -> list[int] | None:
        """The pks of the visible projects under ``node`` when the page of its listings
        holds them all (a leaf's listings fit on one page: each lists a project once),
        else None. A literal list, which PostgreSQL plans at once, where the projects'
        visibility rules take it a millisecond to plan in each query that repeats them."""
        if node.is_leaf_node() and not listings.has_other_pages():
            return [listing.project_id for listing in listings]
        return None

    def children(self, plan, node, projects_shown):
        """The visible children, each with ``has_projects`` (a visible project listed on it
        or below); a leaf has none to read."""
        if node.is_leaf_node():
            return []
        listings = ProjectListing.objects.filter(projects_shown)
        return (
            self.visible(plan.nodes.filter(parent=node))
            .select_related("level_label")
            .with_any_below("has_projects", listings)
        )


class StrategyDetailView(PlanContentMixin, TemplateView):
    template_name = "policies/strategy_detail.html"

    def get_context_data(self, slug, pk, **kwargs):
        plan = self.visible_plan(slug)
        strategy = get_object_or_404(plan.strategies.all(), pk=pk)
        nodes = self.visible(strategy.nodes.select_related("plan", "level_label"))
        projects = paginate(
            self.request,
            self.visible(strategy.projects.select_related("plan", "home_node")).order_by("pk"),
        )
        return super().get_context_data(
            plan=plan,
            strategy=strategy,
            trail=[{"label": str(strategy)}],
            nodes=nodes,
            projects=projects,
            updated_at=last_updated([strategy], nodes, projects),
            **kwargs,
        )


class WardListView(VisibleContentMixin, TemplateView):
    """The wards of each city; 最終更新 from the newest of what their pages list (the
    projects and nodes tagged with a ward, and the (各区) projects), read in the same query."""

    template_name = "policies/ward_list.html"

    def newest(self, queryset):
        """The newest ``updated_at`` of the visible rows of ``queryset`` in the outer city."""
        rows = self.visible(queryset.filter(plan__municipality=OuterRef("pk")))
        return Subquery(rows.order_by("-updated_at").values("updated_at")[:1])

    def get_context_data(self, **kwargs):
        tagged = Q(wards__isnull=False)
        municipalities = list(
            Municipality.objects.prefetch_related("wards")
            .annotate(
                ward_count=Count("wards"),
                projects_updated_at=self.newest(Project.objects.filter(tagged | Q(each_ward=True))),
                nodes_updated_at=self.newest(PolicyNode.objects.filter(tagged)),
            )
            .filter(ward_count__gt=0)
        )
        stamps = [
            stamp
            for municipality in municipalities
            for stamp in (municipality.projects_updated_at, municipality.nodes_updated_at)
            if stamp is not None
        ]
        return super().get_context_data(
            municipalities=municipalities,
            trail=[{"label": _("区から探す")}],
            updated_at=max(stamps, default=None),
            **kwargs,
        )


class WardDetailView(VisibleContentMixin, TemplateView):
    """A ward's projects: those tagged with it, the (各区) projects of its city, and
    those whose texts name a place of the ward (possibly related)."""

    template_name = "policies/ward_detail.html"

    def get_context_data(self, municipality, ward, **kwargs):
        ward = get_object_or_404(
            Ward.objects.select_related("municipality"), municipality__slug=municipality, slug=ward
        )
        projects = self.visible(
            Project.objects.filter(plan__municipality=ward.municipality)
        ).select_related("plan", "home_node")
        tagged = paginate(self.request, projects.filter(wards=ward).order_by("pk"))
        each_ward = paginate(
            self.request, projects.filter(each_ward=True).order_by("pk"), "each_page"
        )
        nodes = self.visible(ward.nodes.select_related("plan", "level_label"))
        # Projects neither tagged nor (各区) whose texts name a place of the ward: a hint,
        # shown apart with the words found, until staff tag them.
        possibly_related = paginate(
            self.request,
            projects.possibly_in(ward).prefetch_related(*target_prefetches()).order_by("pk"),
            "related_page",
        )
        for project in possibly_related:
            project.words_found = project.words_named(ward.names_in_text)
        return super().get_context_data(
            ward=ward,
            possibly_related_projects=possibly_related,
            trail=[
                {"label": _("区から探す"), "url": reverse("policies:wards")},
                {"label": ward.name},
            ],
            tagged_projects=tagged,
            each_ward_projects=each_ward,
            nodes=nodes,
            updated_at=last_updated(tagged, each_ward, possibly_related, nodes),
            **kwargs,
        )


class SDGListView(VisibleContentMixin, TemplateView):
    template_name = "policies/sdg_list.html"

    def get_context_data(self, **kwargs):
        nodes = self.visible(PolicyNode.objects.all())
        projects = self.visible(Project.objects.all())
        goals = list(
            SDGGoal.objects.annotate(
                node_count=Count("nodes", filter=Q(nodes__in=nodes), distinct=True),
                project_count=Count("projects", filter=Q(projects__in=projects), distinct=True),
                nodes_updated_at=Max("nodes__updated_at", filter=Q(nodes__in=nodes)),
                projects_updated_at=Max("projects__updated_at", filter=Q(projects__in=projects)),
            )
        )
        stamps = [
            stamp
            for goal in goals
            for stamp in (goal.nodes_updated_at, goal.projects_updated_at)
            if stamp is not None
        ]
        plans = plans_with_sdg_links(self.visible(Plan.objects.all()))
        return super().get_context_data(
            goals=goals,
            updated_at=max(stamps, default=None),
            plans=[plan for plan in plans if plan.has_sdg_links],
            trail=[{"label": _("SDGsから探す")}],
            **kwargs,
        )


class SDGDetailView(VisibleContentMixin, TemplateView):
    template_name = "policies/sdg_detail.html"

    def get_context_data(self, number, **kwargs):
        goal = get_object_or_404(SDGGoal, number=number)
        nodes = self.visible(goal.nodes.select_related("plan", "level_label"))
        projects = paginate(
            self.request,
            self.visible(goal.projects.select_related("plan", "home_node")).order_by("pk"),
        )
        return super().get_context_data(
            goal=goal,
            trail=[
                {"label": _("SDGsから探す"), "url": reverse("policies:sdgs")},
                {"label": str(goal)},
            ],
            nodes=nodes,
            projects=projects,
            updated_at=last_updated(nodes, projects),
            **kwargs,
        )


class SDGMatrixView(PlanContentMixin, TemplateView):
    """Policy × SDG: which goals each top-level node serves, itself or through what is below it."""

    template_name = "policies/sdg_matrix.html"

    def get_context_data(self, slug, **kwargs):
        plan = self.visible_plan(slug)
        goals = list(SDGGoal.objects.all())
        roots = list(self.visible(plan.nodes.filter(parent=None)).select_related("level_label"))
        node_links = self.visible(plan.nodes.all()).values_list("tree_id", "sdg_goals__number")
        project_links = self.visible(plan.projects.all()).values_list(
            "listings__node__tree_id", "sdg_goals__number"
        )
        linked = {(tree_id, number) for tree_id, number in [*node_links, *project_links] if number}
        rows = []
        for root in roots:
            cells = [(goal, (root.tree_id, goal.number) in linked) for goal in goals]
            rows.append((root, cells, [goal for goal, is_linked in cells if is_linked]))
        return super().get_context_data(
            plan=plan,
            goals=goals,
            rows=rows,
            has_links=bool(linked),
            trail=[{"label": _("政策とSDGsの対応表")}],
            updated_at=last_updated([plan], roots),
            **kwargs,
        )


class GlossaryView(TemplateView):
    """The meaning of the plans' insider terms (本来の施策, 再掲, 各区 …)."""

    template_name = "policies/glossary.html"
    extra_context = {"trail": [{"label": _("用語集")}]}


class SearchView(VisibleContentMixin, TemplateView):
    template_name = "policies/search.html"

    def get_context_data(self, **kwargs):
        form = SearchForm(self.request.GET or None, visible=self.visible)
        results = form.search() if form.is_valid() else None
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            form=form,
            results=results,
            updated_at=last_updated(results.nodes, results.projects) if results else None,
            query_string=query.urlencode(),
            trail=[{"label": _("検索")}],
            **kwargs,
        )


def column_help() -> list[tuple[str, str]]:
    """The layout's columns with what each holds, the markers (再掲)/(各区) as printed:
    Japanese inside the translated text, marked as such on English pages."""
    markers = {"relisted": ja("(再掲)"), "each_ward": ja("(各区)")}
    return [
        (header, mark_safe(conditional_escape(str(text)) % markers))  # escaped, then marked
        for header, text in layout.COLUMN_HELP
    ]


class OpenDataView(VisibleContentMixin, TemplateView):
    """Every plan's downloadable files, what their columns hold, and each
    municipality's terms of use (利用条件)."""

    template_name = "policies/open_data.html"

    def get_context_data(self, **kwargs):
        nodes = PolicyNode.objects.filter(plan=OuterRef("pk"))
        plans = self.visible(Plan.objects.all()).annotate(has_tree=Exists(self.visible(nodes)))
        municipalities = [
            municipality
            for municipality in Municipality.objects.prefetch_related(Prefetch("plans", plans))
            if municipality.plans.all()
        ]
        return super().get_context_data(
            municipalities=municipalities,
            columns=column_help(),
            trail=[{"label": _("オープンデータ")}],
            updated_at=last_updated(p for m in municipalities for p in m.plans.all()),
            **kwargs,
        )


class ChangesView(TemplateView):
    """新着・更新情報: the latest changes of published content (drafts never, for staff
    neither: the list says what citizens can read)."""

    template_name = "policies/changes.html"

    def get_context_data(self, **kwargs):
        items = latest_changes()
        return super().get_context_data(
            changes=items,
            trail=[{"label": _("新着・更新情報")}],
            updated_at=items[0].when if items else None,
            **kwargs,
        )
