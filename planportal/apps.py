from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class PlanPortalConfig(AppConfig):
    """The project itself: its system checks (planportal/checks.py)."""

    name = "planportal"

    def ready(self):
        from planportal import checks  # noqa: F401  (registers the checks)


class PlanPortalAdminConfig(AdminConfig):
    default_site = "planportal.admin.PlanPortalAdminSite"
