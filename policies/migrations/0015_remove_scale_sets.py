"""The scale sets go: their levels live on as criteria of evaluation schemes (0014), and
the results' levels as evaluation values (projects.0009)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("policies", "0014_evaluation_schemes"),
        ("projects", "0009_evaluation_values"),
    ]

    operations = [
        migrations.RemoveField(model_name="plan", name="scale_set"),
        migrations.RemoveField(model_name="historicalplan", name="scale_set"),
        migrations.DeleteModel(name="ScaleLevel"),
        migrations.DeleteModel(name="ScaleSet"),
    ]
