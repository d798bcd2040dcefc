from django.db import migrations

from planportal.search_indexes import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [("policies", "0001_initial")]
    operations = [
        trigram_indexes(
            ("policies_policynode", "title", "policynode_title_trgm"),
            ("policies_policynode", "code", "policynode_code_trgm"),
            ("policies_nodetext", "body", "nodetext_body_trgm"),
        )
    ]
