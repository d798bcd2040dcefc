"""The default evaluation scales: those of Kawasaki's progress sheets, in one place.

達成度 (achievement level) 1–5 as the sheets print them, and 評価結果 (review
result) A–H: targets kept as planned (A–D) or changed (E–H), each with the
project's next step: expand, reduce or keep its budget and staff, or end,
suspend or abolish it.

Both the data migration and the demo loader call ``ensure_default_scale_set``
(the loader because a test database may have been flushed since migrating);
it takes the model classes so that the migration can pass its historical ones.
"""

DEFAULT_NAME = "川崎市の進行管理（達成度1～5・評価結果A～H）"
DEFAULT_DESCRIPTION = "川崎市総合計画の事務事業の進行管理で使われる達成度と評価結果の区分。"

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


def default_levels() -> list[dict]:
    levels = [
        {"scale": "achievement", "code": code, "label": label, "group": "", "position": position}
        for position, (code, label) in enumerate(ACHIEVEMENT_LEVELS)
    ]
    position = 0
    for codes, group in REVIEW_GROUPS:
        for code, step in zip(codes, REVIEW_STEPS, strict=True):
            levels.append(
                {
                    "scale": "review",
                    "code": code,
                    "label": step,
                    "group": group,
                    "position": position,
                }
            )
            position += 1
    return levels


def ensure_default_scale_set(scale_set_model, level_model):
    """Create the default scale set unless one exists; return the default set."""
    existing = scale_set_model.objects.filter(is_default=True).first()
    if existing is not None:
        return existing
    scale_set = scale_set_model.objects.create(
        name=DEFAULT_NAME, description=DEFAULT_DESCRIPTION, is_default=True
    )
    for level in default_levels():
        level_model.objects.create(scale_set=scale_set, **level)
    return scale_set
