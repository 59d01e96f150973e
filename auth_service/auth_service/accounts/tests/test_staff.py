"""Staff groups, the admin sign-in endpoint for other services and auth_service's own admin."""

import jwt
import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.test import Client

from auth_service.accounts.exceptions import InvalidCredentials
from auth_service.accounts.models import RefreshTokenRecord, User
from auth_service.accounts.services.service_accounts import service_token_mint
from auth_service.accounts.services.sign_in import token_pair_issue, user_login
from auth_service.accounts.services.staff import (
    staff_access_sync,
    staff_create,
    staff_groups_set,
    staff_login,
)
from auth_service.accounts.tests.factories import (
    PASSWORD,
    ServiceAccountFactory,
    UserFactory,
    staff_user,
)
from common.testing import BearerClient, assert_problem

pytestmark = pytest.mark.django_db

STAFF_TOKEN = "/internal/v1/auth/staff-token"
TOKEN = "/api/v1/auth/token"
REFRESH = "/api/v1/auth/token/refresh"
LOGIN = "/admin/login/"


def service_caller(client_id: str, scope: str, audience: str = "auth_service") -> BearerClient:
    """A client with a real service token (auth_service verifies with its own keys)."""
    scopes = scope.split()
    token = service_token_mint(client_id=client_id, audience=audience, scopes=scopes)
    return BearerClient(token.access_token)


def claims_of(token: str) -> dict:
    return jwt.decode(token, options={"verify_signature": False})


def groups_of(user: User) -> list[str]:
    return sorted(user.groups.values_list("name", flat=True))


# Groups and access ---------------------------------------------------------------------


def test_the_three_staff_groups_exist_with_their_permissions_here():
    assert set(Group.objects.values_list("name", flat=True)) >= {
        "clinic-admin",
        "front-desk",
        "read-only",
    }
    front_desk = set(
        Group.objects.get(name="front-desk").permissions.values_list("codename", flat=True)
    )
    assert "view_user" in front_desk
    assert not any(codename.startswith(("change_", "add_", "delete_")) for codename in front_desk)


@pytest.mark.parametrize(
    ("groups", "is_staff", "is_superuser"),
    [
        (["clinic-admin"], True, True),
        (["front-desk"], True, False),
        (["read-only", "front-desk"], True, False),
        ([], False, False),
    ],
)
def test_admin_access_follows_the_groups(groups, is_staff, is_superuser):
    user = staff_user(*groups)

    user.refresh_from_db()
    assert (user.is_staff, user.is_superuser) == (is_staff, is_superuser)
    assert groups_of(user) == sorted(groups)


def test_an_unknown_group_is_refused_and_nothing_changes():
    user = staff_user("read-only")

    with pytest.raises(ValidationError):
        staff_groups_set(user=user, groups=["read-only", "root"])

    assert groups_of(user) == ["read-only"]


def test_only_staff_join_staff_groups():
    patient = UserFactory(role="patient")

    with pytest.raises(ValidationError):
        staff_groups_set(user=patient, groups=["clinic-admin"])

    patient.refresh_from_db()
    assert not patient.is_staff and not patient.groups.exists()


def test_an_account_that_stops_being_staff_leaves_its_groups_and_the_admin():
    user = staff_user("clinic-admin")
    other = Group.objects.create(name="newsletter")
    user.groups.add(other)

    user.role = "patient"
    user.save()
    staff_access_sync(user=user)

    user.refresh_from_db()
    assert not user.is_staff and not user.is_superuser
    assert groups_of(user) == ["newsletter"]


def test_staff_create_defaults_to_clinic_admin_and_keeps_groups_on_reset():
    user = staff_create(email="Boss@Example.com", password="a-long-enough-passphrase")
    assert groups_of(user) == ["clinic-admin"]
    assert user.is_superuser

    staff_groups_set(user=user, groups=["read-only"])
    again = staff_create(email="boss@example.com", password="another-long-passphrase")

    assert groups_of(again) == ["read-only"]
    assert again.is_staff and not again.is_superuser


def test_create_superuser_joins_clinic_admin():
    user = User.objects.create_superuser("root@example.com", "pw")

    assert groups_of(user) == ["clinic-admin"]
    assert user.is_staff and user.is_superuser


def test_staff_access_tokens_name_the_groups_and_others_do_not():
    staff = staff_user("front-desk", "read-only")
    patient = UserFactory(role="patient")

    staff_claims = claims_of(token_pair_issue(user=staff).access)
    patient_claims = claims_of(token_pair_issue(user=patient).access)

    assert staff_claims["groups"] == ["front-desk", "read-only"]
    assert "groups" not in patient_claims


def test_a_refresh_gives_the_current_groups(anon_client):
    staff = staff_user("clinic-admin")
    pair = token_pair_issue(user=staff)
    staff_groups_set(user=staff, groups=["read-only"])

    response = anon_client.post(REFRESH, {"refresh": pair.refresh}, format="json")

    assert claims_of(response.json()["access"])["groups"] == ["read-only"]


# The admin sign-in endpoint (internal) -------------------------------------------------


@pytest.fixture
def admin_caller():
    """user_service asking for a staff member, with its service token."""
    return service_caller("user_service", "staff:sign-in")


def staff_token(client, email, password=PASSWORD, address="203.0.113.7", **extra):
    body = {"email": email, "password": password, "client_address": address, **extra}
    return client.post(STAFF_TOKEN, body, format="json")


def test_staff_with_a_group_gets_a_pair_naming_the_groups(admin_caller):
    staff = staff_user("front-desk")

    response = staff_token(admin_caller, staff.email.upper())

    assert response.status_code == 200, response.json()
    assert response["Cache-Control"] == "no-store"
    claims = claims_of(response.json()["access"])
    assert claims["sub"] == str(staff.id)
    assert claims["role"] == "staff"
    assert claims["groups"] == ["front-desk"]
    assert set(claims["aud"]) >= {"user_service", "schedule_service", "appointment_service"}
    assert RefreshTokenRecord.objects.filter(user=staff).count() == 1
    staff.refresh_from_db()
    assert staff.last_login is not None


@pytest.mark.parametrize(
    "who",
    ["wrong-password", "unknown-email", "patient", "doctor", "staff-without-group", "inactive"],
)
def test_anyone_else_gets_the_same_401_as_a_wrong_password(admin_caller, who):
    users = {
        "wrong-password": staff_user("clinic-admin"),
        "unknown-email": None,
        "patient": UserFactory(role="patient"),
        "doctor": UserFactory(role="doctor"),
        "staff-without-group": staff_user(),
        "inactive": staff_user("clinic-admin", is_active=False),
    }
    user = users[who]
    email = user.email if user else "nobody@example.com"
    password = "wrong-password-here" if who == "wrong-password" else PASSWORD

    response = staff_token(admin_caller, email, password)

    assert_problem(response, 401, "invalid-credentials")
    body = response.json()
    assert body["code"] == "invalid-credentials"
    assert body["detail"] == "The email or password is incorrect."
    assert "WWW-Authenticate" not in response
    assert not RefreshTokenRecord.objects.exists()


@pytest.mark.parametrize(
    "caller",
    [
        pytest.param(
            lambda: service_caller("user_service", "profiles:read"),
            id="no-scope",
        ),
        pytest.param(lambda: service_caller("portal", ""), id="empty-scope"),
    ],
)
def test_a_service_token_without_the_scope_gets_403(caller):
    staff = staff_user("clinic-admin")

    response = staff_token(caller(), staff.email)

    assert_problem(response, 403, "permission-denied")
    assert not RefreshTokenRecord.objects.exists()


def test_a_user_token_gets_403_even_a_staff_members():
    staff = staff_user("clinic-admin")
    client = BearerClient(token_pair_issue(user=staff).access)
    RefreshTokenRecord.objects.all().delete()

    response = staff_token(client, staff.email)

    assert_problem(response, 403, "permission-denied")
    assert not RefreshTokenRecord.objects.exists()


@pytest.mark.parametrize(
    "client",
    [
        pytest.param(lambda: BearerClient(), id="no-token"),
        pytest.param(
            lambda: service_caller("user_service", "staff:sign-in", audience="user_service"),
            id="other-audience",
        ),
    ],
)
def test_no_valid_service_token_gets_401(client):
    staff = staff_user("clinic-admin")

    response = staff_token(client(), staff.email)

    assert_problem(response, 401, "not-authenticated")
    assert response.json()["code"] == "not-authenticated"
    assert not RefreshTokenRecord.objects.exists()


@pytest.mark.parametrize(
    "address", ["", "unknown", "203.0.113", "203.0.113.7, 10.0.0.1", "not an ip"]
)
def test_the_client_address_must_be_an_ip_address(admin_caller, address):
    staff = staff_user("clinic-admin")

    response = staff_token(admin_caller, staff.email, address=address)

    assert_problem(response, 400, "validation-error")
    assert response.json()["errors"][0]["field"] == "client_address"
    assert not RefreshTokenRecord.objects.exists()


def test_failures_count_against_the_given_address_not_the_callers(admin_caller, anon_client):
    staff = staff_user("clinic-admin")
    patient = UserFactory(role="patient")
    for n in range(settings.LOGIN_FAILURES_PER_ADDRESS):
        assert_problem(
            staff_token(admin_caller, f"guess{n}@example.com", "x"), 401, "invalid-credentials"
        )

    # That browser's address is locked, even with the right password ...
    locked = staff_token(admin_caller, staff.email)
    assert_problem(locked, 429, "throttled")
    assert locked["Retry-After"]
    # ... another browser's is not, nor the calling service's own (127.0.0.1).
    assert staff_token(admin_caller, staff.email, address="198.51.100.4").status_code == 200
    public = anon_client.post(TOKEN, {"email": patient.email, "password": PASSWORD}, format="json")
    assert public.status_code == 200


def test_an_ipv6_address_is_counted_too(admin_caller):
    for n in range(settings.LOGIN_FAILURES_PER_ADDRESS):
        staff_token(admin_caller, f"guess{n}@example.com", "x", address="2001:db8::1")

    assert_problem(
        staff_token(admin_caller, "x@example.com", address="2001:db8::1"), 429, "throttled"
    )
    assert_problem(
        staff_token(admin_caller, "x@example.com", address="2001:db8::2"),
        401,
        "invalid-credentials",
    )


def test_failures_count_against_the_account_too(admin_caller):
    staff = staff_user("clinic-admin")
    for n in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        staff_token(admin_caller, staff.email, "wrong-password-here", address=f"198.51.100.{n}")

    assert_problem(staff_token(admin_caller, staff.email, address="192.0.2.200"), 429, "throttled")


def test_the_public_sign_in_takes_no_client_address_from_the_caller(anon_client):
    patient = UserFactory(role="patient")
    for n in range(settings.LOGIN_FAILURES_PER_ADDRESS):
        anon_client.post(
            TOKEN,
            {"email": f"guess{n}@example.com", "password": "x", "client_address": f"192.0.2.{n}"},
            format="json",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
            HTTP_X_REAL_IP=f"198.51.100.{n}",
        )

    response = anon_client.post(
        TOKEN,
        {"email": patient.email, "password": PASSWORD, "client_address": "192.0.2.250"},
        format="json",
        HTTP_X_FORWARDED_FOR="198.51.100.250",
    )
    # Every failure counted against the connection's own address, which is now locked.
    assert_problem(response, 429, "throttled")


# auth_service's own admin --------------------------------------------------------------


def admin_sign_in(client, email, password=PASSWORD, address="192.0.2.10"):
    return client.post(
        LOGIN, {"username": email, "password": password, "next": "/admin/"}, REMOTE_ADDR=address
    )


@pytest.mark.parametrize(
    ("groups", "can_change"),
    [(["clinic-admin"], True), (["front-desk"], False), (["read-only"], False)],
)
def test_staff_with_a_group_sign_in_to_this_admin(groups, can_change):
    staff = staff_user(*groups)
    other = UserFactory(role="patient")
    client = Client()

    response = admin_sign_in(client, staff.email)

    assert response.status_code == 302, response.content
    assert client.get("/admin/accounts/user/").status_code == 200
    change = client.post(
        f"/admin/accounts/user/{other.pk}/change/",
        {"email": "changed@example.com", "role": "patient", "state": "active", "is_active": "on"},
    )
    assert (change.status_code == 302) is can_change
    other.refresh_from_db()
    assert (other.email == "changed@example.com") is can_change


@pytest.mark.parametrize("who", ["patient", "staff-without-group", "wrong-password"])
def test_nobody_else_signs_in_to_this_admin(who):
    user = UserFactory(role="patient") if who == "patient" else staff_user()
    if who == "wrong-password":
        user = staff_user("clinic-admin")
    client = Client()

    response = admin_sign_in(
        client, user.email, "wrong-password-here" if who == "wrong-password" else PASSWORD
    )

    assert response.status_code == 200
    assert "Please enter the correct email" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_this_admins_sign_in_is_throttled_per_browser_address(settings):
    settings.LOGIN_FAILURES_PER_ADDRESS = 5
    staff = staff_user("clinic-admin")
    client = Client()
    for n in range(5):
        admin_sign_in(client, f"guess{n}@example.com", "x")

    locked = admin_sign_in(client, staff.email)

    assert locked.status_code == 200
    assert "Too many failed sign-in attempts" in locked.content.decode()
    assert admin_sign_in(Client(), staff.email, address="192.0.2.99").status_code == 302


@pytest.fixture
def clinic_admin_client():
    client = Client()
    assert admin_sign_in(client, staff_user("clinic-admin").email).status_code == 302
    return client


def change_form(user, **overrides):
    data = {
        "email": user.email,
        "role": user.role,
        "state": user.state,
        "is_active": "on",
        **overrides,
    }
    return {k: v for k, v in data.items() if v is not None}


def test_a_clinic_admin_changes_a_staff_members_groups(clinic_admin_client):
    desk = staff_user("read-only")
    ids = {g.name: g.pk for g in Group.objects.all()}
    url = f"/admin/accounts/user/{desk.pk}/change/"

    page = clinic_admin_client.get(url).content.decode()
    assert "front-desk" in page and "clinic-admin" in page

    response = clinic_admin_client.post(
        url, change_form(desk, groups=[ids["front-desk"], ids["clinic-admin"]])
    )
    assert response.status_code == 302
    desk.refresh_from_db()
    assert groups_of(desk) == ["clinic-admin", "front-desk"]
    assert desk.is_staff and desk.is_superuser

    clinic_admin_client.post(url, change_form(desk))  # no group ticked
    desk.refresh_from_db()
    assert groups_of(desk) == []
    assert not desk.is_staff and not desk.is_superuser


def test_admin_flags_cannot_be_set_by_hand(clinic_admin_client):
    desk = staff_user("read-only")

    clinic_admin_client.post(
        f"/admin/accounts/user/{desk.pk}/change/",
        change_form(
            desk,
            groups=[Group.objects.get(name="read-only").pk],
            is_superuser="on",
            is_staff="on",
        ),
    )

    desk.refresh_from_db()
    assert desk.is_staff and not desk.is_superuser


def test_a_patient_ticked_into_a_staff_group_stays_out(clinic_admin_client):
    patient = UserFactory(role="patient")

    response = clinic_admin_client.post(
        f"/admin/accounts/user/{patient.pk}/change/",
        change_form(patient, groups=[Group.objects.get(name="clinic-admin").pk]),
        follow=True,
    )

    assert "Only staff accounts join staff groups." in response.content.decode()
    patient.refresh_from_db()
    assert not patient.groups.exists() and not patient.is_staff


def test_a_demoted_staff_member_loses_this_admin_at_the_next_request():
    desk = staff_user("front-desk")
    client = Client()
    admin_sign_in(client, desk.email)
    assert client.get("/admin/").status_code == 200

    staff_groups_set(user=desk, groups=[])

    assert client.get("/admin/").status_code == 302


def test_the_service_account_page_shows_the_grants_per_audience(clinic_admin_client):
    account = ServiceAccountFactory(
        client_id="appointment_service",
        grants={"schedule_service": ["slots:read", "slots:reserve"], "auth_service": []},
    )

    listing = clinic_admin_client.get("/admin/accounts/serviceaccount/").content.decode()
    page = clinic_admin_client.get(
        f"/admin/accounts/serviceaccount/{account.pk}/change/"
    ).content.decode()

    assert "schedule_service: slots:read slots:reserve" in listing
    assert "auth_service: -" in listing
    assert "schedule_service: slots:read slots:reserve" in page


def test_staff_login_refuses_and_counts_non_staff(settings):
    settings.LOGIN_FAILURES_PER_ACCOUNT = 2
    patient = UserFactory(role="patient")
    for _ in range(2):
        with pytest.raises(InvalidCredentials):
            staff_login(email=patient.email, password=PASSWORD, address="192.0.2.1")

    # The patient's own account now counts as attacked: the public sign-in is throttled too.
    from rest_framework.exceptions import Throttled

    with pytest.raises(Throttled):
        user_login(email=patient.email, password=PASSWORD, address="192.0.2.2")


def test_an_account_added_in_the_admin_reaches_no_admin_until_given_a_group(clinic_admin_client):
    response = clinic_admin_client.post(
        "/admin/accounts/user/add/",
        {
            "email": "new.desk@example.com",
            "role": "staff",
            "password1": "a-long-enough-passphrase",
            "password2": "a-long-enough-passphrase",
            "usable_password": "true",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    user = User.objects.get(email="new.desk@example.com")
    assert not user.is_staff and not user.groups.exists()


def test_a_clinic_admin_signs_staff_out_everywhere(clinic_admin_client):
    desk = staff_user("front-desk")
    token_pair_issue(user=desk)

    clinic_admin_client.post(
        "/admin/accounts/user/",
        {"action": "revoke_refresh_tokens", "_selected_action": [desk.pk]},
    )

    assert not RefreshTokenRecord.objects.filter(user=desk, revoked_at__isnull=True).exists()


def test_a_cache_that_cannot_count_refuses_this_admins_sign_in_clearly(monkeypatch):
    from django.core.cache import cache

    staff = staff_user("clinic-admin")

    def broken(*args, **kwargs):
        raise ConnectionError("cache down")

    monkeypatch.setattr(cache, "incr", broken)
    response = admin_sign_in(Client(), staff.email)

    assert response.status_code == 200
    assert "Sign-in is unavailable for a moment" in response.content.decode()


def test_a_cache_that_cannot_count_is_a_503_at_the_staff_endpoint(admin_caller, monkeypatch):
    from django.core.cache import cache

    staff = staff_user("clinic-admin")
    monkeypatch.setattr(cache, "incr", lambda *a, **k: (_ for _ in ()).throw(ConnectionError()))

    response = staff_token(admin_caller, staff.email)

    assert_problem(response, 503, "dependency-unavailable")
    assert not RefreshTokenRecord.objects.exists()
