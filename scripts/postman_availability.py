"""The Postman story's availability chapter: the doctor's weekly hours, policy and time off."""

from __future__ import annotations

from postman_kit import SCHEDULE, folder, js, page, request, status


def weekly_hours() -> dict:
    # One request sent for each weekday: it names itself as the next request until Sunday.
    return request(
        "Publish weekly hours (each weekday)",
        "POST",
        f"{SCHEDULE}/api/v1/availability/",
        token="doctor_access",
        body='{\n  "weekday": {{weekday}},\n  "start_time": "08:00",\n  "end_time": "18:00",\n'
        '  "slot_minutes": 30\n}',
        before=js(
            """
            if (!pm.collectionVariables.get('weekday')) { pm.collectionVariables.set('weekday', '0'); }
            """
        ),
        tests=[
            *status(201),
            *js(
                """
                const rule = pm.response.json();
                const weekday = Number(pm.collectionVariables.get('weekday'));
                pm.test('the rule, in the doctor\\'s time zone', () => {
                  pm.expect(rule.weekday).to.eql(weekday);
                  pm.expect(rule.start_time).to.match(/^08:00/);
                  pm.expect(rule.slot_minutes).to.eql(30);
                  pm.expect(rule.timezone).to.eql('Europe/Rome');
                });
                if (weekday < 6) {
                  pm.collectionVariables.set('weekday', String(weekday + 1));
                  pm.execution.setNextRequest(pm.info.requestName);
                } else {
                  pm.collectionVariables.unset('weekday');
                }
                """
            ),
        ],
    )


# A day off three weeks ahead, clear of the slots the booking chapter uses.
DAY_OFF = js(
    """
    const day = (n) => new Date(Date.now() + n * 86400000).toISOString().slice(0, 10);
    pm.collectionVariables.set('off_start', `${day(20)}T00:00:00Z`);
    pm.collectionVariables.set('off_end', `${day(21)}T00:00:00Z`);
    """
)


def time_off() -> list[dict]:
    return [
        request(
            "A day off",
            "POST",
            f"{SCHEDULE}/api/v1/time-off/",
            token="doctor_access",
            body={"start": "{{off_start}}", "end": "{{off_end}}", "reason": "Conference"},
            before=DAY_OFF,
            tests=[
                *status(201),
                *js(
                    """
                    const off = pm.response.json();
                    pm.test('the day off, overlapping no held slot', () => {
                      pm.expect(Date.parse(off.start)).to.eql(Date.parse(pm.collectionVariables.get('off_start')));
                      pm.expect(off.reason).to.eql('Conference');
                      pm.expect(off.overlapping_held_slots).to.eql([]);
                    });
                    pm.collectionVariables.set('time_off_id', off.id);
                    """
                ),
            ],
        ),
        request(
            "The doctor's time off",
            "GET",
            f"{SCHEDULE}/api/v1/time-off/",
            token="doctor_access",
            tests=[
                *status(200),
                *page("id", "start", "end", "reason"),
                "pm.test('the day off', () => pm.expect(page.results.map((o) => o.id)).to.eql([pm.collectionVariables.get('time_off_id')]));",
            ],
        ),
        request(
            "Take the day off back",
            "DELETE",
            f"{SCHEDULE}/api/v1/time-off/{{{{time_off_id}}}}/",
            token="doctor_access",
            tests=[
                *status(204),
                "pm.test('no body', () => pm.expect(pm.response.text()).to.be.empty);",
            ],
        ),
    ]


def availability() -> dict:
    return folder(
        "Availability",
        "The doctor publishes weekly hours (08:00-18:00 Rome time, every day), a buffer, "
        "and a day off (taken back).",
        [
            weekly_hours(),
            request(
                "The doctor's rules",
                "GET",
                f"{SCHEDULE}/api/v1/availability/",
                token="doctor_access",
                tests=[
                    *status(200),
                    *page("id", "weekday", "start_time", "end_time", "slot_minutes"),
                    "pm.test('one rule a weekday', () => pm.expect(page.results.map((r) => r.weekday).sort()).to.eql([0, 1, 2, 3, 4, 5, 6]));",
                ],
            ),
            request(
                "Set the booking policy",
                "PATCH",
                f"{SCHEDULE}/api/v1/policy/",
                token="doctor_access",
                body={"buffer_minutes": 10, "min_notice_minutes": 120},
                tests=[
                    *status(200),
                    *js(
                        """
                        const policy = pm.response.json();
                        pm.test('the policy as set', () => {
                          pm.expect(policy.doctor_id).to.eql(pm.collectionVariables.get('doctor_id'));
                          pm.expect(policy.buffer_minutes).to.eql(10);
                          pm.expect(policy.min_notice_minutes).to.eql(120);
                          pm.expect(policy).to.include.all.keys('horizon_days', 'cancel_cutoff_hours', 'reschedule_cutoff_hours');
                        });
                        """
                    ),
                ],
            ),
            *time_off(),
        ],
    )
