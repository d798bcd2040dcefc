from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScheduleConfig(AppConfig):
    name = "schedule"
    verbose_name = _("計画期間と策定スケジュール")

    def ready(self):
        from planportal.caching import register_public_content
        from planportal.permissions import register_content_app
        from schedule import models

        register_public_content(models.PlanPeriod, models.Milestone, plans=["plan__slug"])
        register_content_app(self.label)
