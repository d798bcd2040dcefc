from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = _("計画と政策体系")

    def ready(self):
        from policies import models
        from policies.caching import register_public_content

        register_public_content(
            models.Municipality,
            models.Ward,
            models.Bureau,
            models.Division,
            models.SDGGoal,
            models.Plan,
            models.PlanLevel,
            models.BasicGoal,
            models.Strategy,
            models.PolicyNode,
            models.NodeText,
            models.ScaleSet,
            models.ScaleLevel,
            models.Indicator,
            models.IndicatorValue,
        )
        _staff_workflow()


def _staff_workflow():
    """Scope rules for the admin, and owners versioned by their inline rows."""
    from policies.models import NodeText
    from policies.permissions import register_default_rules
    from policies.versioning import version_owner_on_child_change
    from projects.models import ProjectListing, ProjectResult, YearlyTarget

    register_default_rules()
    version_owner_on_child_change(YearlyTarget, "project")
    version_owner_on_child_change(ProjectListing, "project")
    version_owner_on_child_change(ProjectResult, "project")  # inline on the project form too
    version_owner_on_child_change(NodeText, "node")
