"""Form and model validation of fiscal years, from the rules in schedule.fiscal."""

from django.core.validators import MaxValueValidator, MinValueValidator

from schedule.fiscal import FIRST_FISCAL_YEAR

LAST_FISCAL_YEAR = 2200  # far enough for any plan's final target, near enough to catch typos

fiscal_year_validators = [
    MinValueValidator(FIRST_FISCAL_YEAR),
    MaxValueValidator(LAST_FISCAL_YEAR),
]
