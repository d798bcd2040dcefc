"""Indicator values as cities write them: a number where one can be read, the text always.

Progress sheets write targets such as 「80%以上」, 「1,200人」, 「3万人」, but also
「継続実施」, 「現状値以上」 or 「増加」. The text is kept as written; this module
reads the number (and a condition such as 以上) out of it where the whole text
is one quantity, so that charts can draw it. Pure Python.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation


class Condition:
    """How a target's number is meant: exactly, at least, at most, above, below."""

    EXACT = ""
    AT_LEAST = "at_least"  # 以上
    AT_MOST = "at_most"  # 以下
    ABOVE = "above"  # 超
    BELOW = "below"  # 未満


CONDITION_WORDS = {
    "以上": Condition.AT_LEAST,
    "以下": Condition.AT_MOST,
    "超": Condition.ABOVE,
    "未満": Condition.BELOW,
}
MULTIPLIERS = {"千": Decimal(1_000), "万": Decimal(10_000), "億": Decimal(100_000_000)}

_CONDITION = re.compile(r"(以上|以下|超|未満)$")
_QUANTITY = re.compile(
    r"^(?:約|およそ)?(?P<number>[+-]?\d[\d,]*(?:\.\d+)?)"
    r"(?P<multiplier>[千万億])?(?P<unit>[^\d]{0,6})$"
)


@dataclass(frozen=True)
class Reading:
    value: Decimal | None  # None: the text is no single quantity (継続実施, 増加 …)
    condition: str = Condition.EXACT


def read_quantity(text: str) -> Reading:
    """80%以上 → 80, at least; 1,200人 → 1200; 3万人 → 30000; 継続実施 → no number.

    Full-width digits and signs count as half-width; spaces are ignored. A text
    with anything but one number, a short unit and a condition (e.g. 2030年度
    までに80%) gives no number: it is kept as text only.
    """
    normalized = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    condition = Condition.EXACT
    if match := _CONDITION.search(normalized):
        condition = CONDITION_WORDS[match[1]]
        normalized = normalized[: match.start()]
    quantity = _QUANTITY.match(normalized)
    if not quantity:
        return Reading(None, condition)
    try:
        value = Decimal(quantity["number"].replace(",", ""))
    except InvalidOperation:
        return Reading(None, condition)
    if quantity["multiplier"]:
        value *= MULTIPLIERS[quantity["multiplier"]]
    return Reading(value, condition)
