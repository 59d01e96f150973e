"""PostgreSQL only: no two holds of one doctor for different appointments overlap.

The span is [start, blocked_until). One appointment may hold two slots close
together for a moment while it is rescheduled to a neighbouring slot.

The primary key (the slot id) already refuses a second hold of one slot; this
exclusion constraint also protects the buffer after each appointment and the
slots of an edited rule that overlap an old held slot. SQLite has no exclusion
constraints: there its IMMEDIATE transactions serialize reservations and the
service checks overlaps before inserting.
"""

from django.db import migrations

CONSTRAINT = "scheduling_slothold_no_overlap"


def add_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("scheduling", "SlotHold")._meta.db_table)
    # btree_gist lets a GiST index compare doctor_id with "="; it is a trusted extension
    # (PostgreSQL 13+), so the database owner may create it without being a superuser.
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
    schema_editor.execute(
        f"ALTER TABLE {table} ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(doctor_id WITH =, appointment_id WITH <>, tstzrange(start, blocked_until) WITH &&)"
    )


def drop_constraint(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    table = schema_editor.quote_name(apps.get_model("scheduling", "SlotHold")._meta.db_table)
    schema_editor.execute(f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [migrations.RunPython(add_constraint, drop_constraint, elidable=False)]
