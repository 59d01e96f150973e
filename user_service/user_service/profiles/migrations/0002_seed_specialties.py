"""Seed the medical specialties every database of user_service starts with."""

from django.db import migrations

# Frozen here on purpose: a migration must not import app code that may change later.
SPECIALTIES = [
    ("cardiology", "Cardiology"),
    ("dermatology", "Dermatology"),
    ("family-medicine", "Family medicine"),
    ("pediatrics", "Pediatrics"),
    ("neurology", "Neurology"),
    ("orthopedics", "Orthopedics"),
    ("psychiatry", "Psychiatry"),
    ("ophthalmology", "Ophthalmology"),
    ("gynecology", "Gynecology"),
    ("ent", "Ear, nose and throat (ENT)"),
]


def seed_specialties(apps, schema_editor):
    specialty_model = apps.get_model("profiles", "Specialty")
    for slug, name in SPECIALTIES:
        specialty_model.objects.update_or_create(slug=slug, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("profiles", "0001_initial")]

    # Reversing leaves the rows: doctors may point to them (PROTECT).
    operations = [migrations.RunPython(seed_specialties, migrations.RunPython.noop, elidable=False)]
