"""Browser tests: Debian's Chromium driven by Playwright against the services as processes.

One stack of real services serves the whole session. Pages come from fresh
browser contexts: ``page`` at desktop width, ``phone`` at 375 px with touch,
``no_js`` with JavaScript off, ``contexts`` for anything else (a second
person, a context that lets axe-core past the portal's Content-Security-Policy).
"""

from __future__ import annotations

import datetime
import sys
import time
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parents[2]
# scripts/ for the stack, tests/ for helpers.py (shared by the integration and browser tests).
sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "tests"))

from helpers import PASSWORD  # noqa: E402
from record_walkthroughs import (  # noqa: E402
    CHROMIUM,
    PHONE,
    Api,
    use_system_ffmpeg,
)
from stack import make_test_stack  # noqa: E402

SCREENSHOTS = ROOT / "tests" / "e2e" / "screenshots"
AXE_JS = ROOT / "tests" / "e2e" / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

DESKTOP = {"width": 1280, "height": 900}
# Demo doctors (demo/demo_data.json) besides WEBER (patient journeys, accessibility pass):
# each test file leans on its own so they do not collide.
CARTER = "8f62b010-96db-5b3e-87ba-9c523b26c88f"  # error paths
HADDAD = "bd2de495-2b60-5d74-9241-4077321ad17c"  # the doctor journey
TITLE_SUFFIX = " – Clinic booking"


# The stack and the browser


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    stack = make_test_stack(tmp_path_factory.mktemp("e2e"), port_offset=200)
    stack.start()
    yield stack
    stack.stop()


@pytest.fixture(scope="session")
def ffmpeg_found(tmp_path_factory) -> bool:
    """Whether Playwright can record video: settled before its driver starts, which reads it once."""
    return use_system_ffmpeg(tmp_path_factory.mktemp("playwright"))


@pytest.fixture(scope="session")
def browser(ffmpeg_found):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def contexts(browser):
    """Make pages, each in a context of its own, closed after the test.

    ``contexts(phone=True, js=False, bypass_csp=True)``: 375x812 with touch,
    JavaScript off, and the Content-Security-Policy ignored (for axe-core only).
    """
    made = []

    def make(*, phone: bool = False, js: bool = True, bypass_csp: bool = False):
        options = {"java_script_enabled": js, "bypass_csp": bypass_csp}
        if phone:
            options |= {"viewport": PHONE, "is_mobile": True, "has_touch": True}
        else:
            options |= {"viewport": DESKTOP}
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)
        made.append(context)
        return context.new_page()

    yield make
    for context in made:
        context.close()


@pytest.fixture
def page(contexts):
    return contexts()


@pytest.fixture
def phone(contexts):
    return contexts(phone=True)


@pytest.fixture
def no_js(browser):
    """A desktop context with JavaScript off: every task must still work."""
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    context.set_default_timeout(10_000)
    yield context
    context.close()


# The APIs, for setting the scene and checking what the pages did


def unique_email(prefix: str = "e2e") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.com"


@pytest.fixture(scope="session")
def api(stack) -> Api:
    return Api(stack)


# A started appointment, for "Mark as completed"


@dataclass
class StartedAppointment:
    doctor_email: str
    patient_name: str
    start: datetime.datetime


def _zone_awake(now: datetime.datetime) -> str:
    """A zone whose clock reads between 1am and 10pm now, so a 5-minute rule fits in today."""
    for zone in ("Europe/London", "Asia/Tokyo", "America/New_York", "Pacific/Auckland"):
        if 1 <= now.astimezone(ZoneInfo(zone)).hour < 22:
            return zone
    return "Europe/London"


def _book_a_time_about_to_start(api: Api) -> StartedAppointment:
    """A new doctor, with hours starting within the minute, booked by a new patient.

    Bookable times are always in the future, and the portal offers "Mark as
    completed" only once the start has passed: this is booked when the session
    starts, and the test that needs it runs last.
    """
    zone = _zone_awake(datetime.datetime.now(datetime.UTC))
    doctor = api.register(
        full_name="Dr. Noor Started", role="doctor", specialty="family-medicine", timezone=zone
    )
    api.approve(doctor["id"])
    doctor_auth = api.token(doctor["email"])
    patient = api.token(api.register(full_name="Priya Started")["email"])
    policy = {"min_notice_minutes": 0}
    api.call("PATCH", "schedule_service", "/api/v1/policy/", auth=doctor_auth, json=policy)
    # The next whole minute at least a few seconds away: rules start on whole minutes.
    soon = datetime.datetime.now(ZoneInfo(zone)) + datetime.timedelta(seconds=5)
    start = soon.replace(second=0, microsecond=0) + datetime.timedelta(minutes=1)
    rule = {
        "weekday": start.weekday(),
        "start_time": start.strftime("%H:%M"),
        "end_time": (start + datetime.timedelta(minutes=5)).strftime("%H:%M"),
        "slot_minutes": 5,
    }
    api.call("POST", "schedule_service", "/api/v1/availability/", auth=doctor_auth, json=rule)
    slot = next(
        s
        for s in api.free_slots(patient, doctor["id"], days=1)
        if datetime.datetime.fromisoformat(s["start"]) == start
    )
    api.book(patient, slot["id"], "Follow-up of blood pressure")
    return StartedAppointment(
        doctor_email=doctor["email"], patient_name="Priya Started", start=start
    )


def pytest_collection_modifyitems(items):
    """Tests that need a started appointment run last, when the time booked for them has begun."""
    items.sort(key=lambda item: "started_appointment" in item.fixturenames)


@pytest.fixture(scope="session", autouse=True)
def _time_about_to_start(request):
    """Book the time that the completion test needs, as early as the session allows."""
    if not any("started_appointment" in item.fixturenames for item in request.session.items):
        return None
    try:
        return _book_a_time_about_to_start(Api(request.getfixturevalue("stack")))
    except Exception as exc:  # reported by the test that needs it
        return exc


@pytest.fixture
def started_appointment(_time_about_to_start) -> StartedAppointment:
    """An appointment whose start has passed (waits for it, if the session was quick)."""
    if isinstance(_time_about_to_start, Exception):
        raise _time_about_to_start
    wait = (_time_about_to_start.start - datetime.datetime.now(datetime.UTC)).total_seconds()
    if wait > -1:
        time.sleep(wait + 1)
    return _time_about_to_start


# What the pages do


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page, stack, email: str, password: str = PASSWORD) -> None:
    page.goto(stack.url("portal") + "/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def register_patient(page, stack, *, full_name: str, email: str, password: str = PASSWORD) -> None:
    """Create a patient account through the portal's form (it signs the person in)."""
    page.goto(stack.url("portal") + "/register")
    page.get_by_label("Full name").fill(full_name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("status")).to_contain_text("Your account is ready")
    expect(page.get_by_role("heading", level=1)).to_have_text("Find a doctor")


def slot_id_of(link) -> str:
    return link.get_attribute("href").rstrip("/").rsplit("/", 1)[-1]


def fits_width(page, width: int = PHONE["width"]) -> None:
    """No horizontal scrolling at ``width``."""
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{page.url}: {scroll_width}px wide at {width}px"


def axe_violations(page) -> list[dict]:
    """Run axe-core on the page (its context must bypass the CSP); return the violations."""
    assert AXE_JS.exists(), "axe-core is missing: run `make axe` (npm ci in tests/e2e)"
    page.add_script_tag(path=str(AXE_JS))
    return page.evaluate(
        """async () => (await axe.run(document, {
            rules: {"target-size": {enabled: true}},  // WCAG 2.2 AA; off by default in axe
        })).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ")),
        }))"""
    )


class AxeFinding(UserWarning):
    """An axe-core violation below "serious": listed in pytest's warnings summary, not failed."""


def serious(violations: list[dict], *, page_label: str = "") -> list[dict]:
    """The serious and critical violations; the others are reported as ``AxeFinding`` warnings."""
    worst = [v for v in violations if v["impact"] in ("serious", "critical")]
    for v in violations:
        if v not in worst:
            where = ", ".join(v["nodes"])
            warnings.warn(
                AxeFinding(f"{page_label}: {v['id']} ({v['impact']}) {v['help']}: {where}"),
                stacklevel=2,
            )
    return worst


def title_of(name: str) -> str:
    return name + TITLE_SUFFIX
