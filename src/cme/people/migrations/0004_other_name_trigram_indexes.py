"""Trigram indexes on preferred and former names, as 0003 put on legal names (PostgreSQL only):
"Find a child" matches a name's beginning against both, as one set of ids (people.search)."""

from django.db import migrations

COLUMNS = ("forename", "surname")


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        if cursor.fetchone() is None:
            return  # 0003 could not create the extension: search works, unindexed
        for column in COLUMNS:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS people_childname_{column}_trgm "
                f"ON people_childname USING gin ((UPPER({column}::text)) gin_trgm_ops)"
            )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for column in COLUMNS:
            cursor.execute(f"DROP INDEX IF EXISTS people_childname_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("people", "0003_name_trigram_indexes")]

    operations = [migrations.RunPython(create, drop)]
