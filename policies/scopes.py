"""What scoped staff may do with the plan's own models (registered by PoliciesConfig).

Ward editors change the nodes tagged with their ward, with their texts,
indicators and evaluations; every editor may see the edits of theirs that
were refused.
A staff user's scope is read from their ``StaffScope``.
"""

from django.db.models import Q

from planportal.permissions import (
    BUREAU_EDITORS,
    NOTHING,
    WARD_EDITORS,
    Scope,
    grant,
    is_unrestricted,
    owned_by,
    register_content_app,
    register_scope_rule,
    register_staff_scopes,
)
from policies.models import (
    EditConflict,
    Indicator,
    IndicatorValue,
    MeasureEvaluation,
    NodeText,
    PolicyNode,
    StaffScope,
)

PUBLISH_PERMISSION = "policies.publish_content"


def scope_of_staff(user) -> Scope:
    staff = (
        StaffScope.objects.select_related("bureau", "division", "ward").filter(user=user).first()
    )
    if staff is None:
        return Scope()
    city_of = staff.ward or staff.bureau
    return Scope(
        bureau_id=staff.bureau_id,
        division_id=staff.division_id,
        ward_id=staff.ward_id,
        municipality_id=city_of and city_of.municipality_id,
        label="・".join(str(part) for part in (staff.ward, staff.division or staff.bureau) if part),
    )


def node_condition(scope: Scope) -> Q:
    return Q(wards=scope.ward_id) if scope.ward_id else NOTHING


def indicator_condition(scope: Scope) -> Q:
    return owned_by(PolicyNode, node_condition, "node")(scope)


def register_indicator_rules(condition) -> None:
    """An indicator (and its yearly values) is in scope when ``condition`` says so."""
    register_scope_rule(Indicator, condition, scope_fields=["node", "project", "part_of"])
    register_scope_rule(
        IndicatorValue,
        owned_by(Indicator, condition, "indicator"),
        "indicator",
        scope_fields=["indicator"],
    )


def can_restructure_tree(user) -> bool:
    """Adding, moving and deleting nodes reshapes a whole plan: administrators only."""
    return is_unrestricted(user) and user.has_perm("policies.change_policynode")


def register() -> None:
    register_staff_scopes(scope_of_staff, PUBLISH_PERMISSION)
    register_content_app("policies", staff_only=[StaffScope, EditConflict])
    register_scope_rule(PolicyNode, node_condition, scope_fields=["plan", "parent", "wards"])
    register_scope_rule(
        NodeText, owned_by(PolicyNode, node_condition, "node"), "node", scope_fields=["node"]
    )
    register_scope_rule(
        MeasureEvaluation,
        owned_by(PolicyNode, node_condition, "node"),
        "node",
        scope_fields=["node"],
    )
    # Progress: ward editors record the indicators of their nodes (projects
    # extends the rule to indicators on projects, see projects.scopes).
    register_indicator_rules(indicator_condition)
    grant(BUREAU_EDITORS, "policies.view_editconflict")
    grant(
        WARD_EDITORS,
        "policies.view_editconflict",
        "policies.change_policynode",
        "policies.add_nodetext",
        "policies.change_nodetext",
        "policies.delete_nodetext",
        "policies.add_indicator",
        "policies.change_indicator",
        "policies.add_indicatorvalue",
        "policies.change_indicatorvalue",
        "policies.delete_indicatorvalue",
        "policies.add_measureevaluation",
        "policies.change_measureevaluation",
    )
