"""Staff operations on accounts: deactivation, sign-out everywhere, password reset and renewal."""

import time
from datetime import timedelta

import jwt
import pytest
from django.conf import settings
from django.db.models import F
from django.test import Client

from auth_service.accounts import selectors
from auth_service.accounts.models import RefreshTokenRecord, User
from auth_service.accounts.services import account_actions, service_accounts
from auth_service.accounts.services.sign_in import token_pair_issue
from auth_service.accounts.tests.factories import PASSWORD, UserFactory, staff_user
from common.testing import BearerClient, assert_problem

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token"
REFRESH = "/api/v1/auth/token/refresh"
ME = "/api/v1/auth/me"
RENEW = "/api/v1/auth/password/renew"
REVOCATIONS = "/internal/v1/auth/revocations"
USERS = "/admin/accounts/user/"
NEW_PASSWORD = "a-brand-new-passphrase"


def sign_in(email, password=PASSWORD):
    return BearerClient().post(TOKEN, {"email": email, "password": password}, format="json")


def me(access):
    return BearerClient(access).get(ME)


def live_refresh_tokens(user) -> int:
    return RefreshTokenRecord.objects.filter(user=user, revoked_at__isnull=True).count()


def admin_for(*groups):
    staff = staff_user(*groups)
    client = Client()
    response = client.post(
        "/admin/login/",
        {"username": staff.email, "password": PASSWORD, "next": "/admin/"},
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 302, response.content
    client.staff = staff
    return client


def act(client, action, *users, follow=True):
    return client.post(
        USERS, {"action": action, "_selected_action": [u.pk for u in users]}, follow=follow
    )


def revocations_caller(scope="revocations:read"):
    token = service_accounts.service_token_mint(
        client_id="schedule_service", audience="auth_service", scopes=scope.split()
    )
    return BearerClient(token.access_token)


def listed() -> dict[str, int]:
    body = revocations_caller().get(REVOCATIONS).json()
    return {row["sub"]: row["revoked_before"] for row in body["revocations"]}


def iat(token):
    return jwt.decode(token, options={"verify_signature": False})["iat"]


@pytest.fixture
def clinic_admin():
    return admin_for("clinic-admin")


@pytest.fixture
def signed_in_patient():
    patient = UserFactory(role="patient")
    pair = sign_in(patient.email).json()
    patient.pair = pair
    return patient


# Deactivation -------------------------------------------------------------------------


def test_a_clinic_admin_deactivates_an_account_and_every_sign_in_of_it_ends(
    clinic_admin, signed_in_patient
):
    patient = signed_in_patient
    sign_in(patient.email)  # a second device
    assert live_refresh_tokens(patient) == 2
    assert me(patient.pair["access"]).status_code == 200

    response = act(clinic_admin, "deactivate_accounts", patient)

    assert "Accounts deactivated: 1." in response.content.decode()
    patient.refresh_from_db()
    assert not patient.is_active and patient.tokens_revoked_at is not None
    assert live_refresh_tokens(patient) == 0
    # Sign-in: the same 401 as a wrong password; refresh refused; the access token too.
    refused = sign_in(patient.email)
    wrong = sign_in(UserFactory().email, "wrong-password-here")
    assert refused.status_code == wrong.status_code == 401
    assert refused.json()["code"] == wrong.json()["code"] == "invalid-credentials"
    assert refused.json()["detail"] == wrong.json()["detail"]
    assert_problem(
        BearerClient().post(REFRESH, {"refresh": patient.pair["refresh"]}),
        401,
        "invalid-refresh-token",
    )
    assert_problem(me(patient.pair["access"]), 401, "not-authenticated")
    # Every other service learns it from the list.
    assert listed()[str(patient.pk)] > iat(patient.pair["access"])


def test_a_deactivated_account_stays_listed_as_long_as_its_tokens_could_live(
    clinic_admin, signed_in_patient, clock
):
    act(clinic_admin, "deactivate_accounts", signed_in_patient)
    assert str(signed_in_patient.pk) in listed()

    clock.advance(seconds=settings.ACCESS_TOKEN_LIFETIME.total_seconds() + 30)
    assert str(signed_in_patient.pk) in listed()
    clock.advance(seconds=60)
    assert str(signed_in_patient.pk) not in listed()


def test_reactivation_lets_the_account_sign_in_again_but_old_tokens_stay_refused(
    clinic_admin, signed_in_patient
):
    patient = signed_in_patient
    act(clinic_admin, "deactivate_accounts", patient)

    response = act(clinic_admin, "reactivate_accounts", patient)

    assert "Accounts reactivated: 1." in response.content.decode()
    patient.refresh_from_db()
    assert patient.is_active
    assert_problem(me(patient.pair["access"]), 401, "not-authenticated")
    fresh = sign_in(patient.email)
    assert fresh.status_code == 200
    assert me(fresh.json()["access"]).status_code == 200


def test_a_pending_registration_is_not_activated_by_reactivation(clinic_admin):
    pending = UserFactory(state="pending", is_active=False)

    act(clinic_admin, "reactivate_accounts", pending)

    pending.refresh_from_db()
    assert not pending.is_active and pending.state == "pending"


def test_staff_cannot_deactivate_themselves_and_the_others_selected_still_are(clinic_admin):
    other = UserFactory()

    response = act(clinic_admin, "deactivate_accounts", clinic_admin.staff, other)

    page = response.content.decode()
    assert "You cannot deactivate your own account." in page
    assert "Accounts deactivated: 1." in page
    clinic_admin.staff.refresh_from_db()
    other.refresh_from_db()
    assert clinic_admin.staff.is_active and clinic_admin.staff.tokens_revoked_at is None
    assert not other.is_active
    assert clinic_admin.get("/admin/").status_code == 200


def test_the_change_form_cannot_switch_an_account_off_without_ending_its_sign_ins(
    clinic_admin, signed_in_patient
):
    patient = signed_in_patient

    clinic_admin.post(
        f"{USERS}{patient.pk}/change/",
        {"email": patient.email, "role": "patient", "state": "active"},  # is_active not ticked
    )

    patient.refresh_from_db()
    assert patient.is_active
    assert me(patient.pair["access"]).status_code == 200


def test_a_deactivated_staff_member_loses_this_admin_at_the_next_request(clinic_admin):
    desk = admin_for("front-desk")
    assert desk.get("/admin/").status_code == 200

    act(clinic_admin, "deactivate_accounts", desk.staff)

    assert desk.get("/admin/").status_code == 302


# Sign out everywhere ----------------------------------------------------------------------


def test_sign_out_everywhere_ends_refresh_and_access_tokens_but_not_the_account(
    clinic_admin, signed_in_patient
):
    patient = signed_in_patient

    act(clinic_admin, "revoke_refresh_tokens", patient)

    assert live_refresh_tokens(patient) == 0
    assert_problem(me(patient.pair["access"]), 401, "not-authenticated")
    assert str(patient.pk) in listed()
    again = sign_in(patient.email)
    assert again.status_code == 200
    assert me(again.json()["access"]).status_code == 200


# Who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize("group", ["front-desk", "read-only"])
@pytest.mark.parametrize(
    "action",
    ["deactivate_accounts", "reactivate_accounts", "revoke_refresh_tokens", "reset_password"],
)
def test_front_desk_and_read_only_neither_see_nor_run_the_account_actions(
    group, action, signed_in_patient
):
    client = admin_for(group)
    patient = signed_in_patient
    before = User.objects.get(pk=patient.pk)

    listing = client.get(USERS)
    response = act(client, action, patient, follow=False)

    assert listing.status_code == 200
    assert f'value="{action}"' not in listing.content.decode()
    assert response.status_code in (200, 302, 403)
    after = User.objects.get(pk=patient.pk)
    assert (after.is_active, after.password, after.must_change_password) == (
        before.is_active,
        before.password,
        before.must_change_password,
    )
    assert after.tokens_revoked_at is None
    assert live_refresh_tokens(patient) == 1
    assert me(patient.pair["access"]).status_code == 200


def test_a_clinic_admin_sees_every_account_action(clinic_admin):
    page = clinic_admin.get(USERS).content.decode()

    for action in (
        "deactivate_accounts",
        "reactivate_accounts",
        "revoke_refresh_tokens",
        "reset_password",
    ):
        assert f'value="{action}"' in page


@pytest.mark.parametrize(
    ("group", "allowed"), [("clinic-admin", True), ("front-desk", False), ("read-only", False)]
)
def test_only_clinic_admins_hold_the_account_permissions(group, allowed):
    staff = User.objects.get(pk=staff_user(group).pk)  # no cached permissions

    assert staff.has_perm("accounts.deactivate_account") is allowed
    assert staff.has_perm("accounts.reset_password") is allowed


# Password reset ---------------------------------------------------------------------------


def reset(client, user):
    response = act(client, "reset_password", user, follow=False)
    assert response.status_code == 200, response.content
    return response


def temporary_password_of(response) -> str:
    page = response.content.decode()
    start = page.index('id="temporary-password"')
    return page[page.index(">", start) + 1 : page.index("</code>", start)]


def test_a_reset_shows_a_temporary_password_once_and_ends_every_sign_in(
    clinic_admin, signed_in_patient
):
    patient = signed_in_patient

    response = reset(clinic_admin, patient)

    assert "no-store" in response["Cache-Control"]
    temporary = temporary_password_of(response)
    assert len(temporary) == 14
    patient.refresh_from_db()
    assert patient.must_change_password and patient.check_password(temporary)
    assert temporary not in patient.password
    assert live_refresh_tokens(patient) == 0
    assert_problem(me(patient.pair["access"]), 401, "not-authenticated")
    assert_problem(
        BearerClient().post(REFRESH, {"refresh": patient.pair["refresh"]}),
        401,
        "invalid-refresh-token",
    )
    assert_problem(sign_in(patient.email, PASSWORD), 401, "invalid-credentials")
    # Nothing shows it again.
    assert temporary not in clinic_admin.get(f"{USERS}{patient.pk}/change/").content.decode()
    assert temporary not in clinic_admin.get(USERS).content.decode()


def test_the_temporary_password_gets_no_tokens_but_a_new_password_can_be_chosen(
    clinic_admin, signed_in_patient
):
    patient = signed_in_patient
    temporary = temporary_password_of(reset(clinic_admin, patient))
    records = RefreshTokenRecord.objects.count()

    refused = sign_in(patient.email, temporary)

    assert_problem(refused, 403, "password-change-required")
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "password-change-required"
    assert "access" not in refused.json()
    assert RefreshTokenRecord.objects.count() == records

    renewed = BearerClient().post(
        RENEW,
        {
            "email": patient.email.upper(),
            "temporary_password": temporary,
            "new_password": NEW_PASSWORD,
        },
    )

    assert renewed.status_code == 204, renewed.content
    assert_problem(sign_in(patient.email, temporary), 401, "invalid-credentials")
    pair = sign_in(patient.email, NEW_PASSWORD)
    assert pair.status_code == 200
    # Signed in within the very second of the reset, yet not refused.
    assert me(pair.json()["access"]).status_code == 200
    patient.refresh_from_db()
    assert not patient.must_change_password


def renew(email, temporary, new=NEW_PASSWORD):
    return BearerClient().post(
        RENEW, {"email": email, "temporary_password": temporary, "new_password": new}
    )


@pytest.fixture
def reset_patient(clinic_admin):
    patient = UserFactory()
    patient.temporary = temporary_password_of(reset(clinic_admin, patient))
    patient.refresh_from_db()
    return patient


@pytest.mark.parametrize(
    ("new", "code"),
    [
        ("short", "password_too_short"),
        ("password123", "password_too_common"),
        (None, "password-unchanged"),
    ],
)
def test_the_new_password_must_pass_the_rules_and_nothing_changes_otherwise(
    reset_patient, new, code
):
    response = renew(reset_patient.email, reset_patient.temporary, new or reset_patient.temporary)

    assert_problem(response, 400, "validation-error")
    [error] = response.json()["errors"]
    assert (error["field"], error["code"]) == ("new_password", code)
    assert User.objects.get(pk=reset_patient.pk).password == reset_patient.password


def test_renewal_refuses_a_wrong_temporary_password_like_a_wrong_sign_in(reset_patient):
    response = renew(reset_patient.email, "not-the-temporary-one")

    assert_problem(response, 401, "invalid-credentials")
    assert response.json()["code"] == "invalid-credentials"
    assert User.objects.get(pk=reset_patient.pk).password == reset_patient.password


def test_renewal_refuses_an_account_with_no_reset_due_with_the_same_401():
    patient = UserFactory()

    response = renew(patient.email, PASSWORD)

    assert_problem(response, 401, "invalid-credentials")
    assert response.json()["code"] == "invalid-credentials"
    assert User.objects.get(pk=patient.pk).password == patient.password


def test_renewal_refuses_a_deactivated_account(clinic_admin, reset_patient):
    act(clinic_admin, "deactivate_accounts", reset_patient)

    assert_problem(renew(reset_patient.email, reset_patient.temporary), 401, "invalid-credentials")


def test_renewal_attempts_are_counted_like_sign_ins(reset_patient):
    for _ in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        assert_problem(renew(reset_patient.email, "guess-guess-guess"), 401, "invalid-credentials")

    locked = renew(reset_patient.email, reset_patient.temporary)

    assert_problem(locked, 429, "throttled")
    assert locked.json()["code"] == "throttled"
    assert int(locked["Retry-After"]) > 0
    assert_problem(sign_in(reset_patient.email, reset_patient.temporary), 429, "throttled")
    assert User.objects.get(pk=reset_patient.pk).must_change_password


def test_a_reset_is_one_account_at_a_time_and_never_ones_own(clinic_admin):
    a, b = UserFactory(), UserFactory()

    several = act(clinic_admin, "reset_password", a, b)
    own = act(clinic_admin, "reset_password", clinic_admin.staff)

    assert "Select one account to reset its password." in several.content.decode()
    assert "You cannot reset the password of your own account." in own.content.decode()
    for user in (a, b, clinic_admin.staff):
        assert User.objects.get(pk=user.pk).password == user.password


def test_a_pending_registration_has_no_password_to_reset(clinic_admin):
    pending = UserFactory(state="pending", is_active=False)

    response = act(clinic_admin, "reset_password", pending)

    assert "This registration is not complete" in response.content.decode()
    assert User.objects.get(pk=pending.pk).password == pending.password


def test_a_staff_member_with_a_temporary_password_is_told_to_choose_a_new_one(clinic_admin):
    desk = staff_user("front-desk")
    temporary = temporary_password_of(reset(clinic_admin, desk))

    page = Client().post(
        "/admin/login/",
        {"username": desk.email, "password": temporary, "next": "/admin/"},
        REMOTE_ADDR="192.0.2.20",
    )
    staff_token = revocations_caller("staff:sign-in").post(
        "/internal/v1/auth/staff-token",
        {"email": desk.email, "password": temporary, "client_address": "192.0.2.20"},
    )

    assert page.status_code == 200
    assert "works only to choose a new one" in page.content.decode()
    # Other admins get the answer they know: the sign-in is refused.
    assert_problem(staff_token, 401, "invalid-credentials")
    assert staff_token.json()["code"] == "invalid-credentials"


def test_temporary_passwords_differ_and_pass_the_password_rules():
    from django.contrib.auth.password_validation import validate_password

    passwords = {account_actions.temporary_password_generate() for _ in range(50)}

    assert len(passwords) == 50
    for password in list(passwords)[:5]:
        validate_password(password, user=UserFactory.build())


# The revocation list (internal) -----------------------------------------------------------


def test_the_list_names_ids_and_times_only(clinic_admin, signed_in_patient):
    other = UserFactory()
    act(clinic_admin, "revoke_refresh_tokens", signed_in_patient)
    reset(clinic_admin, other)

    response = revocations_caller().get(REVOCATIONS)

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.json()
    assert body["window_seconds"] == int(settings.ACCESS_TOKEN_LIFETIME.total_seconds()) + 60
    assert {row["sub"] for row in body["revocations"]} == {
        str(signed_in_patient.pk),
        str(other.pk),
    }
    assert signed_in_patient.email not in response.content.decode()
    assert all(set(row) == {"sub", "revoked_before"} for row in body["revocations"])


def test_an_inactive_account_is_listed_as_refusing_every_token_until_now(clinic_admin):
    patient = UserFactory()
    act(clinic_admin, "deactivate_accounts", patient)
    # Deactivated a while ago: the listed time is the time of asking, not of deactivating.
    User.objects.filter(pk=patient.pk).update(
        tokens_revoked_at=F("tokens_revoked_at") - timedelta(seconds=5)
    )
    asked_at = time.time()

    assert listed()[str(patient.pk)] > asked_at


@pytest.mark.parametrize(
    ("caller", "status", "code"),
    [
        ("no-scope", 403, "permission-denied"),
        ("user", 403, "permission-denied"),
        ("none", 401, "not-authenticated"),
    ],
)
def test_only_services_with_the_scope_read_the_list(caller, status, code):
    patient = UserFactory()
    clients = {
        "no-scope": lambda: revocations_caller("staff:sign-in"),
        "user": lambda: BearerClient(sign_in(patient.email).json()["access"]),
        "none": BearerClient,
    }

    assert_problem(clients[caller]().get(REVOCATIONS), status, code)


def test_the_list_is_one_query_however_long(clinic_admin, django_assert_num_queries):
    for user in UserFactory.create_batch(5):
        account_actions.user_sign_ins_end(user=user, actor=clinic_admin.staff)

    with django_assert_num_queries(1):
        rows = selectors.revocation_list()

    assert len(rows) == 5


# Services ---------------------------------------------------------------------------------


@pytest.mark.parametrize("operation", ["reset", "deactivate", "sign-out"])
def test_a_sign_in_read_before_a_revocation_gets_no_tokens(operation):
    from auth_service.accounts.exceptions import InvalidCredentials

    admin = staff_user("clinic-admin")
    read = User.objects.get(pk=UserFactory().pk)  # as a sign-in read it, before the revocation
    {
        "reset": account_actions.user_password_reset,
        "deactivate": account_actions.user_deactivate,
        "sign-out": account_actions.user_sign_ins_end,
    }[operation](user=User.objects.get(pk=read.pk), actor=admin)

    with pytest.raises(InvalidCredentials):
        token_pair_issue(user=read)

    assert live_refresh_tokens(read) == 0


def test_deactivating_an_inactive_account_changes_nothing():
    admin = staff_user("clinic-admin")
    user = UserFactory()
    assert account_actions.user_deactivate(user=user, actor=admin) is True
    first = User.objects.get(pk=user.pk).tokens_revoked_at

    assert account_actions.user_deactivate(user=user, actor=admin) is False
    assert User.objects.get(pk=user.pk).tokens_revoked_at == first
