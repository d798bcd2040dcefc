from django.db import migrations

from planportal.search_indexes import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0002_home_node_restrict"),
        ("policies", "0002_search_trigram_indexes"),
    ]
    operations = [
        trigram_indexes(
            ("projects_project", "name", "project_name_trgm"),
            ("projects_project", "summary", "project_summary_trgm"),
            ("projects_project", "baseline", "project_baseline_trgm"),
            ("projects_project", "actions_in_period", "project_actions_trgm"),
            ("projects_yearlytarget", "text", "yearlytarget_text_trgm"),
        )
    ]
