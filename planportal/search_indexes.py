"""Trigram indexes for Japanese substring search on PostgreSQL (no-op on SQLite).

Django's ``icontains`` on PostgreSQL is ``UPPER(col::text) LIKE UPPER(%s)``;
GIN indexes over that expression with ``gin_trgm_ops`` serve it, for any
substring of three characters or more. Migrations call this; keep it stable.
"""

from django.db import migrations


def trigram_indexes(*indexes: tuple[str, str, str]) -> migrations.RunPython:
    """A migration operation creating (table, column, index name) trigram indexes."""

    def create(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for table, column, name in indexes:
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {name} ON {table} "
                f'USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
            )

    def drop(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for _table, _column, name in indexes:
            schema_editor.execute(f"DROP INDEX IF EXISTS {name}")

    return migrations.RunPython(create, drop)
