from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class PlanPortalConfig(AppConfig):
    """The project itself: its system checks (planportal/checks.py)."""

    name = "planportal"

    def ready(self):
        from planportal import checks  # noqa: F401  (registers the checks)


class PlanPortalAdminConfig(AdminConfig):
    default_site = "planportal.admin.PlanPortalAdminSite"

    def ready(self):
        super().ready()  # every app's admin module, django-tasks-db's included
        from django.contrib import admin

        from planportal import task_admin

        task_admin.register(admin.site)
