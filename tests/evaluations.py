"""Results and evaluation values as tests write them: levels by criterion name and code."""

from planportal.publication import PublicationStatus
from policies.models import CriterionLevel
from policies.scales import ACHIEVEMENT, REVIEW
from projects.models import EvaluationValue, ProjectResult
from rounds.services import RowValues

PUBLISHED = PublicationStatus.PUBLISHED


def level_of(plan, code, criterion=None):
    """The level ``code`` of the plan's scheme: of ``criterion`` (a name), or of 達成度
    (1–5) or 評価結果 (A–H) by the code alone."""
    if criterion is None:
        criterion = ACHIEVEMENT if code.isdigit() else REVIEW
    return CriterionLevel.objects.get(
        criterion__scheme=plan.scheme, criterion__name=criterion, code=code
    )


def record(project, fiscal_year, *, achievement=None, review=None, actual="", status=PUBLISHED):
    """A project's result for the year and its 達成度 and 評価結果, validated and saved."""
    result = ProjectResult(project=project, fiscal_year=fiscal_year, actual=actual, status=status)
    result.full_clean()
    result.save()
    for code in (achievement, review):
        if code:
            level = level_of(project.plan, code)
            value = EvaluationValue(
                project=project,
                fiscal_year=fiscal_year,
                criterion=level.criterion,
                level=level,
                status=status,
            )
            value.full_clean()
            value.save()
    return result


def levels(project, fiscal_year) -> dict[str, str]:
    """The project's level codes for the year, by criterion name."""
    return {
        value.criterion.name: value.level.code
        for value in EvaluationValue.objects.filter(
            project=project, fiscal_year=fiscal_year
        ).select_related("criterion", "level")
    }


def row(plan, actual="", achievement=None, review=None, comment="") -> RowValues:
    """A round's row: the 実績, the levels of the plan's yearly criteria, the 説明."""
    chosen = [level_of(plan, code) for code in (achievement, review) if code]
    return RowValues(
        actual=actual,
        levels={
            criterion.pk: next((lv for lv in chosen if lv.criterion_id == criterion.pk), None)
            for criterion in plan.yearly_criteria()
        },
        comment=comment,
    )
