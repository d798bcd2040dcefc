"""What scoped staff may do with projects (registered by ProjectsConfig).

Bureau editors change the projects of their bureau (or one of its sections);
ward editors those tagged with their ward and their city's (各区) projects.
Targets, their revisions, listings and results belong to their project; an
evaluation value to its project, or to its node (ward editors: their wards' nodes).
"""

from django.db.models import Q

from planportal.permissions import (
    BUREAU_EDITORS,
    NOTHING,
    WARD_EDITORS,
    Scope,
    grant,
    owned_by,
    register_content_app,
    register_scope_rule,
)
from policies import scopes as policy_scopes
from policies.models import PolicyNode
from projects.models import (
    EvaluationValue,
    Project,
    ProjectListing,
    ProjectResult,
    TargetRevision,
    YearlyTarget,
)

# What every scoped editor may do with the projects in their scope.
PROJECT_EDITING = [
    "projects.add_project",
    "projects.change_project",
    "projects.add_yearlytarget",
    "projects.change_yearlytarget",
    "projects.delete_yearlytarget",
    "projects.add_targetrevision",
    "projects.change_targetrevision",
    "projects.delete_targetrevision",
    "projects.add_projectlisting",
    "projects.change_projectlisting",
    "projects.delete_projectlisting",
    "projects.add_projectresult",
    "projects.change_projectresult",
    "projects.add_evaluationvalue",
    "projects.change_evaluationvalue",
    "projects.delete_evaluationvalue",
]


# Bureau editors record the indicators of their projects (ward editors already may).
INDICATOR_EDITING = [
    "policies.add_indicator",
    "policies.change_indicator",
    "policies.add_indicatorvalue",
    "policies.change_indicatorvalue",
    "policies.delete_indicatorvalue",
]


def project_condition(scope: Scope) -> Q:
    """Projects of the editor's bureau (section) or ward, in plans of the editor's city."""
    condition = NOTHING
    if scope.bureau_id:
        in_bureau = Q(bureau_id=scope.bureau_id)
        if scope.division_id:
            in_bureau &= Q(division_id=scope.division_id)
        condition |= in_bureau
    if scope.ward_id:
        condition |= Q(wards=scope.ward_id) | Q(each_ward=True)
    return condition & Q(plan__municipality_id=scope.municipality_id)


def register() -> None:
    register_content_app("projects")
    register_scope_rule(
        Project,
        project_condition,
        scope_fields=["plan", "bureau", "division", "wards", "each_ward"],
    )
    owned = owned_by(Project, project_condition, "project")
    for child in (YearlyTarget, TargetRevision, ProjectListing, ProjectResult):
        register_scope_rule(child, owned, "project", scope_fields=["project"])
    project_owned = owned_by(Project, project_condition, "project")
    node_owned = owned_by(PolicyNode, policy_scopes.node_condition, "node")

    def evaluation_condition(scope: Scope) -> Q:
        return project_owned(scope) | node_owned(scope)

    register_scope_rule(EvaluationValue, evaluation_condition, scope_fields=["project", "node"])
    # Indicators on a project belong to it, those on a node to the node.
    project_indicators = owned_by(Project, project_condition, "project")

    def indicator_condition(scope: Scope) -> Q:
        return policy_scopes.indicator_condition(scope) | project_indicators(scope)

    policy_scopes.register_indicator_rules(indicator_condition)
    grant(BUREAU_EDITORS, *PROJECT_EDITING, *INDICATOR_EDITING)
    grant(WARD_EDITORS, *PROJECT_EDITING)
