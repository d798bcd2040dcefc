"""Give every stored indicator number its written form, so that the text is what pages show.

Before 0007 an indicator's baseline, targets and actuals were numbers only; they
are now kept as written (「80%以上」, 「継続実施」) with the number read from the
text. The numbers stay as they are; each gets the text it would be written as
(a baseline with its unit, 45.2%; a yearly value without, 1,234.5, as the
table names the unit). Nothing is lost, and migrating back only drops the texts.
"""

from django.db import migrations

from policies.charts import format_quantity


def write_numbers_as_text(apps, schema_editor):
    indicator_model = apps.get_model("policies", "Indicator")
    value_model = apps.get_model("policies", "IndicatorValue")
    indicators = indicator_model.objects.filter(baseline_value__isnull=False, baseline_text="")
    for indicator in indicators:  # as sheets write a baseline: with its unit
        indicator.baseline_text = format_quantity(indicator.baseline_value) + indicator.unit
        indicator.save(update_fields=["baseline_text"])
    for value in value_model.objects.filter(target_text="", target__isnull=False):
        value.target_text = format_quantity(value.target)
        value.save(update_fields=["target_text"])
    for value in value_model.objects.filter(actual_text="", actual__isnull=False):
        value.actual_text = format_quantity(value.actual)
        value.save(update_fields=["actual_text"])


class Migration(migrations.Migration):
    dependencies = [("policies", "0007_indicators_as_written")]

    operations = [migrations.RunPython(write_numbers_as_text, migrations.RunPython.noop)]
