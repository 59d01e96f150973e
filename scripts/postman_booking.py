"""The Postman story's booking chapter: a booking's whole life, seen by patient and doctor."""

from __future__ import annotations

from postman_kit import APPOINTMENTS, SCHEDULE, folder, js, page, request, status

APPOINTMENT_FIELDS = (
    "'id', 'patient_id', 'doctor_id', 'slot_id', 'start', 'end', 'status', 'reason', "
    "'reschedule_count', 'cancel_cutoff_hours', 'reschedule_cutoff_hours'"
)


def appointment(check: str) -> list[str]:
    """The answer is the story's appointment; ``check`` adds what this step changed."""
    return js(
        f"""
        const appointment = pm.response.json();
        pm.test('the appointment', () => {{
          pm.expect(appointment).to.include.all.keys({APPOINTMENT_FIELDS});
          pm.expect(appointment.patient_id).to.eql(pm.collectionVariables.get('patient_id'));
          pm.expect(appointment.doctor_id).to.eql(pm.collectionVariables.get('doctor_id'));
        }});
        """
    ) + js(check)


# The free slots from the day after tomorrow for a week (clear of notice and cut-offs).
SLOT_RANGE = js(
    """
    const day = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);
    pm.collectionVariables.set('from_date', day(2));
    pm.collectionVariables.set('to_date', day(9));
    """
)


def finding_a_time() -> list[dict]:
    return [
        request(
            "The doctor's free slots",
            "GET",
            f"{SCHEDULE}/api/v1/doctors/{{{{doctor_id}}}}/slots/",
            token="patient_access",
            query={"from": "{{from_date}}", "to": "{{to_date}}", "page_size": "100"},
            before=SLOT_RANGE,
            tests=[
                *status(200),
                *page("id", "doctor_id", "start", "end"),
                *js(
                    """
                    pm.test('free slots of this doctor, in order', () => {
                      pm.expect(page.results.length).to.be.at.least(7);
                      page.results.forEach((s) => pm.expect(s.doctor_id).to.eql(pm.collectionVariables.get('doctor_id')));
                      pm.expect(page.results[0].start < page.results[1].start).to.eql(true);
                    });
                    // Two neighbours to book and move between; a spare well clear of them.
                    pm.collectionVariables.set('slot_id', page.results[0].id);
                    pm.collectionVariables.set('second_slot_id', page.results[1].id);
                    pm.collectionVariables.set('spare_slot_id', page.results[6].id);
                    """
                ),
            ],
        ),
        request(
            "One slot",
            "GET",
            f"{SCHEDULE}/api/v1/slots/{{{{slot_id}}}}/",
            token="patient_access",
            tests=[
                *status(200),
                *js(
                    """
                    const slot = pm.response.json();
                    pm.test('bookable', () => {
                      pm.expect(slot.id).to.eql(pm.collectionVariables.get('slot_id'));
                      pm.expect(slot.bookable).to.eql(true);
                    });
                    """
                ),
            ],
        ),
    ]


def book(name: str) -> dict:
    first = name.startswith("Book")
    return request(
        name,
        "POST",
        f"{APPOINTMENTS}/api/v1/appointments/",
        token="patient_access",
        headers={"Idempotency-Key": "{{booking_key}}"},
        body={"slot_id": "{{slot_id}}", "reason": "Skin check"},
        before=js("pm.collectionVariables.set('booking_key', pm.variables.replaceIn('{{$guid}}'));")
        if first
        else None,
        tests=[
            *status(201),
            *appointment(
                """
                pm.test('upcoming, at the slot chosen', () => {
                  pm.expect(appointment.slot_id).to.eql(pm.collectionVariables.get('slot_id'));
                  pm.expect(appointment.status).to.eql('upcoming');
                  pm.expect(appointment.reason).to.eql('Skin check');
                });
                """
            ),
            *(
                js(
                    """
                    pm.collectionVariables.set('appointment_id', appointment.id);
                    pm.collectionVariables.set('booking_answer', pm.response.text());
                    """
                )
                if first
                else js(
                    """
                    pm.test('the first answer again: one booking', () =>
                      pm.expect(appointment).to.eql(JSON.parse(pm.collectionVariables.get('booking_answer'))));
                    """
                )
            ),
        ],
    )


def appointment_step(name: str, method: str, path: str, body=None, *, check: str) -> dict:
    """A step of the patient's on the story's appointment: 200 and the appointment."""
    return request(
        name,
        method,
        f"{APPOINTMENTS}/api/v1/appointments/{{{{appointment_id}}}}/{path}",
        token="patient_access",
        body=body,
        tests=[*status(200), *appointment(check)],
    )


# The day of the appointment, in UTC, for the doctor's day view.
THE_DAY = js(
    """
    const start = new Date(pm.collectionVariables.get('appointment_start'));
    const day = start.toISOString().slice(0, 10);
    const next = new Date(Date.parse(day) + 86400000).toISOString().slice(0, 10);
    pm.collectionVariables.set('day_from', `${day}T00:00:00Z`);
    pm.collectionVariables.set('day_to', `${next}T00:00:00Z`);
    """
)


def my_upcoming_appointments() -> dict:
    return request(
        "My upcoming appointments",
        "GET",
        f"{APPOINTMENTS}/api/v1/appointments/",
        token="patient_access",
        query={"status": "upcoming"},
        tests=[
            *status(200),
            *page("id", "start", "status"),
            "pm.test('the one booked', () => pm.expect(page.results.map((a) => a.id)).to.eql([pm.collectionVariables.get('appointment_id')]));",
        ],
    )


def doctors_day() -> dict:
    return request(
        "The doctor's day",
        "GET",
        f"{APPOINTMENTS}/api/v1/appointments/",
        token="doctor_access",
        query={"from": "{{day_from}}", "to": "{{day_to}}"},
        before=THE_DAY,
        tests=[
            *status(200),
            *page("id", "patient_id", "start", "end", "status"),
            *js(
                """
                pm.test('the patient\\'s appointment, at its new time', () => {
                  const mine = page.results.find((a) => a.id === pm.collectionVariables.get('appointment_id'));
                  pm.expect(mine).to.not.be.undefined;
                  pm.expect(mine.start).to.eql(pm.collectionVariables.get('appointment_start'));
                  pm.expect(mine.patient_id).to.eql(pm.collectionVariables.get('patient_id'));
                });
                """
            ),
        ],
    )


def calendar_file() -> dict:
    return request(
        "The appointment as a calendar file (doctor)",
        "GET",
        f"{APPOINTMENTS}/api/v1/appointments/{{{{appointment_id}}}}/ics",
        token="doctor_access",
        tests=[
            *status(200),
            *js(
                """
                pm.test('an iCalendar event', () => {
                  pm.expect(pm.response.headers.get('Content-Type')).to.include('text/calendar');
                  pm.expect(pm.response.text()).to.include('BEGIN:VEVENT');
                });
                """
            ),
        ],
    )


def changing_it() -> list[dict]:
    return [
        my_upcoming_appointments(),
        appointment_step(
            "Change the reason",
            "PATCH",
            "",
            {"reason": "Skin check, and a mole"},
            check="pm.test('the new reason', () => pm.expect(appointment.reason).to.eql('Skin check, and a mole'));",
        ),
        appointment_step(
            "Reschedule to the next slot",
            "POST",
            "reschedule",
            {"slot_id": "{{second_slot_id}}"},
            check="""
                pm.test('moved once, to the second slot', () => {
                  pm.expect(appointment.slot_id).to.eql(pm.collectionVariables.get('second_slot_id'));
                  pm.expect(appointment.reschedule_count).to.eql(1);
                  pm.expect(appointment.status).to.eql('upcoming');
                });
                pm.collectionVariables.set('appointment_start', appointment.start);
            """,
        ),
        doctors_day(),
        calendar_file(),
    ]


def ending_it() -> list[dict]:
    return [
        appointment_step(
            "Cancel",
            "POST",
            "cancel",
            {"reason": "Feeling better"},
            check="""
                pm.test('cancelled, with the reason', () => {
                  pm.expect(appointment.status).to.eql('cancelled');
                  pm.expect(appointment.cancel_reason).to.eql('Feeling better');
                });
            """,
        ),
        request(
            "The appointment's history",
            "GET",
            f"{APPOINTMENTS}/api/v1/appointments/{{{{appointment_id}}}}/history",
            token="patient_access",
            tests=[
                *status(200),
                *page("at", "actor_id", "actor_role", "action"),
                "pm.test('every change, in order', () => pm.expect(page.results.map((e) => e.action)).to.eql(['booked', 'reason_changed', 'rescheduled', 'cancelled']));",
            ],
        ),
        request(
            "Another patient books the freed time",
            "POST",
            f"{APPOINTMENTS}/api/v1/appointments/",
            token="other_access",
            body={"slot_id": "{{second_slot_id}}", "reason": "Rash"},
            tests=[
                *status(201),
                *js(
                    """
                    const booked = pm.response.json();
                    pm.test('the other patient holds the second slot', () => {
                      pm.expect(booked.patient_id).to.eql(pm.collectionVariables.get('other_id'));
                      pm.expect(booked.slot_id).to.eql(pm.collectionVariables.get('second_slot_id'));
                      pm.expect(booked.status).to.eql('upcoming');
                    });
                    pm.collectionVariables.set('other_appointment_id', booked.id);
                    """
                ),
            ],
        ),
    ]


def booking() -> dict:
    return folder(
        "Booking",
        "The patient books a free slot (a retry with the same Idempotency-Key books once), "
        "changes the reason, moves it; the doctor sees their day; the patient cancels and "
        "another patient takes the freed time.",
        [
            *finding_a_time(),
            book("Book the first slot"),
            book("Retry with the same Idempotency-Key"),
            *changing_it(),
            *ending_it(),
        ],
    )
