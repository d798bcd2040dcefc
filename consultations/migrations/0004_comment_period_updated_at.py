import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("consultations", "0003_offline_channels_and_draft_url"),
    ]

    operations = [
        migrations.AddField(
            model_name="commentperiod",
            name="updated_at",
            field=models.DateTimeField(
                auto_now=True, default=django.utils.timezone.now, verbose_name="更新日時"
            ),
            preserve_default=False,
        ),
    ]
