"""Factories of the accounts app."""

import factory
from django.contrib.auth.hashers import make_password

from auth_service.accounts.models import Role, ServiceAccount, User, UserState

PASSWORD = "correct-horse-battery-staple"
SERVICE_SECRET = "s" * 32


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.com")
    role = Role.PATIENT
    state = UserState.ACTIVE
    is_active = True
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ServiceAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceAccount

    client_id = factory.Sequence(lambda n: f"svc-{n}")
    secret_hash = factory.LazyFunction(lambda: make_password(SERVICE_SECRET))
    allowed_audiences = factory.LazyFunction(lambda: ["schedule_service"])
    allowed_scopes = factory.LazyFunction(lambda: ["slots:read", "slots:reserve"])
