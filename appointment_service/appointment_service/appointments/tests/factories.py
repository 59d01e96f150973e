"""factory_boy factories of the appointments models."""

import datetime
import uuid

import factory
from django.utils import timezone

from appointment_service.appointments.models import (
    ActorRole,
    Appointment,
    AppointmentEvent,
    AppointmentState,
    EventAction,
)


def _in_three_days_at_nine() -> datetime.datetime:
    return (timezone.now() + datetime.timedelta(days=3)).replace(
        hour=9, minute=0, second=0, microsecond=0
    )


class AppointmentFactory(factory.django.DjangoModelFactory):
    """A booked appointment a few days ahead (30 minutes; 24 h / 12 h cut-offs)."""

    class Meta:
        model = Appointment

    patient_id = factory.LazyFunction(uuid.uuid4)
    doctor_id = factory.LazyFunction(uuid.uuid4)
    slot_id = factory.LazyFunction(uuid.uuid4)
    start = factory.LazyFunction(_in_three_days_at_nine)
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(minutes=30))
    state = AppointmentState.BOOKED
    reason = factory.Faker("sentence")
    cancel_cutoff_hours = 24
    reschedule_cutoff_hours = 12


class AppointmentEventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AppointmentEvent

    appointment = factory.SubFactory(AppointmentFactory)
    at = factory.LazyFunction(timezone.now)
    actor_id = factory.LazyAttribute(lambda o: o.appointment.patient_id)
    actor_role = ActorRole.PATIENT
    action = EventAction.CREATED
    data = factory.LazyFunction(dict)
