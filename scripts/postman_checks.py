"""The Postman story's end: the internal endpoints with a service token, then the refusals."""

from __future__ import annotations

from postman_kit import (
    APPOINTMENTS,
    AUTH,
    SCHEDULE,
    USERS,
    folder,
    js,
    page,
    problem,
    request,
    status,
)


def service_token(audience: str, scope: str) -> dict:
    """The environment's service account asks for a token for ``audience``."""
    variable = audience.removesuffix("_service") + "_service_token"
    return request(
        f"Service token for {audience}",
        "POST",
        f"{AUTH}/api/v1/auth/service-token",
        form={
            "grant_type": "client_credentials",
            "client_id": "{{client_id}}",
            "client_secret": "{{client_secret}}",
            "audience": audience,
        },
        tests=[
            *status(200),
            *js(
                f"""
                const token = pm.response.json();
                pm.test('a bearer token with {scope}', () => {{
                  pm.expect(token.access_token).to.be.a('string').and.not.be.empty;
                  pm.expect(token.expires_in).to.be.above(0);
                  pm.expect(token.scope.split(' ')).to.include('{scope}');
                }});
                pm.collectionVariables.set('{variable}', token.access_token);
                """
            ),
        ],
    )


def slot_action(action: str) -> dict:
    label = "held" if action == "reserve" else "let go"
    check = (
        "pm.expect(answer.appointment_id).to.eql(pm.collectionVariables.get('hold_for'));"
        if action == "reserve"
        else "pm.expect(answer.held).to.eql(false);"
    )
    return request(
        f"{action.capitalize()} a slot (internal)",
        "POST",
        f"{SCHEDULE}/internal/v1/slots/{{{{spare_slot_id}}}}/{action}",
        token="schedule_service_token",
        body={"appointment_id": "{{hold_for}}"},
        before=js("pm.collectionVariables.set('hold_for', pm.variables.replaceIn('{{$guid}}'));")
        if action == "reserve"
        else None,
        tests=[
            *status(200),
            *js(
                f"""
                const answer = pm.response.json();
                pm.test('the spare slot, {label}', () => {{
                  pm.expect(answer.id).to.eql(pm.collectionVariables.get('spare_slot_id'));
                  {check}
                }});
                """
            ),
        ],
    )


def profiles_of_many_users() -> dict:
    return request(
        "Profiles of many users",
        "GET",
        f"{USERS}/internal/v1/profiles/",
        token="user_service_token",
        query={"ids": "{{doctor_id}},{{patient_id}}"},
        tests=[
            *status(200),
            *page("user_id", "role", "full_name", "timezone", "specialty"),
            *js(
                """
                pm.test('the doctor and the patient', () => {
                  const roles = Object.fromEntries(page.results.map((p) => [p.user_id, p.role]));
                  pm.expect(roles).to.eql({
                    [pm.collectionVariables.get('doctor_id')]: 'doctor',
                    [pm.collectionVariables.get('patient_id')]: 'patient',
                  });
                });
                """
            ),
        ],
    )


def accounts_by_id() -> dict:
    return request(
        "Accounts by id (internal)",
        "GET",
        f"{AUTH}/internal/v1/accounts/",
        token="auth_service_token",
        query={"ids": "{{patient_id}},{{doctor_id}}"},
        tests=[
            *status(200),
            *page("id", "email", "role", "is_active"),
            *js(
                """
                pm.test('the patient and the doctor, with their emails', () => {
                  const emails = Object.fromEntries(page.results.map((a) => [a.id, a.email]));
                  pm.expect(emails).to.eql({
                    [pm.collectionVariables.get('patient_id')]: pm.collectionVariables.get('patient_email'),
                    [pm.collectionVariables.get('doctor_id')]: pm.collectionVariables.get('doctor_email'),
                  });
                  page.results.forEach((a) => pm.expect(a.is_active).to.eql(true));
                });
                """
            ),
        ],
    )


def held_slot() -> dict:
    return request(
        "A held slot (internal)",
        "GET",
        f"{SCHEDULE}/internal/v1/slots/{{{{second_slot_id}}}}/",
        token="schedule_service_token",
        tests=[
            *status(200),
            *js(
                """
                const slot = pm.response.json();
                pm.test('held for the other patient\\'s appointment', () => {
                  pm.expect(slot.held).to.eql(true);
                  pm.expect(slot.bookable).to.eql(false);
                  pm.expect(slot.appointment_id).to.eql(pm.collectionVariables.get('other_appointment_id'));
                });
                """
            ),
        ],
    )


def doctors_holds() -> dict:
    return request(
        "The doctor's holds (internal)",
        "GET",
        f"{SCHEDULE}/internal/v1/holds/",
        token="schedule_service_token",
        query={"doctor_id": "{{doctor_id}}"},
        tests=[
            *status(200),
            *page("slot_id", "doctor_id", "appointment_id"),
            "pm.test('one hold: the live appointment', () => pm.expect(page.results.map((h) => h.appointment_id)).to.eql([pm.collectionVariables.get('other_appointment_id')]));",
        ],
    )


def internal() -> dict:
    return folder(
        "Internal",
        "A service account (client_id and client_secret of the environment) reads profiles "
        "and holds, and reserves and releases a slot, as appointment_service does.",
        [
            service_token("user_service", "profiles:read"),
            profiles_of_many_users(),
            service_token("auth_service", "accounts:read"),
            accounts_by_id(),
            service_token("schedule_service", "slots:read"),
            held_slot(),
            doctors_holds(),
            slot_action("reserve"),
            slot_action("release"),
        ],
    )


def no_token() -> dict:
    return request(
        "No token",
        "GET",
        f"{APPOINTMENTS}/api/v1/appointments/",
        tests=problem(401, "not-authenticated"),
    )


def patient_on_a_doctors_endpoint() -> dict:
    return request(
        "A patient on a doctor's endpoint",
        "POST",
        f"{SCHEDULE}/api/v1/availability/",
        token="patient_access",
        body={"weekday": 0, "start_time": "08:00", "end_time": "12:00", "slot_minutes": 30},
        tests=problem(403, "permission-denied"),
    )


def another_patients_appointment() -> dict:
    return request(
        "Another patient's appointment",
        "GET",
        f"{APPOINTMENTS}/api/v1/appointments/{{{{appointment_id}}}}/",
        token="other_access",
        tests=problem(404, "appointment-not-found"),
    )


def person_on_an_internal_endpoint() -> dict:
    return request(
        "A person's token on an internal endpoint",
        "GET",
        f"{USERS}/internal/v1/profiles/",
        token="patient_access",
        query={"ids": "{{patient_id}}"},
        tests=problem(403, "permission-denied"),
    )


def book_what_is_no_slot() -> dict:
    return request(
        "Book a slot that is not one",
        "POST",
        f"{APPOINTMENTS}/api/v1/appointments/",
        token="patient_access",
        body={"slot_id": "not-a-slot"},
        tests=[
            *problem(400, "validation-error"),
            "pm.test('names the field', () => pm.expect(pm.response.json().errors.map((e) => e.field)).to.include('slot_id'));",
        ],
    )


def day_without_offset() -> dict:
    return request(
        "A day without its offset",
        "GET",
        f"{APPOINTMENTS}/api/v1/appointments/",
        token="patient_access",
        query={"from": "2027-01-04T00:00:00"},
        tests=[
            *problem(400, "validation-error"),
            "pm.test('from has no offset', () => pm.expect(pm.response.json().errors).to.deep.include.members([{field: 'from', code: 'no-offset', detail: pm.response.json().errors[0].detail}]));",
        ],
    )


def reused_idempotency_key() -> dict:
    return request(
        "The same Idempotency-Key with another body",
        "POST",
        f"{APPOINTMENTS}/api/v1/appointments/",
        token="patient_access",
        headers={"Idempotency-Key": "{{booking_key}}"},
        body={"slot_id": "{{slot_id}}", "reason": "Something else"},
        tests=problem(422, "idempotency-key-reused"),
    )


def move_a_cancelled_appointment() -> dict:
    return request(
        "Move a cancelled appointment",
        "POST",
        f"{APPOINTMENTS}/api/v1/appointments/{{{{appointment_id}}}}/reschedule",
        token="patient_access",
        body={"slot_id": "{{spare_slot_id}}"},
        tests=problem(409, "appointment-not-upcoming"),
    )


def overlapping_hours() -> dict:
    return request(
        "An hour that overlaps the doctor's hours",
        "POST",
        f"{SCHEDULE}/api/v1/availability/",
        token="doctor_access",
        body={"weekday": 0, "start_time": "09:00", "end_time": "10:00", "slot_minutes": 30},
        tests=problem(400, "rule-overlap"),
    )


def day_off_without_offset() -> dict:
    return request(
        "A day off without its offset",
        "POST",
        f"{SCHEDULE}/api/v1/time-off/",
        token="doctor_access",
        body={"start": "2027-01-04T00:00:00Z", "end": "2027-01-05T00:00:00"},
        tests=[
            *problem(400, "validation-error"),
            "pm.test('end has no offset', () => pm.expect(pm.response.json().errors.map((e) => [e.field, e.code])).to.eql([['end', 'no-offset']]));",
        ],
    )


def book_a_taken_slot() -> dict:
    return request(
        "Book a taken slot",
        "POST",
        f"{APPOINTMENTS}/api/v1/appointments/",
        token="patient_access",
        body={"slot_id": "{{second_slot_id}}"},
        tests=problem(409, "slot-taken"),
    )


def refusals() -> list[dict]:
    return [
        no_token(),
        patient_on_a_doctors_endpoint(),
        another_patients_appointment(),
        person_on_an_internal_endpoint(),
        book_what_is_no_slot(),
        day_without_offset(),
        reused_idempotency_key(),
        move_a_cancelled_appointment(),
        overlapping_hours(),
        day_off_without_offset(),
        book_a_taken_slot(),
    ]


def signing_in_and_out() -> list[dict]:
    return [
        request(
            "Register an email that is taken",
            "POST",
            f"{AUTH}/api/v1/auth/register",
            body={
                "email": "{{patient_email}}",
                "password": "{{password}}",
                "role": "patient",
                "full_name": "Pat Again",
            },
            tests=problem(409, "email-taken"),
        ),
        request(
            "Wrong password",
            "POST",
            f"{AUTH}/api/v1/auth/token",
            body={"email": "{{patient_email}}", "password": "not-the-passphrase"},
            tests=problem(401, "invalid-credentials"),
        ),
        request(
            "Sign out",
            "POST",
            f"{AUTH}/api/v1/auth/logout",
            body={"refresh": "{{patient_refresh}}"},
            tests=[
                *status(204),
                "pm.test('no body', () => pm.expect(pm.response.text()).to.be.empty);",
            ],
        ),
        request(
            "Refresh after signing out",
            "POST",
            f"{AUTH}/api/v1/auth/token/refresh",
            body={"refresh": "{{patient_refresh}}"},
            tests=problem(401, "invalid-refresh-token"),
        ),
    ]


def errors() -> dict:
    return folder(
        "Errors",
        "Refusals, each an RFC 9457 problem with its code; then the patient signs out.",
        [*refusals(), *signing_in_and_out()],
    )
