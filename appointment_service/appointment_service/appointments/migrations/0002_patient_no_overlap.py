"""PostgreSQL only: no two live appointments of one patient overlap in time.

An exclusion constraint (btree_gist for the ``=`` on a UUID). It backs the check
that booking.py makes with the patient locked; SQLite has no equivalent and
relies on that check (its writers are serialized anyway).
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    """
    ALTER TABLE appointments_appointment
        ADD CONSTRAINT appointment_patient_no_overlap
        EXCLUDE USING gist (patient_id WITH =, tstzrange("start", "end") WITH &&)
        WHERE (state IN ('pending', 'booked'))
    """,
]
DROP = [
    "ALTER TABLE appointments_appointment DROP CONSTRAINT IF EXISTS appointment_patient_no_overlap"
]


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ("appointments", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP), elidable=False),
    ]
