"""The scale sets go: their levels live on as criteria of evaluation schemes (0014), and
the results' levels as evaluation values (projects.0009)."""

from django.db import migrations

CRITERIA = {"achievement": "達成度", "review": "評価結果"}


def immediate_constraints(schema_editor):
    """Check foreign keys at once, not at commit: PostgreSQL refuses to alter a table
    with checks still pending from rows written earlier in the same transaction."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def scale_levels(apps):
    return apps.get_model("policies", "ScaleLevel").objects


def schemes_to_scale_sets(apps, schema_editor):
    """Back: the schemes of two yearly criteria named 達成度 and 評価結果 become scale sets
    again (the others, e.g. Kawasaki 2011's, have no place there and go)."""
    immediate_constraints(schema_editor)  # PostgreSQL: the schema changes follow
    ScaleSet = apps.get_model("policies", "ScaleSet")
    Scheme = apps.get_model("policies", "EvaluationScheme")
    Plan = apps.get_model("policies", "Plan")
    for scheme in Scheme.objects.all():
        names = sorted(scheme.criteria.values_list("name", flat=True))
        if names != sorted(CRITERIA.values()) or ScaleSet.objects.filter(name=scheme.name).exists():
            continue
        scale_set = ScaleSet.objects.create(
            name=scheme.name, description=scheme.description, is_default=scheme.is_default
        )
        for scale, name in CRITERIA.items():
            for level in apps.get_model("policies", "CriterionLevel").objects.filter(
                criterion__scheme=scheme, criterion__name=name
            ):
                scale_levels(apps).create(
                    scale_set=scale_set,
                    scale=scale,
                    code=level.code,
                    label=level.label,
                    group=level.group,
                    position=level.position,
                )
        Plan.objects.filter(evaluation_scheme=scheme).update(scale_set=scale_set)


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0015_evaluation_schemes"),
        ("projects", "0010_evaluation_values"),
    ]

    operations = [
        migrations.RunPython(migrations.RunPython.noop, schemes_to_scale_sets),
        migrations.RemoveField(model_name="plan", name="scale_set"),
        migrations.RemoveField(model_name="historicalplan", name="scale_set"),
        migrations.DeleteModel(name="ScaleLevel"),
        migrations.DeleteModel(name="ScaleSet"),
    ]
