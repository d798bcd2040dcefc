from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = _("事業")

    def ready(self):
        from planportal.caching import register_public_content
        from planportal.versioning import version_owner_on_child_change
        from projects import models, scopes

        children = (models.YearlyTarget, models.TargetRevision, models.ProjectResult)
        register_public_content(
            models.Project, plans=["plan__slug"], nodes=["listings__node", "home_node"]
        )
        register_public_content(
            *children, plans=["project__plan__slug"], nodes=["project__listings__node"]
        )
        register_public_content(
            models.ProjectListing,
            plans=["project__plan__slug"],
            nodes=["node", "project__listings__node"],
        )
        register_public_content(  # of a project, or of a node (then without a project)
            models.EvaluationValue,
            plans=["project__plan__slug", "node__plan__slug"],
            nodes=["project__listings__node", "node"],
        )
        scopes.register()
        # A project's form has its targets, listings, results and values inline: changing
        # one of them outdates forms of the project opened before.
        # A node's values have no project: nothing to raise.
        for child in (*children, models.ProjectListing, models.EvaluationValue):
            version_owner_on_child_change(child, "project")
