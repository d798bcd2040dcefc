from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("事業")

    def ready(self):
        from policies.caching import register_public_content
        from projects import models

        register_public_content(
            models.Project, models.ProjectListing, models.YearlyTarget, models.ProjectResult
        )
