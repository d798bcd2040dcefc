from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("事業")

    def ready(self):
        from planportal.caching import register_public_content
        from planportal.versioning import version_owner_on_child_change
        from projects import models, scopes

        children = (
            models.YearlyTarget,
            models.TargetRevision,
            models.ProjectListing,
            models.ProjectResult,
        )
        register_public_content(models.Project, *children, models.EvaluationValue)
        scopes.register()
        # A project's form has its targets, listings and results inline: changing
        # one of them outdates forms of the project opened before.
        for child in children:
            version_owner_on_child_change(child, "project")
