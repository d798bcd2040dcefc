"""The default evaluation scales: those of Kawasaki's progress sheets.

達成度 (achievement level) 1–5 as the sheets print them, and 評価結果 (review
result) A–H: targets kept as planned (A–D) or changed (E–H), each with the
project's next step: expand, reduce or keep its budget and staff, or end,
suspend or abolish it.
"""

from django.db import migrations

NAME = "川崎市の進行管理（達成度1～5・評価結果A～H）"

ACHIEVEMENT = [
    ("1", "目標を大きく上回って達成"),
    ("2", "目標を上回って達成"),
    ("3", "目標をほぼ達成"),
    ("4", "目標を下回った"),
    ("5", "目標を大きく下回った"),
]
STEPS = [
    "事業の規模（予算・人員）を拡充",
    "事業の規模（予算・人員）を縮小",
    "事業の規模（予算・人員）を維持",
    "事業を終了・休止・廃止",
]
GROUPS = [("ABCD", "目標どおりに進める"), ("EFGH", "目標を変更して進める")]


def create(apps, schema_editor):
    ScaleSet = apps.get_model("policies", "ScaleSet")
    ScaleLevel = apps.get_model("policies", "ScaleLevel")
    if ScaleSet.objects.filter(is_default=True).exists():
        return
    scale_set = ScaleSet.objects.create(
        name=NAME,
        is_default=True,
        description="川崎市総合計画の事務事業の進行管理で使われる達成度と評価結果の区分。",
    )
    for position, (code, label) in enumerate(ACHIEVEMENT):
        ScaleLevel.objects.create(
            scale_set=scale_set, scale="achievement", code=code, label=label, position=position
        )
    position = 0
    for codes, group in GROUPS:
        for code, step in zip(codes, STEPS, strict=True):
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
    apps.get_model("policies", "ScaleSet").objects.filter(name=NAME, is_default=True).delete()


class Migration(migrations.Migration):
    dependencies = [("policies", "0002_scales_and_indicators")]

    operations = [migrations.RunPython(create, remove)]
