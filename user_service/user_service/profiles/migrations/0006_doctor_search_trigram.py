"""Trigram indexes for the doctor directory's search, on PostgreSQL only.

The directory's ``search`` matches every term anywhere in a doctor's name or
bio, case-insensitively (``UPPER(col::text) LIKE UPPER('%term%')``): a B-tree
cannot serve a pattern that starts with ``%``, a GIN trigram index on the
same ``UPPER(...)`` expression can. pg_trgm is a trusted extension: the
database's owner may create it (and it stays when the indexes are dropped).
SQLite has neither and scans, as before.
"""

from django.db import migrations

INDEXES = {
    "doctor_name_trgm_idx": "full_name",
    "doctor_bio_trgm_idx": "bio",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON profiles_doctor "
            f"USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("profiles", "0005_doctor_approve_permission"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes, elidable=False),
    ]
