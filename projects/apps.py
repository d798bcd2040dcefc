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
            models.EvaluationValue,  # a node's values have no project: nothing to raise
        )
        register_public_content(models.Project, *children)
        scopes.register()
        # A project's form has its targets, listings, results and values inline: changing
        # one of them outdates forms of the project opened before.
        for child in children:
            version_owner_on_child_change(child, "project")
