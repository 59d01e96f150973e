"""Reads: visibility, the derived status (in SQL), ordering and history."""

import datetime
import uuid

import pytest
from django.utils import timezone

from appointment_service.appointments import selectors
from appointment_service.appointments.exceptions import AppointmentNotFound
from appointment_service.appointments.models import AppointmentState
from appointment_service.appointments.tests.factories import (
    AppointmentEventFactory,
    AppointmentFactory,
)

pytestmark = pytest.mark.django_db

PATIENT = uuid.uuid4()
DOCTOR = uuid.uuid4()


def _ids(queryset) -> list:
    return [appointment.id for appointment in queryset]


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def mix(now):
    """One appointment of PATIENT with DOCTOR in each status, plus others' and a pending one."""
    hour = datetime.timedelta(hours=1)
    return {
        "upcoming": AppointmentFactory(
            patient_id=PATIENT, doctor_id=DOCTOR, start=now + 2 * hour, end=now + 3 * hour
        ),
        "ended": AppointmentFactory(
            patient_id=PATIENT, doctor_id=DOCTOR, start=now - 2 * hour, end=now - hour
        ),
        "marked": AppointmentFactory(
            patient_id=PATIENT,
            doctor_id=DOCTOR,
            start=now - hour / 2,
            end=now + hour,
            state=AppointmentState.NO_SHOW,
        ),
        "cancelled": AppointmentFactory(
            patient_id=PATIENT,
            doctor_id=DOCTOR,
            start=now + 5 * hour,
            end=now + 6 * hour,
            state=AppointmentState.CANCELLED,
        ),
        "pending": AppointmentFactory(
            patient_id=PATIENT,
            doctor_id=DOCTOR,
            start=now + 8 * hour,
            end=now + 9 * hour,
            state=AppointmentState.PENDING,
        ),
        "other patient": AppointmentFactory(doctor_id=DOCTOR, start=now + 10 * hour),
        "other doctor": AppointmentFactory(patient_id=PATIENT, start=now + 12 * hour),
    }


def test_patient_sees_own_appointments_by_start_never_pending(mix, now):
    listed = selectors.appointment_list_for_user(user_id=PATIENT, role="patient", now=now)
    assert _ids(listed) == [
        mix[name].id for name in ("ended", "marked", "upcoming", "cancelled", "other doctor")
    ]


def test_doctor_sees_appointments_with_them(mix, now):
    listed = selectors.appointment_list_for_user(user_id=DOCTOR, role="doctor", now=now)
    assert _ids(listed) == [
        mix[name].id for name in ("ended", "marked", "upcoming", "cancelled", "other patient")
    ]


def test_a_start_window_keeps_starts_from_inclusive_to_exclusive(mix, now):
    upcoming = mix["upcoming"].start
    listed = selectors.appointment_list_for_user(
        user_id=PATIENT,
        role="patient",
        start_from=upcoming,
        start_before=mix["other doctor"].start,
        now=now,
    )
    assert _ids(listed) == [mix[name].id for name in ("upcoming", "cancelled")]
    before = selectors.appointment_list_for_user(
        user_id=DOCTOR, role="doctor", start_before=upcoming, now=now
    )
    assert _ids(before) == [mix[name].id for name in ("ended", "marked")]


def test_staff_see_nothing(mix, now):
    assert not selectors.appointment_list_for_user(user_id=PATIENT, role="staff", now=now).exists()


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("upcoming", ["upcoming"]),
        ("completed", ["ended", "marked"]),
        ("cancelled", ["cancelled"]),
    ],
)
def test_status_filter_runs_in_sql(mix, now, status, expected):
    listed = selectors.appointment_list_for_user(
        user_id=PATIENT, role="patient", status=status, now=now
    ).filter(doctor_id=DOCTOR)
    assert _ids(listed) == [mix[name].id for name in expected]
    assert "CASE WHEN" in str(listed.query)


def test_annotation_matches_the_python_rule(mix, now):
    listed = selectors.appointment_list_for_user(user_id=PATIENT, role="patient", now=now)
    for appointment in listed:
        assert appointment.status_value == appointment.status_at(now)
        assert appointment.outcome_value == appointment.outcome_at(now)


def test_the_moment_the_end_passes_it_is_completed(now):
    appointment = AppointmentFactory(
        patient_id=PATIENT, start=now - datetime.timedelta(minutes=30), end=now
    )
    just_before = now - datetime.timedelta(microseconds=1)
    for moment, status in ((just_before, "upcoming"), (now, "completed")):
        found = selectors.appointment_get_for_user(
            appointment_id=appointment.id, user_id=PATIENT, role="patient", now=moment
        )
        assert found.status_value == status
        listed = selectors.appointment_list_for_user(
            user_id=PATIENT, role="patient", status=status, now=moment
        )
        assert _ids(listed) == [appointment.id]


@pytest.mark.parametrize(
    ("user_id", "role"),
    [(uuid.uuid4(), "patient"), (uuid.uuid4(), "doctor"), (DOCTOR, "patient"), (PATIENT, "doctor")],
)
def test_someone_elses_appointment_is_not_found(mix, user_id, role):
    with pytest.raises(AppointmentNotFound):
        selectors.appointment_get_for_user(
            appointment_id=mix["upcoming"].id, user_id=user_id, role=role
        )


def test_pending_appointment_is_not_found(mix):
    with pytest.raises(AppointmentNotFound):
        selectors.appointment_get_for_user(
            appointment_id=mix["pending"].id, user_id=PATIENT, role="patient"
        )


def test_malformed_id_is_not_found():
    with pytest.raises(AppointmentNotFound):
        selectors.appointment_get_for_user(appointment_id="nope", user_id=PATIENT, role="patient")


def test_patient_load(mix, now, django_assert_num_queries):
    upcoming = mix["upcoming"]
    later = upcoming.end + datetime.timedelta(hours=1)

    def load(start, end, **kwargs):
        return selectors.patient_load(
            patient_id=PATIENT,
            doctor_id=upcoming.doctor_id,
            start=start,
            end=end,
            now=now,
            **kwargs,
        )

    with django_assert_num_queries(1):
        overlapping = load(upcoming.start, upcoming.end)
    # Live, not ended: upcoming, pending, other doctor (marked no-show and cancelled are not live).
    assert overlapping == selectors.PatientLoad(upcoming=3, with_doctor=2, overlapping=True)
    assert not load(upcoming.start, upcoming.end, exclude_id=upcoming.id).overlapping
    assert not load(upcoming.end, later).overlapping


def test_history_is_oldest_first():
    appointment = AppointmentFactory()
    later = AppointmentEventFactory(appointment=appointment, action="booked")
    earlier = AppointmentEventFactory(
        appointment=appointment, at=later.at - datetime.timedelta(seconds=1)
    )
    AppointmentEventFactory()  # another appointment's
    assert list(selectors.appointment_event_list(appointment=appointment)) == [earlier, later]
