"""The default evaluation scales of the time: Kawasaki's 達成度 1–5 and 評価結果 A–H.

Self-contained (the scale sets became evaluation schemes in 0014, see policies.scales).
"""

from django.db import migrations

NAME = "川崎市の進行管理（達成度1～5・評価結果A～H）"
DESCRIPTION = "川崎市総合計画の事務事業の進行管理で使われる達成度と評価結果の区分。"
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


def create(apps, schema_editor):
    ScaleSet = apps.get_model("policies", "ScaleSet")
    ScaleLevel = apps.get_model("policies", "ScaleLevel")
    if ScaleSet.objects.filter(is_default=True).exists():
        return
    scale_set = ScaleSet.objects.create(name=NAME, description=DESCRIPTION, is_default=True)
    for position, (code, label) in enumerate(ACHIEVEMENT_LEVELS):
        ScaleLevel.objects.create(
            scale_set=scale_set, scale="achievement", code=code, label=label, position=position
        )
    position = 0
    for codes, group in REVIEW_GROUPS:
        for code, step in zip(codes, REVIEW_STEPS, strict=True):
            ScaleLevel.objects.create(
                scale_set=scale_set,
                scale="review",
                code=code,
                label=step,
                group=group,
                position=position,
            )
            position += 1


def remove(apps, schema_editor):
    ScaleSet = apps.get_model("policies", "ScaleSet")
    ScaleSet.objects.filter(name=NAME, is_default=True).delete()


class Migration(migrations.Migration):
    dependencies = [("policies", "0003_scales_and_indicators")]

    operations = [migrations.RunPython(create, remove)]
