"""Factories of the accounts app."""

import factory

from auth_service.accounts.models import Role, ServiceAccount, User, UserState
from auth_service.accounts.services import staff
from auth_service.accounts.services.service_accounts import secret_hash

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
    secret_hash = factory.LazyFunction(lambda: secret_hash(SERVICE_SECRET))
    grants = factory.LazyFunction(lambda: {"schedule_service": ["slots:read", "slots:reserve"]})


def staff_user(*groups: str, **kwargs) -> User:
    """A staff account in ``groups`` (none: a staff account that reaches no admin)."""
    user = UserFactory(role=Role.STAFF, **kwargs)
    return staff.staff_groups_set(user=user, groups=list(groups))
