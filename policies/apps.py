from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = _("計画と政策体系")

    def ready(self):
        from planportal.caching import register_public_content, register_section_tree
        from planportal.versioning import version_owner_on_child_change
        from policies import models, scopes

        register_section_tree(
            models.PolicyNode,
            lambda nodes: list(
                models.PolicyNode.objects.containing(nodes).values_list("pk", flat=True)
            ),
        )
        # Shared by every plan, and plan rows (a plan page shows its related plans).
        register_public_content(
            models.Municipality,
            models.Ward,
            models.Bureau,
            models.Division,
            models.SDGGoal,
            models.Plan,
            models.EvaluationScheme,  # a scheme may be shared by several plans
            models.Criterion,
            models.CriterionLevel,
        )
        # Printed in every section of their plan (a node's heading also where a project
        # whose home it is is listed again, 再掲).
        register_public_content(
            models.PlanLevel,
            models.BasicGoal,
            models.Strategy,
            models.PolicyNode,
            plans=["plan__slug"],
        )
        register_public_content(models.NodeText, plans=["node__plan__slug"], nodes=["node"])
        register_public_content(
            models.MeasureEvaluation, plans=["node__plan__slug"], nodes=["node"]
        )
        register_public_content(
            models.Indicator,
            plans=["node__plan__slug", "project__plan__slug"],
            nodes=["node", "project__listings__node"],
        )
        register_public_content(
            models.IndicatorValue,
            plans=["indicator__node__plan__slug", "indicator__project__plan__slug"],
            nodes=["indicator__node", "indicator__project__listings__node"],
        )
        scopes.register()
        version_owner_on_child_change(models.NodeText, "node")
