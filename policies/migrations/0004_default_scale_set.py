"""The default evaluation scales (see policies.scales): Kawasaki's 達成度 1–5 and 評価結果 A–H."""

from django.db import migrations

from policies.scales import DEFAULT_NAME, ensure_default_scale_set


def create(apps, schema_editor):
    ensure_default_scale_set(
        apps.get_model("policies", "ScaleSet"), apps.get_model("policies", "ScaleLevel")
    )


def remove(apps, schema_editor):
    ScaleSet = apps.get_model("policies", "ScaleSet")
    ScaleSet.objects.filter(name=DEFAULT_NAME, is_default=True).delete()


class Migration(migrations.Migration):
    dependencies = [("policies", "0003_scales_and_indicators")]

    operations = [migrations.RunPython(create, remove)]
