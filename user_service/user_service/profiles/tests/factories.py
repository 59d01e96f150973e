"""factory_boy factories of the profiles models."""

import uuid

import factory
from django.utils import timezone as dj_timezone

from user_service.profiles.models import Doctor, Patient, ProfileOwner, Specialty


class SpecialtyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Specialty
        # The data migration already made the real ones: reuse them by slug.
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"specialty-{n}")
    name = factory.Sequence(lambda n: f"Specialty {n}")


class _ProfileFactory(factory.django.DjangoModelFactory):
    """Makes the profile's owner row first, as services do (the database insists)."""

    class Meta:
        abstract = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        ProfileOwner.objects.get_or_create(
            user_id=kwargs["user_id"],
            defaults={"role": model_class._meta.get_field("role").default},
        )
        return super()._create(model_class, *args, **kwargs)


class DoctorFactory(_ProfileFactory):
    class Meta:
        model = Doctor

    user_id = factory.LazyFunction(uuid.uuid4)
    full_name = factory.Faker("name")
    specialty = factory.SubFactory(SpecialtyFactory)
    bio = factory.Faker("sentence")
    timezone = "Europe/Berlin"
    # Approved (listed, bookable) unless ``pending=True``.
    approved_at = factory.LazyFunction(dj_timezone.now)
    approved_by = "factory"

    class Params:
        pending = factory.Trait(approved_at=None, approved_by="")


class PatientFactory(_ProfileFactory):
    class Meta:
        model = Patient

    user_id = factory.LazyFunction(uuid.uuid4)
    full_name = factory.Faker("name")
    phone = "+49 30 1234567"
    date_of_birth = factory.Faker("date_of_birth", minimum_age=18, maximum_age=90)
