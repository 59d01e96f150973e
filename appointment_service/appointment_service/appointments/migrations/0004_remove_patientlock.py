"""Bookings and moves of one patient are serialized by a transaction-level advisory lock now
(``steps.lock_patient``): the lock rows are no longer needed."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("appointments", "0003_staff_operations")]

    operations = [migrations.DeleteModel(name="PatientLock")]
