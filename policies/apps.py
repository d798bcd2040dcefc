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
