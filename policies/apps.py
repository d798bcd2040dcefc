from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PoliciesConfig(AppConfig):
    name = "policies"
    verbose_name = _("計画と政策体系")

    def ready(self):
        from planportal.caching import register_public_content
        from planportal.versioning import version_owner_on_child_change
        from policies import models, scopes

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
            models.EvaluationScheme,
            models.Criterion,
            models.CriterionLevel,
            models.Indicator,
            models.IndicatorValue,
            models.MeasureEvaluation,
        )
        scopes.register()
        version_owner_on_child_change(models.NodeText, "node")
