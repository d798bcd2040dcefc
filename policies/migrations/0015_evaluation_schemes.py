"""Evaluation schemes (criteria, each with its own scale) replace the scale sets.

Each scale set becomes a scheme of the same name with two yearly project
criteria, 達成度 and 評価結果, holding its levels; each plan keeps its choice.
The shipped schemes (policies.scales: the default and Kawasaki 2011's) are
ensured, and the Kawasaki 2011 plan, where it exists, evaluates with its own.
The scale sets themselves go in 0015, once projects.0009 has moved the
results' levels to evaluation values; on the way back, 0015 makes them again
from the schemes before projects.0009 moves the values back onto the results.
"""

import django.db.models.deletion
from django.db import migrations, models

from policies.scales import (
    ACHIEVEMENT,
    KAWASAKI_2011_NAME,
    KAWASAKI_2011_PLAN,
    REVIEW,
    ensure_schemes,
)

CRITERIA = {"achievement": ACHIEVEMENT, "review": REVIEW}


def immediate_constraints(schema_editor):
    """Check foreign keys at once, not at commit: PostgreSQL refuses to alter a table
    with checks still pending from rows written earlier in the same transaction."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def scale_sets_to_schemes(apps, schema_editor):
    ScaleSet = apps.get_model("policies", "ScaleSet")
    Scheme = apps.get_model("policies", "EvaluationScheme")
    Criterion = apps.get_model("policies", "Criterion")
    Level = apps.get_model("policies", "CriterionLevel")
    Plan = apps.get_model("policies", "Plan")
    for scale_set in ScaleSet.objects.all():
        scheme = Scheme.objects.create(
            name=scale_set.name, description=scale_set.description, is_default=scale_set.is_default
        )
        for position, (scale, name) in enumerate(CRITERIA.items()):
            criterion = Criterion.objects.create(scheme=scheme, name=name, position=position)
            for level in scale_levels(apps).filter(scale_set=scale_set, scale=scale):
                Level.objects.create(
                    criterion=criterion,
                    code=level.code,
                    label=level.label,
                    group=level.group,
                    position=level.position,
                )
        Plan.objects.filter(scale_set=scale_set).update(evaluation_scheme=scheme)
    schemes = ensure_schemes(Scheme, Criterion, Level)
    Plan.objects.filter(slug=KAWASAKI_2011_PLAN, scale_set__isnull=True).update(
        evaluation_scheme=schemes[KAWASAKI_2011_NAME]
    )


def scale_levels(apps):
    return apps.get_model("policies", "ScaleLevel").objects


def remove_schemes(apps, schema_editor):
    """Back: the scale sets are back already (0015's way back made them from the schemes)."""
    immediate_constraints(schema_editor)  # PostgreSQL: the schema changes follow
    apps.get_model("policies", "Plan").objects.update(evaluation_scheme=None)
    apps.get_model("policies", "EvaluationScheme").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0014_ward_place_names_and_plan_url"),
    ]

    operations = [
        migrations.CreateModel(
            name="Criterion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "name",
                    models.CharField(
                        help_text="例：達成度、事業の妥当性",
                        max_length=100,
                        verbose_name="評価項目",
                    ),
                ),
                (
                    "subject",
                    models.CharField(
                        choices=[("project", "事業"), ("measure", "施策"), ("policy", "政策")],
                        default="project",
                        max_length=20,
                        verbose_name="評価の対象",
                    ),
                ),
                (
                    "timing",
                    models.CharField(
                        choices=[
                            ("yearly", "毎年度"),
                            ("mid_term", "中間評価"),
                            ("period_end", "期末評価"),
                        ],
                        default="yearly",
                        max_length=20,
                        verbose_name="評価の時期",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="表示順")),
            ],
            options={
                "verbose_name": "評価項目",
                "verbose_name_plural": "評価項目",
                "ordering": ["scheme", "position", "pk"],
            },
        ),
        migrations.CreateModel(
            name="CriterionLevel",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "code",
                    models.CharField(help_text="例：1、A、Ⅲ", max_length=5, verbose_name="記号"),
                ),
                (
                    "label",
                    models.CharField(
                        blank=True,
                        help_text="例：目標をほぼ達成、優る",
                        max_length=100,
                        verbose_name="内容",
                    ),
                ),
                (
                    "group",
                    models.CharField(
                        blank=True,
                        help_text="例：目標どおりに進める",
                        max_length=50,
                        verbose_name="区分",
                    ),
                ),
                ("position", models.PositiveSmallIntegerField(default=0, verbose_name="表示順")),
                (
                    "criterion",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="levels",
                        to="policies.criterion",
                        verbose_name="評価項目",
                    ),
                ),
            ],
            options={
                "verbose_name": "評価区分",
                "verbose_name_plural": "評価区分",
                "ordering": ["criterion", "position", "code"],
            },
        ),
        migrations.CreateModel(
            name="EvaluationScheme",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=100, unique=True, verbose_name="名称")),
                ("description", models.TextField(blank=True, verbose_name="説明")),
                (
                    "is_default",
                    models.BooleanField(
                        default=False,
                        help_text="評価の方式を選んでいない計画はこれを使います。",
                        verbose_name="標準",
                    ),
                ),
            ],
            options={
                "verbose_name": "評価の方式",
                "verbose_name_plural": "評価の方式",
                "ordering": ["-is_default", "name"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("is_default", True)),
                        fields=("is_default",),
                        name="scheme_one_default",
                    )
                ],
            },
        ),
        migrations.AddField(
            model_name="criterion",
            name="scheme",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="criteria",
                to="policies.evaluationscheme",
                verbose_name="評価の方式",
            ),
        ),
        migrations.AddField(
            model_name="historicalplan",
            name="evaluation_scheme",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="評価項目とその区分。空欄なら標準の方式を使います。",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="policies.evaluationscheme",
                verbose_name="評価の方式",
            ),
        ),
        migrations.AddField(
            model_name="plan",
            name="evaluation_scheme",
            field=models.ForeignKey(
                blank=True,
                help_text="評価項目とその区分。空欄なら標準の方式を使います。",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="plans",
                to="policies.evaluationscheme",
                verbose_name="評価の方式",
            ),
        ),
        migrations.AddConstraint(
            model_name="criterionlevel",
            constraint=models.UniqueConstraint(
                fields=("criterion", "code"), name="criterionlevel_unique_code"
            ),
        ),
        migrations.AddConstraint(
            model_name="criterion",
            constraint=models.UniqueConstraint(
                fields=("scheme", "name"), name="criterion_unique_name"
            ),
        ),
        migrations.RunPython(scale_sets_to_schemes, remove_schemes),
    ]
