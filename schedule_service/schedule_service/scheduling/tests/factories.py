"""factory_boy factories of the scheduling models."""

import datetime
import uuid

import factory
from django.utils import timezone as dj_timezone

from schedule_service.scheduling.models import AvailabilityRule, DoctorSchedule, SlotHold, TimeOff
from schedule_service.scheduling.slots import slot_id_encode


class DoctorScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DoctorSchedule

    doctor_id = factory.LazyFunction(uuid.uuid4)
    timezone = "Europe/Berlin"
    timezone_checked_at = factory.LazyFunction(dj_timezone.now)
    # Approved by the clinic (bookable) unless ``doctor_approved=False``.
    doctor_approved = True


class AvailabilityRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AvailabilityRule

    doctor = factory.SubFactory(DoctorScheduleFactory)
    weekday = 2
    start_time = datetime.time(9)
    end_time = datetime.time(12)
    slot_minutes = 30


class TimeOffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TimeOff

    doctor = factory.SubFactory(DoctorScheduleFactory)
    start = factory.LazyFunction(lambda: dj_timezone.now() + datetime.timedelta(days=1))
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(hours=2))
    reason = "Conference"


class SlotHoldFactory(factory.django.DjangoModelFactory):
    """A hold; ``start`` must be a whole-minute aware datetime."""

    class Meta:
        model = SlotHold

    doctor = factory.SubFactory(DoctorScheduleFactory)
    start = factory.LazyFunction(
        lambda: (dj_timezone.now() + datetime.timedelta(days=2)).replace(second=0, microsecond=0)
    )
    end = factory.LazyAttribute(lambda o: o.start + datetime.timedelta(minutes=30))
    blocked_until = factory.LazyAttribute(
        lambda o: o.end + datetime.timedelta(minutes=o.doctor.buffer_minutes)
    )
    slot_id = factory.LazyAttribute(
        lambda o: slot_id_encode(seq=o.doctor.pk, doctor_id=o.doctor.doctor_id, start=o.start)
    )
    appointment_id = factory.LazyFunction(uuid.uuid4)
