"""The Postman collection's story, chapter by chapter, as requests and their checks.

A run registers its own patients and doctor (emails made unique by the first request), so
it works on any stack any number of times. The environment gives the services' URLs, a
staff login (to approve the doctor) and a service account's client id and secret (for the
internal endpoints). Each request sends the token of whoever makes it.
"""

from __future__ import annotations

from postman_kit import (
    AUTH,
    USERS,
    folder,
    js,
    page,
    request,
    status,
)

# Made by "Register a patient" for this run: unique emails and names.
NEW_RUN = js(
    """
    const run = `${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
    pm.collectionVariables.set('run_id', run);
    ['patient', 'other', 'doctor'].forEach((who) =>
      pm.collectionVariables.set(`${who}_email`, `${who}-${run}@example.com`));
    pm.collectionVariables.set('doctor_name', `Dr. Story ${run}`);
    pm.collectionVariables.set('password', 'a-long-enough-passphrase');
    """
)


def register(who: str, role: str, extra: dict[str, str]) -> dict:
    body = {
        "email": "{{" + who + "_email}}",
        "password": "{{password}}",
        "role": role,
        **extra,
    }
    return request(
        f"Register {'a doctor' if role == 'doctor' else 'a patient'} ({who})",
        "POST",
        f"{AUTH}/api/v1/auth/register",
        body=body,
        before=NEW_RUN if who == "patient" else None,
        tests=[
            *status(201),
            *js(
                f"""
                const account = pm.response.json();
                pm.test('the account has the email and role given', () => {{
                  pm.expect(account).to.include.all.keys('id', 'email', 'role');
                  pm.expect(account.email).to.eql(pm.collectionVariables.get('{who}_email'));
                  pm.expect(account.role).to.eql('{role}');
                }});
                pm.collectionVariables.set('{who}_id', account.id);
                """
            ),
        ],
    )


def sign_in(who: str, email: str, *, staff: bool = False) -> dict:
    """``who`` signs in: the story's password, or the environment's staff password."""
    secret = "staff_password" if staff else "password"
    return request(
        f"Sign in ({who})",
        "POST",
        f"{AUTH}/api/v1/auth/token",
        body={"email": email, "password": "{{" + secret + "}}"},
        tests=[
            *status(200),
            *js(
                f"""
                const pair = pm.response.json();
                pm.test('an access and a refresh token', () => {{
                  pm.expect(pair.access).to.be.a('string').and.not.be.empty;
                  pm.expect(pair.refresh).to.be.a('string').and.not.be.empty;
                }});
                pm.collectionVariables.set('{who}_access', pair.access);
                pm.collectionVariables.set('{who}_refresh', pair.refresh);
                """
            ),
        ],
    )


def pending_doctors() -> dict:
    return request(
        "Doctors waiting for approval (staff)",
        "GET",
        f"{USERS}/api/v1/doctors/",
        token="staff_access",
        query={"status": "pending", "search": "{{run_id}}"},
        tests=[
            *status(200),
            *page("id", "full_name", "approved"),
            *js(
                """
                pm.test('the new doctor, not approved yet', () => {
                  pm.expect(page.results.map((d) => d.id)).to.eql([pm.collectionVariables.get('doctor_id')]);
                  pm.expect(page.results[0].approved).to.eql(false);
                });
                """
            ),
        ],
    )


def staff_approve_the_doctor() -> dict:
    return request(
        "Staff approve the doctor",
        "POST",
        f"{USERS}/api/v1/doctors/{{{{doctor_id}}}}/approve",
        token="staff_access",
        tests=[
            *status(204),
            "pm.test('no body', () => pm.expect(pm.response.text()).to.be.empty);",
        ],
    )


def who_am_i_patient() -> dict:
    return request(
        "Who am I (patient)",
        "GET",
        f"{AUTH}/api/v1/auth/me",
        token="patient_access",
        tests=[
            *status(200),
            *js(
                """
                const me = pm.response.json();
                pm.test('the patient who signed in', () => {
                  pm.expect(me.id).to.eql(pm.collectionVariables.get('patient_id'));
                  pm.expect(me.email).to.eql(pm.collectionVariables.get('patient_email'));
                  pm.expect(me.role).to.eql('patient');
                });
                """
            ),
        ],
    )


def my_profile_patient() -> dict:
    return request(
        "My profile (patient)",
        "GET",
        f"{USERS}/api/v1/profiles/me/",
        token="patient_access",
        tests=[
            *status(200),
            *js(
                """
                const profile = pm.response.json();
                pm.test('the profile made at registration', () => {
                  pm.expect(profile.full_name).to.eql('Pat Story');
                  pm.expect(profile.role).to.eql('patient');
                });
                """
            ),
        ],
    )


def edit_my_profile_patient() -> dict:
    return request(
        "Edit my profile (patient)",
        "PATCH",
        f"{USERS}/api/v1/profiles/me/",
        token="patient_access",
        body={"phone": "+44 20 7946 0000"},
        tests=[
            *status(200),
            *js(
                """
                const profile = pm.response.json();
                pm.test('the phone changed, the rest kept', () => {
                  pm.expect(profile.phone).to.eql('+44 20 7946 0000');
                  pm.expect(profile.full_name).to.eql('Pat Story');
                });
                """
            ),
        ],
    )


def jwks() -> dict:
    return request(
        "The signing keys (JWKS)",
        "GET",
        f"{AUTH}/.well-known/jwks.json",
        tests=[
            *status(200),
            *js(
                """
                const jwks = pm.response.json();
                pm.test('at least one public key with its kid', () => {
                  pm.expect(jwks.keys).to.be.an('array').that.is.not.empty;
                  jwks.keys.forEach((key) => pm.expect(key).to.include.all.keys('kid', 'kty'));
                  jwks.keys.forEach((key) => pm.expect(key).to.not.have.property('d'));
                });
                """
            ),
        ],
    )


def accounts() -> dict:
    return folder(
        "Accounts",
        "Two patients and a doctor register and sign in; clinic staff approve the doctor.",
        [
            register("patient", "patient", {"full_name": "Pat Story"}),
            register("other", "patient", {"full_name": "Oli Story"}),
            register(
                "doctor",
                "doctor",
                {
                    "full_name": "{{doctor_name}}",
                    "specialty": "dermatology",
                    "timezone": "Europe/Rome",
                    "bio": "Skin checks for the story.",
                },
            ),
            sign_in("patient", "{{patient_email}}"),
            sign_in("other", "{{other_email}}"),
            sign_in("doctor", "{{doctor_email}}"),
            sign_in("staff", "{{staff_email}}", staff=True),
            pending_doctors(),
            staff_approve_the_doctor(),
            who_am_i_patient(),
            my_profile_patient(),
            edit_my_profile_patient(),
            refresh(),
            jwks(),
        ],
    )


def refresh() -> dict:
    return request(
        "Refresh the patient's tokens",
        "POST",
        f"{AUTH}/api/v1/auth/token/refresh",
        body={"refresh": "{{patient_refresh}}"},
        tests=[
            *status(200),
            *js(
                """
                const pair = pm.response.json();
                pm.test('a new pair: the refresh token rotates', () => {
                  pm.expect(pair.access).to.be.a('string').and.not.be.empty;
                  pm.expect(pair.refresh).to.not.eql(pm.collectionVariables.get('patient_refresh'));
                });
                pm.collectionVariables.set('patient_access', pair.access);
                pm.collectionVariables.set('patient_refresh', pair.refresh);
                """
            ),
        ],
    )


# The directory's answers name the doctor registered in this run (``found``: a list).
CHECK_DOCTOR = js(
    """
        pm.test('the doctor registered in this run, approved', () => {
          pm.expect(found.map((d) => d.id)).to.eql([pm.collectionVariables.get('doctor_id')]);
          pm.expect(found[0].approved).to.eql(true);
          pm.expect(found[0].specialty.slug).to.eql('dermatology');
          pm.expect(found[0].timezone).to.eql('Europe/Rome');
        });
    """
)


def specialties() -> dict:
    return request(
        "Specialties",
        "GET",
        f"{USERS}/api/v1/specialties/",
        tests=[
            *status(200),
            *page("slug", "name"),
            "pm.test('dermatology is one', () => pm.expect(page.results.map((s) => s.slug)).to.include('dermatology'));",
        ],
    )


def search_doctors_by_name() -> dict:
    return request(
        "Search doctors by name",
        "GET",
        f"{USERS}/api/v1/doctors/",
        token="patient_access",
        query={"search": "{{run_id}}"},
        tests=[
            *status(200),
            *page("id", "full_name", "specialty", "timezone", "approved"),
            "const found = page.results;",
            *CHECK_DOCTOR,
        ],
    )


def dermatologists() -> dict:
    return request(
        "Dermatologists",
        "GET",
        f"{USERS}/api/v1/doctors/",
        token="patient_access",
        query={"specialty": "dermatology", "page_size": "100"},
        tests=[
            *status(200),
            *page("id", "specialty"),
            *js(
                """
                pm.test('only dermatologists, at least one', () => {
                  pm.expect(page.count).to.be.at.least(1);
                  page.results.forEach((d) => pm.expect(d.specialty.slug).to.eql('dermatology'));
                });
                """
            ),
        ],
    )


def by_specialty_and_name(specialty: str, *, found: bool) -> dict:
    """The run's doctor (a dermatologist) is found under their specialty, not under another."""
    expected = "[pm.collectionVariables.get('doctor_id')]" if found else "[]"
    return request(
        f"{specialty.capitalize()} named like this run's doctor",
        "GET",
        f"{USERS}/api/v1/doctors/",
        token="patient_access",
        query={"specialty": specialty, "search": "{{run_id}}"},
        tests=[
            *status(200),
            *page("id", "specialty"),
            f"pm.test('{'the doctor' if found else 'nobody'}', () => pm.expect(page.results.map((d) => d.id)).to.eql({expected}));",
        ],
    )


def one_doctor() -> dict:
    return request(
        "One doctor",
        "GET",
        f"{USERS}/api/v1/doctors/{{{{doctor_id}}}}/",
        token="patient_access",
        tests=[*status(200), "const found = [pm.response.json()];", *CHECK_DOCTOR],
    )


def directory() -> dict:
    return folder(
        "Directory",
        "The patient finds the specialties and the doctor.",
        [
            specialties(),
            search_doctors_by_name(),
            dermatologists(),
            by_specialty_and_name("dermatology", found=True),
            by_specialty_and_name("cardiology", found=False),
            one_doctor(),
        ],
    )
