from django.contrib.admin.apps import AdminConfig


class PlanPortalAdminConfig(AdminConfig):
    default_site = "planportal.admin.PlanPortalAdminSite"
