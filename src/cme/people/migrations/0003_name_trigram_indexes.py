"""Trigram indexes for name search on PostgreSQL; nothing on SQLite.

Name search uses `icontains`, which PostgreSQL runs as UPPER(column) LIKE '%...%': without a
trigram index that is a scan of every child (≈ 70 ms at 50,000 children, twice per list page).
pg_trgm ships with PostgreSQL, but creating an extension needs the right privilege: where it
cannot be created the indexes are skipped and search still works, only slower.
"""

import logging

from django.db import migrations, transaction

logger = logging.getLogger(__name__)

COLUMNS = ("legal_forename", "legal_surname")


def create(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        try:
            with transaction.atomic(using=connection.alias):
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except Exception as exc:  # no privilege: keep working without the indexes
            logger.warning("pg_trgm not available (%s); name search will not be indexed", exc)
            return
        for column in COLUMNS:
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS people_child_{column}_trgm "
                f"ON people_child USING gin ((UPPER({column}::text)) gin_trgm_ops)"
            )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        for column in COLUMNS:
            cursor.execute(f"DROP INDEX IF EXISTS people_child_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("people", "0002_initial")]

    operations = [migrations.RunPython(create, drop)]
