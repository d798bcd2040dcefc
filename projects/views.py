"""The public page of a project."""

from django.db.models import Q, prefetch_related_objects
from django.shortcuts import get_object_or_404
from django.views.generic import TemplateView

from planportal.publication import any_related
from planportal.views import last_updated
from policies.models import PolicyNode, PolicyNodeQuerySet
from projects.models import Project, ProjectResult, target_prefetches
from projects.progress import other_values, pending_evaluations, yearly_progress
from projects.sheets import visible_indicators
from projects.site_views import PlanContentMixin


class ProjectDetailView(PlanContentMixin, TemplateView):
    """A project: summary, baseline, yearly targets beside actual results, where it is listed."""

    template_name = "projects/project_detail.html"

    def get_context_data(self, slug, pk, **kwargs):
        # The project with its plan, in one query: a project is visible only in a
        # visible plan.
        project = get_object_or_404(
            self.visible(Project.objects.filter(plan__slug=slug))
            .select_related("plan__municipality", "home_node", "bureau", "division__bureau")
            .annotate(
                has_tags=any_related(Project, "wards", "strategies", "sdg_goals"),
                has_indicators=any_related(Project, "indicators"),
            )
            .prefetch_related(*target_prefetches()),
            pk=pk,
        )
        plan = project.plan
        if project.has_tags:
            prefetch_related_objects(
                [project], "wards", self.visible_related(Project, "strategies"), "sdg_goals"
            )
        nodes_shown = Q() if self.is_preview else PolicyNodeQuerySet.published_for("node")
        listings = project.listings.filter(nodes_shown).select_related("node__level_label")
        # The project is visible: of its results and values, only their own status counts.
        visible_results = self.visible_own(ProjectResult.objects.filter(project=project))
        results = list(visible_results)
        values = list(self.visible_own(project.evaluation_values.with_levels()))
        pending = pending_evaluations(Project.objects.filter(pk=project.pk), visible_results)
        # The home measure's visible ancestors and itself, in one query: the home measure
        # is shown only if it is visible, that is the last of them.
        ancestors = (
            list(
                self.visible(
                    PolicyNode.objects.around(project.home_node, include_self=True)
                ).select_related("level_label")
            )
            if project.home_node_id
            else []
        )
        home_node = ancestors[-1] if ancestors and ancestors[-1] == project.home_node else None
        return super().get_context_data(
            plan=plan,
            project=project,
            listings=listings,
            home_node=home_node,
            ancestors=ancestors if home_node else [],
            trail=[{"label": project.display_name}],
            **self.progress(project, results, values, pending),
            indicators=(
                visible_indicators(self.visible, project.indicators.all())
                if project.has_indicators
                else []
            ),
            updated_at=last_updated([project], results, values),
            **kwargs,
        )

    @staticmethod
    def progress(project, results, values, pending) -> dict:
        """The year-by-year table (a column per yearly criterion) and the period reviews:
        the criteria are read only when there is something to show."""
        if not (results or values or pending):
            return {"progress": [], "criteria": [], "period_values": []}
        criteria = project.plan.yearly_criteria()
        return {
            "progress": yearly_progress(project, results, values, criteria, pending),
            "criteria": criteria,
            "period_values": other_values(values),
        }
