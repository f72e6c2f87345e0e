"""Append-only tables: rows are inserted, never updated or deleted.

Enforced twice: in the ORM (save of an existing row, queryset update/delete raise) and in the
database, so that raw SQL or another client is refused too:
- PostgreSQL: a BEFORE UPDATE OR DELETE trigger raises. TRUNCATE (test flushes) stays possible.
- SQLite: a BEFORE UPDATE trigger raises. DELETE is left to the ORM guard because Django's test
  flush on SQLite is a DELETE FROM every table.
"""

from __future__ import annotations

from django.db import migrations, models


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove an append-only row."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: update refused")

    def delete(self):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: delete refused")

    # bulk_update goes through update(); _raw_delete is what cascades use.
    def _raw_delete(self, using):
        raise AppendOnlyError(f"{self.model.__name__} rows are append-only: delete refused")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(f"{type(self).__name__} rows are append-only: update refused")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(f"{type(self).__name__} rows are append-only: delete refused")


def _trigger_sql(table: str, vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            """CREATE OR REPLACE FUNCTION atiende_refuse_change() RETURNS trigger AS $$
               BEGIN RAISE EXCEPTION 'append-only table %: % refused', TG_TABLE_NAME, TG_OP; END;
               $$ LANGUAGE plpgsql""",
            f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}",
            f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
                FOR EACH ROW EXECUTE FUNCTION atiende_refuse_change()""",
        ]
    if vendor == "sqlite":
        return [
            f"DROP TRIGGER IF EXISTS {table}_append_only",
            f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE ON {table}
                BEGIN SELECT RAISE(ABORT, 'append-only table {table}: UPDATE refused'); END""",
        ]
    return []


def protect_table(table: str) -> migrations.RunPython:
    """A migration operation that installs the database-side guard for TABLE."""

    def forwards(apps, schema_editor):
        for statement in _trigger_sql(table, schema_editor.connection.vendor):
            # params=None: the SQL holds literal '%' (plpgsql format), not placeholders.
            schema_editor.execute(statement, params=None)

    return migrations.RunPython(forwards, migrations.RunPython.noop)
