"""One role per user id: a ProfileOwner row that every doctor and patient row references.

The owner's primary key decides between concurrent creates of one user id
(whatever their roles), and the database keeps each profile's role equal to
its owner's: a composite foreign key (user_id, role) on PostgreSQL, triggers
on SQLite (which cannot add a constraint to an existing table).
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models

# Frozen here on purpose: a migration must not import app code that may change later.
PROFILE_TABLES = ("profiles_doctor", "profiles_patient")

POSTGRES_FORWARD = [
    statement
    for table in PROFILE_TABLES
    for statement in (
        # The one-to-one key Django knows of (deferred, like every foreign key it makes).
        f"""ALTER TABLE {table} ADD CONSTRAINT {table}_user_id_fk_profileowner
            FOREIGN KEY (user_id) REFERENCES profiles_profileowner (user_id)
            DEFERRABLE INITIALLY DEFERRED""",
        # The role must be the owner's: checked at once, not at commit.
        f"""ALTER TABLE {table} ADD CONSTRAINT {table}_owner_role_fk
            FOREIGN KEY (user_id, role) REFERENCES profiles_profileowner (user_id, role)""",
    )
]
POSTGRES_BACKWARD = [
    f"ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {table}_{name}"
    for table in PROFILE_TABLES
    for name in ("owner_role_fk", "user_id_fk_profileowner")
]

# Django remakes an SQLite table (dropping its triggers) when a later migration alters
# it in most ways: such a migration must create these again (test_models checks they hold).
SQLITE_FORWARD = [
    *(
        f"""CREATE TRIGGER {table}_owner_role_{event.split()[0].lower()}
        BEFORE {event} ON {table} FOR EACH ROW
        WHEN NOT EXISTS (
            SELECT 1 FROM profiles_profileowner AS owner
            WHERE owner.user_id = NEW.user_id AND owner.role = NEW.role
        )
        BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: {table}_owner_role'); END"""
        for table in PROFILE_TABLES
        for event in ("INSERT", "UPDATE OF user_id, role")
    ),
    """CREATE TRIGGER profiles_profileowner_keeps_role
    BEFORE UPDATE OF user_id, role ON profiles_profileowner FOR EACH ROW
    WHEN (NEW.user_id IS NOT OLD.user_id OR NEW.role IS NOT OLD.role) AND (
        EXISTS (SELECT 1 FROM profiles_doctor WHERE user_id = OLD.user_id)
        OR EXISTS (SELECT 1 FROM profiles_patient WHERE user_id = OLD.user_id)
    )
    BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: profiles_profileowner_keeps_role'); END""",
    # The owner's one-to-one key cascades (Django deletes the profile first anyway).
    """CREATE TRIGGER profiles_profileowner_delete_cascades
    AFTER DELETE ON profiles_profileowner FOR EACH ROW
    BEGIN
        DELETE FROM profiles_doctor WHERE user_id = OLD.user_id;
        DELETE FROM profiles_patient WHERE user_id = OLD.user_id;
    END""",
]
SQLITE_BACKWARD = [
    *(
        f"DROP TRIGGER IF EXISTS {table}_owner_role_{event}"
        for table in PROFILE_TABLES
        for event in ("insert", "update")
    ),
    "DROP TRIGGER IF EXISTS profiles_profileowner_keeps_role",
    "DROP TRIGGER IF EXISTS profiles_profileowner_delete_cascades",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for statement in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return run


def create_owners(apps, schema_editor):
    """One owner row per existing profile; refuse a user id that has both profiles.

    Which of the two is right only auth_service knows (the account's role):
    an operator deletes the wrong one in the admin, then migrates again.
    """
    owner_model = apps.get_model("profiles", "ProfileOwner")
    doctor_model = apps.get_model("profiles", "Doctor")
    patient_model = apps.get_model("profiles", "Patient")
    both = sorted(
        str(user_id)
        for user_id in doctor_model.objects.filter(
            user_id__in=patient_model.objects.values("user_id")
        ).values_list("user_id", flat=True)
    )
    if both:
        raise RuntimeError(
            "These user ids have both a doctor and a patient profile: "
            f"{', '.join(both)}. Keep the one that matches the account's role in "
            "auth_service, delete the other, then migrate again."
        )
    for model, role in ((doctor_model, "doctor"), (patient_model, "patient")):
        owner_model.objects.bulk_create(
            (
                owner_model(user_id=user_id, role=role, created_at=created_at)
                for user_id, created_at in model.objects.values_list("user_id", "created_at")
            ),
            batch_size=1000,
        )


def _owner_field():
    return models.OneToOneField(
        db_column="user_id",
        on_delete=django.db.models.deletion.CASCADE,
        primary_key=True,
        related_name="%(class)s",
        serialize=False,
        to="profiles.profileowner",
        verbose_name="user id",
    )


class Migration(migrations.Migration):
    dependencies = [("profiles", "0003_doctor_approval")]

    operations = [
        migrations.CreateModel(
            name="ProfileOwner",
            fields=[
                (
                    "user_id",
                    models.UUIDField(primary_key=True, serialize=False, verbose_name="user id"),
                ),
                (
                    "role",
                    models.CharField(
                        choices=[("patient", "Patient"), ("doctor", "Doctor")], max_length=16
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, editable=False),
                ),
            ],
            options={
                "ordering": ["created_at", "user_id"],
                "indexes": [
                    models.Index(
                        fields=["created_at", "user_id"], name="profile_owner_created_idx"
                    )
                ],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("role__in", ("patient", "doctor"))),
                        name="profile_owner_role_valid",
                    ),
                    models.UniqueConstraint(
                        fields=("user_id", "role"), name="profile_owner_user_role_key"
                    ),
                ],
            },
        ),
        migrations.AddField(
            model_name="doctor",
            name="role",
            field=models.CharField(default="doctor", editable=False, max_length=16),
        ),
        migrations.AddField(
            model_name="patient",
            name="role",
            field=models.CharField(default="patient", editable=False, max_length=16),
        ),
        migrations.RunPython(create_owners, migrations.RunPython.noop, elidable=False),
        migrations.AddConstraint(
            model_name="doctor",
            constraint=models.CheckConstraint(
                condition=models.Q(("role", "doctor")), name="doctor_role_is_doctor"
            ),
        ),
        migrations.AddConstraint(
            model_name="patient",
            constraint=models.CheckConstraint(
                condition=models.Q(("role", "patient")), name="patient_role_is_patient"
            ),
        ),
        # ``user_id`` becomes the attribute of a one-to-one key named ``user``: the column
        # stays as it is; PostgreSQL gains the foreign key below, SQLite the triggers (and
        # the plain foreign key whenever Django next rebuilds the table). Last of the state
        # changes, so that reversing rebuilds SQLite tables without it.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                operation
                for model_name in ("doctor", "patient")
                for operation in (
                    migrations.RenameField(
                        model_name=model_name, old_name="user_id", new_name="user"
                    ),
                    migrations.AlterField(
                        model_name=model_name, name="user", field=_owner_field()
                    ),
                )
            ]
        ),
        migrations.RunPython(
            _run({"postgresql": POSTGRES_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": POSTGRES_BACKWARD, "sqlite": SQLITE_BACKWARD}),
            elidable=False,
        ),
    ]
