"""The full-text index: FTS5 tables and triggers on SQLite, es_unaccent + GIN on PostgreSQL.

The statements depend on the database vendor, so they run from Python; see atiende/search/schema.py.
"""

from django.db import migrations


def create_index(apps, schema_editor):
    from atiende.search.schema import ensure_index

    ensure_index(schema_editor.connection)


def remove_index(apps, schema_editor):
    from atiende.search.schema import drop_index

    drop_index(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_case_due_times"),
        ("customers", "0002_protect"),
    ]

    operations = [migrations.RunPython(create_index, remove_index, elidable=False)]
