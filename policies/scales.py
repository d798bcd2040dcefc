"""The evaluation schemes the portal ships with, in one place.

The default scheme is the one of Kawasaki's progress sheets: each year a
project's 達成度 (achievement level) 1–5 as the sheets print them, and its
評価結果 (review result) A–H: targets kept as planned (A–D) or changed (E–H),
each with the project's next step: expand, reduce or keep its budget and
staff, or end, suspend or abolish it.

Kawasaki's 2011–2013 implementation plan adds, at the end of its three years,
「3ヵ年の事業目標に対する達成度」 Ⅰ–Ⅴ, and rates 事業の妥当性 and
事業の有効性・効率性・経済性 each from 5 優る to 1 劣る. The sources name
the end points of these scales only, so the other levels carry their code
alone; staff can add the wording in the admin.

Both the data migration and the demo loader call ``ensure_scheme`` (the
loader because a test database may have been flushed since migrating); it
takes the model classes so that the migration can pass its historical ones.
"""

from __future__ import annotations

DEFAULT_NAME = "川崎市の進行管理（達成度1～5・評価結果A～H）"
DEFAULT_DESCRIPTION = "川崎市総合計画の事務事業の進行管理で使われる達成度と評価結果の区分。"
KAWASAKI_2011_NAME = "川崎市 実行計画（2011～2013年度）の進行管理"
KAWASAKI_2011_DESCRIPTION = (
    "毎年度の達成度1～5と評価結果A～H、計画期間の終わりの「3ヵ年の事業目標に対する達成度」Ⅰ～Ⅴ、"
    "事業の妥当性と事業の有効性・効率性・経済性（各5 優る～1 劣る）。"
)
KAWASAKI_2011_PLAN = "kawasaki-2011"  # the seed plan that evaluates with it

ACHIEVEMENT = "達成度"
REVIEW = "評価結果"
ACHIEVEMENT_LEVELS = [
    ("1", "目標を大きく上回って達成"),
    ("2", "目標を上回って達成"),
    ("3", "目標をほぼ達成"),
    ("4", "目標を下回った"),
    ("5", "目標を大きく下回った"),
]
REVIEW_STEPS = [
    "事業の規模（予算・人員）を拡充",
    "事業の規模（予算・人員）を縮小",
    "事業の規模（予算・人員）を維持",
    "事業を終了・休止・廃止",
]
REVIEW_GROUPS = [("ABCD", "目標どおりに進める"), ("EFGH", "目標を変更して進める")]
FIVE_TO_ONE = [("5", "優る"), ("4", ""), ("3", ""), ("2", ""), ("1", "劣る")]


def _levels(pairs, group: str = "") -> list[dict]:
    return [{"code": code, "label": label, "group": group} for code, label in pairs]


def _review_levels() -> list[dict]:
    levels = []
    for codes, group in REVIEW_GROUPS:
        levels += _levels(zip(codes, REVIEW_STEPS, strict=True), group)
    return levels


def _criterion(name, levels, timing="yearly", subject="project") -> dict:
    return {"name": name, "subject": subject, "timing": timing, "levels": levels}


def default_criteria() -> list[dict]:
    return [
        _criterion(ACHIEVEMENT, _levels(ACHIEVEMENT_LEVELS)),
        _criterion(REVIEW, _review_levels()),
    ]


def kawasaki_2011_criteria() -> list[dict]:
    return default_criteria() + [
        _criterion(
            "3ヵ年の事業目標に対する達成度",
            _levels((code, "") for code in "ⅠⅡⅢⅣⅤ"),
            timing="period_end",
        ),
        _criterion("事業の妥当性", _levels(FIVE_TO_ONE)),
        _criterion("事業の有効性・効率性・経済性", _levels(FIVE_TO_ONE)),
    ]


SCHEMES = [
    (DEFAULT_NAME, DEFAULT_DESCRIPTION, True, default_criteria),
    (KAWASAKI_2011_NAME, KAWASAKI_2011_DESCRIPTION, False, kawasaki_2011_criteria),
]


def ensure_scheme(scheme_model, criterion_model, level_model, name: str):
    """Create the shipped scheme ``name`` (one of SCHEMES) unless it exists; return it."""
    existing = scheme_model.objects.filter(name=name).first()
    if existing is not None:
        return existing
    _name, description, is_default, criteria = next(s for s in SCHEMES if s[0] == name)
    scheme = scheme_model.objects.create(name=name, description=description, is_default=is_default)
    for position, spec in enumerate(criteria()):
        levels = spec.pop("levels")
        criterion = criterion_model.objects.create(scheme=scheme, position=position, **spec)
        level_model.objects.bulk_create(
            level_model(criterion=criterion, position=index, **level)
            for index, level in enumerate(levels)
        )
    return scheme


def ensure_schemes(scheme_model, criterion_model, level_model) -> dict:
    """Every shipped scheme, by name."""
    return {
        name: ensure_scheme(scheme_model, criterion_model, level_model, name)
        for name, *_rest in SCHEMES
    }
