"""Record walkthrough videos (docs/videos/*.webm) and screenshots (docs/screenshots/*.png).

`make videos` runs this. It starts every service as a process with production
settings (scripts/stack.py: its own state directory and ports, SQLite, or
PostgreSQL when TEST_POSTGRES_URL is set), drives Debian's Chromium with
Playwright and records each walkthrough with Playwright's video recording:

    patient-journey  register, find a doctor, book, change the time, cancel
    doctor-journey   weekly hours, time off, free times, the day
    staff-admin      staff open an appointment's history in the admin
    api-swagger      Swagger UI authorized with a token runs /me

Every video must stay under 2 MB; the run fails when one is larger.

    python scripts/record_walkthroughs.py [--only NAME ...] [--videos DIR] [--screenshots DIR]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import playwright
import requests
from playwright.sync_api import expect, sync_playwright
from stack import make_test_stack

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
VIDEOS = ROOT / "docs" / "videos"
SCREENSHOTS = ROOT / "docs" / "screenshots"
MAX_BYTES = 2_000_000
VIDEO_SIZE = {"width": 1024, "height": 640}  # 64em: the desktop layout, seven days side by side
# The walkthroughs are seen from a browser in Paris: times are named in its zone, with the
# clinic's (London) beside them where they differ.
BROWSER_ZONE = "Europe/Paris"
VIDEO_FPS = 8
SCREENSHOT_SIZE = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
PORT_OFFSET = 400
DEMO_PASSWORD = "demo-clinic-2026"
PASSWORD = "a-long-enough-passphrase"
WEBER = "2b2d6c70-9d5d-5544-a0f3-a2a8aee6ac4f"


# Playwright's video needs ffmpeg


def use_system_ffmpeg(work_dir: Path) -> bool:
    """Let Playwright record video with the system's ffmpeg when its own build is missing.

    Playwright encodes video with the ffmpeg it downloads next to its browsers
    (``<browsers dir>/ffmpeg-<revision>/ffmpeg-linux``). Nothing is downloaded
    here: Debian's ffmpeg (``make ffmpeg``) takes its place through a browsers
    directory that holds only a link to it. Call before Playwright starts.
    Returns whether Playwright will find an ffmpeg.
    """
    package = Path(playwright.__file__).parent / "driver" / "package"
    browsers = json.loads((package / "browsers.json").read_text())["browsers"]
    revision = next(b["revision"] for b in browsers if b["name"] == "ffmpeg")
    home = Path(
        os.environ.get("PLAYWRIGHT_BROWSERS_PATH") or Path.home() / ".cache" / "ms-playwright"
    )
    if (home / f"ffmpeg-{revision}" / "ffmpeg-linux").exists():
        return True
    system = shutil.which("ffmpeg")
    if system is None:
        return False
    link = work_dir / f"ffmpeg-{revision}" / "ffmpeg-linux"
    link.parent.mkdir(parents=True, exist_ok=True)
    if not link.exists():
        link.symlink_to(system)
    os.environ["PLAYWRIGHT_BROWSERS_PATH"] = str(work_dir)
    return True


# What every walkthrough uses


@dataclass
class Tour:
    """One walkthrough being played: the page, the stack, and the pace.

    Screenshots come from a second, unrecorded page at desktop width that
    shares the recorded page's cookies: a full-page screenshot of the recorded
    page itself would resize it on camera.
    """

    page: object
    stack: object
    pause_ms: int
    screenshots: Path | None
    _shadow: object = None

    def close(self) -> None:
        if self._shadow is not None:
            self._shadow.context.close()

    def url(self, service: str, path: str = "") -> str:
        return self.stack.url(service) + path

    def portal(self, path: str) -> None:
        self.page.goto(self.url("portal", path))
        self.rest()

    def rest(self, factor: float = 1.0) -> None:
        self.page.wait_for_timeout(int(self.pause_ms * factor))

    def caption(self, text: str) -> None:
        """A caption bar at the bottom of the video (styled through the CSSOM: the CSP allows it)."""
        self.page.evaluate(
            """text => {
                let bar = document.getElementById("walkthrough-caption");
                if (!bar) {
                    bar = document.createElement("div");
                    bar.id = "walkthrough-caption";
                    bar.setAttribute("aria-hidden", "true");
                    Object.assign(bar.style, {
                        position: "fixed", left: "0", right: "0", bottom: "0", zIndex: "99",
                        padding: "10px 16px", background: "rgba(11,12,12,.85)", color: "#fff",
                        font: "600 18px/1.3 system-ui, sans-serif", textAlign: "center",
                    });
                    document.body.appendChild(bar);
                }
                bar.textContent = text;
                bar.hidden = !text;
            }""",
            text,
        )
        self.rest()

    def shot(self, name: str, *, live: bool = False) -> None:
        """A full-page screenshot of the page shown, at desktop width (``live``: as it is now)."""
        if self.screenshots is None:
            return
        self.screenshots.mkdir(parents=True, exist_ok=True)
        path = str(self.screenshots / f"{name}.png")
        if live:  # state only this page has (Swagger UI's answers): what the camera sees
            self.caption("")
            self.page.screenshot(path=path)
            return
        if self._shadow is None:
            context = self.page.context.browser.new_context(
                viewport=SCREENSHOT_SIZE, timezone_id=BROWSER_ZONE
            )
            context.set_default_timeout(15_000)
            self._shadow = context.new_page()
        self._shadow.context.clear_cookies()
        self._shadow.context.add_cookies(self.page.context.cookies())
        self._shadow.goto(self.page.url)
        self._shadow.screenshot(path=path, full_page=True)

    def click(self, locator) -> None:
        locator.scroll_into_view_if_needed()
        self.rest(0.5)
        locator.click()
        self.rest()

    def type(self, locator, text: str) -> None:
        locator.click()
        locator.press_sequentially(text, delay=25 if self.pause_ms else 0)
        self.rest(0.5)

    def sign_in(self, email: str, password: str) -> None:
        self.portal("/sign-in")
        self.type(self.page.get_by_label("Email address"), email)
        self.page.get_by_label("Password", exact=True).fill(password)
        self.click(self.page.get_by_role("button", name="Sign in"))


class Api:
    """The services' public APIs as a person, to set the scene (and, in tests, to check it)."""

    def __init__(self, stack):
        self.stack = stack
        self.http = requests.Session()

    def call(self, method: str, service: str, path: str, *, auth=None, **kwargs) -> dict:
        """Send one call; return its JSON body, or raise with the problem the service sent."""
        response = self.http.request(
            method, self.stack.url(service) + path, headers=auth, timeout=15, **kwargs
        )
        if response.status_code >= 400:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text}")
        return response.json()

    def register(self, *, full_name: str, role: str = "patient", **extra) -> dict:
        """A new account (and profile) with ``PASSWORD``: {id, email, role}."""
        email = extra.pop("email", None) or f"{role}-{uuid.uuid4().hex[:10]}@example.com"
        body = {"email": email, "password": PASSWORD, "role": role, "full_name": full_name}
        return self.call("POST", "auth_service", "/api/v1/auth/register", json=body | extra)

    def approve(self, doctor_id: str) -> None:
        """Clinic staff (the demo staff account) approve a newly registered doctor."""
        staff = self.token("staff@demo.clinic", DEMO_PASSWORD)
        path = f"/api/v1/doctors/{doctor_id}/approve"
        response = self.http.post(self.stack.url("user_service") + path, headers=staff, timeout=15)
        if response.status_code != 204:
            raise RuntimeError(f"POST {path}: {response.status_code} {response.text}")

    def token(self, email: str, password: str = PASSWORD) -> dict[str, str]:
        """The Authorization header of ``email``'s access token."""
        body = {"email": email, "password": password}
        access = self.call("POST", "auth_service", "/api/v1/auth/token", json=body)["access"]
        return {"Authorization": f"Bearer {access}"}

    def free_slots(self, auth, doctor_id: str, *, days: int = 21) -> list[dict]:
        """The doctor's bookable times from yesterday (UTC) to ``days`` ahead."""
        today = datetime.datetime.now(datetime.UTC).date()
        params = {
            "from": (today - datetime.timedelta(days=1)).isoformat(),
            "to": (today + datetime.timedelta(days=days)).isoformat(),
            "page_size": 500,
        }
        path = f"/api/v1/doctors/{doctor_id}/slots/"
        return self.call("GET", "schedule_service", path, auth=auth, params=params)["results"]

    def book(self, auth, slot_id: str, reason: str = "Check-up") -> dict:
        body = {"slot_id": slot_id, "reason": reason}
        return self.call(
            "POST", "appointment_service", "/api/v1/appointments/", auth=auth, json=body
        )

    def cancel(self, auth, appointment_id: str, reason: str = "") -> dict:
        path = f"/api/v1/appointments/{appointment_id}/cancel"
        return self.call("POST", "appointment_service", path, auth=auth, json={"reason": reason})

    def appointments(self, auth, **params) -> list[dict]:
        path = "/api/v1/appointments/"
        params = {"page_size": 100, **params}
        return self.call("GET", "appointment_service", path, auth=auth, params=params)["results"]


def later_week(page, weeks: int = 2) -> None:
    """Page a week view forward: times a week or more ahead are outside every cut-off.

    (The demo doctors' cut-offs are 24 hours: a time any sooner could not be moved online.)
    """
    for _ in range(weeks):
        heading = page.locator("#slots").inner_text()
        page.get_by_role("link", name=re.compile("^Next week")).click()
        expect(page.locator("#slots")).not_to_have_text(heading)


def first_free_time(page):
    """The first time link of the week shown (never a labelled tile), paging past empty weeks."""
    for _ in range(4):
        links = page.locator(".week a.slot")
        if links.count():
            return links.first
        page.get_by_role("link", name=re.compile("^Next week")).click()
        page.locator("#slots").wait_for()
    raise RuntimeError("no free time in the next weeks")


# The walkthroughs


def patient_journey(tour: Tour) -> None:
    page = tour.page
    tour.portal("/")
    tour.caption("A patient books, moves and cancels an appointment")
    tour.shot("landing")
    tour.click(page.get_by_role("link", name="Create account"))
    tour.caption("Create an account")
    tour.type(page.get_by_label("Full name"), "Sam Patel")
    page.get_by_label("Email address").fill(f"sam-{uuid.uuid4().hex[:6]}@example.com")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    tour.shot("register")
    tour.click(page.get_by_role("button", name="Create account"))
    tour.caption("Find a doctor by name, keyword or specialty")
    tour.type(page.get_by_label("Name or keyword"), "Weber")
    tour.click(page.get_by_role("button", name="Search"))
    tour.shot("find-a-doctor")
    tour.click(page.get_by_role("link", name="Dr. Lena Weber"))
    tour.caption("Choose a free time in the week view")
    tour.shot("doctor-week")
    later_week(page)
    tour.rest()
    tour.click(first_free_time(page))
    tour.caption("Check the time and give a reason")
    tour.type(page.get_by_label("Reason for your appointment"), "Chest pain when climbing stairs")
    tour.shot("confirm-booking")
    tour.click(page.get_by_role("button", name="Book appointment"))
    tour.caption("Booked: add it to a calendar, or see it in My appointments")
    tour.shot("booked")
    tour.click(page.get_by_role("link", name="My appointments").first)
    tour.shot("my-appointments")
    tour.click(page.locator(".card__title a").first)
    tour.caption("Change the time with the same doctor")
    tour.shot("appointment")
    tour.click(page.get_by_role("link", name="Change time", exact=True))
    tour.shot("reschedule")
    tour.click(first_free_time(page))
    tour.shot("reschedule-confirm")
    tour.click(page.get_by_role("button", name="Confirm new time"))
    tour.caption("Cancel it, with a confirmation step")
    tour.click(page.get_by_role("link", name="Cancel appointment"))
    tour.shot("cancel")
    tour.click(page.get_by_role("button", name="Yes, cancel appointment"))
    tour.caption("Cancelled: the time is free for others")
    tour.rest(2)


def doctor_journey(tour: Tour) -> None:
    page = tour.page
    api = Api(tour.stack)
    patient = api.token("ana.lima@demo.clinic", DEMO_PASSWORD)
    slot = api.free_slots(patient, WEBER)[0]
    api.book(patient, slot["id"], "Palpitations after exercise")
    tour.sign_in("lena.weber@demo.clinic", DEMO_PASSWORD)
    tour.caption("A doctor sets weekly hours")
    tour.click(page.get_by_role("link", name="Weekly hours"))
    tour.shot("weekly-hours")
    page.get_by_label("Day", exact=True).select_option(label="Saturday")
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("End time").fill("12:00")
    tour.rest()
    tour.click(page.get_by_role("button", name="Save hours"))
    tour.caption("Adds time off")
    tour.click(page.get_by_role("link", name="Time off"))
    day_off = datetime.datetime.now(datetime.UTC).date() + datetime.timedelta(days=24)
    page.get_by_label("First day").fill(day_off.isoformat())
    page.get_by_label("Last day").fill(day_off.isoformat())
    page.get_by_label("Private note (optional)").fill("Conference")
    tour.rest()
    tour.click(page.get_by_role("button", name="Add time off"))
    tour.shot("time-off")
    tour.caption("Sees the free times patients see, booked ones labelled")
    booked_day = datetime.datetime.fromisoformat(slot["start"]).date()
    tour.portal(f"/doctor/slots?week={booked_day.isoformat()}")
    booked = page.locator(".slot--noted").first
    booked.scroll_into_view_if_needed()
    tour.rest()
    tour.shot("doctor-free-times")
    tour.caption("And the day, with each patient and reason")
    tour.portal(f"/doctor/day?date={booked_day.isoformat()}")
    tour.shot("doctor-day")
    tour.click(page.locator(".card__title a").first)
    tour.shot("doctor-appointment")
    tour.rest(2)


def staff_admin(tour: Tour) -> None:
    page = tour.page
    api = Api(tour.stack)
    patient = api.register(full_name="Robin Admin-Demo")
    auth = api.token(patient["email"])
    slot = api.free_slots(auth, WEBER)[0]
    booked = api.book(auth, slot["id"], "Follow-up")
    api.cancel(auth, booked["id"], "Feeling better")
    page.goto(tour.url("appointment_service", "/admin/"))
    tour.caption("Staff sign in to the appointments admin")
    tour.type(page.get_by_label("Username"), "staff@demo.clinic")
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    tour.click(page.get_by_role("button", name="Log in"))
    tour.caption("Find a patient's appointment")
    tour.click(page.locator("a[href$='/admin/appointments/appointment/']").first)
    tour.type(page.locator("#searchbar"), patient["id"])
    page.locator("#searchbar").press("Enter")
    tour.rest()
    tour.click(page.locator("#result_list tbody a").first)
    tour.caption("Its history: created, booked, cancelled")
    history = page.locator(".inline-group").first
    history.scroll_into_view_if_needed()
    tour.rest(2)
    tour.shot("admin-appointment-history")


def api_swagger(tour: Tour) -> None:
    page = tour.page
    auth = Api(tour.stack).token("ana.lima@demo.clinic", DEMO_PASSWORD)
    token = auth["Authorization"].removeprefix("Bearer ")
    page.goto(tour.url("auth_service", "/api/docs/"))
    page.locator(".opblock").first.wait_for()
    tour.caption("Swagger UI: authorize with an access token")
    tour.click(page.get_by_role("button", name=re.compile("Authorize")).first)
    page.locator(".modal-ux input[type=text]").first.fill(token)
    tour.rest()
    tour.click(page.locator(".modal-ux .auth-btn-wrapper button.authorize"))
    tour.click(page.locator(".modal-ux button.btn-done"))
    tour.caption("Then run GET /api/v1/auth/me")
    me = page.locator(".opblock", has=page.locator("[data-path='/api/v1/auth/me']"))
    tour.click(me.locator(".opblock-summary"))
    tour.click(me.get_by_role("button", name="Try it out"))
    tour.click(me.get_by_role("button", name="Execute"))
    response = me.locator(".live-responses-table .highlight-code").first
    response.wait_for()
    response.scroll_into_view_if_needed()
    tour.rest(2)
    tour.shot("swagger-me", live=True)


WALKTHROUGHS: dict[str, Callable[[Tour], None]] = {
    "patient-journey": patient_journey,
    "doctor-journey": doctor_journey,
    "staff-admin": staff_admin,
    "api-swagger": api_swagger,
}


def phone_screenshots(browser, stack, screenshots: Path) -> None:
    """A few pages at phone width (375 px), not recorded."""
    context = browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, timezone_id=BROWSER_ZONE
    )
    context.set_default_timeout(15_000)
    page = context.new_page()
    tour = Tour(page=page, stack=stack, pause_ms=0, screenshots=None)

    def shot(name: str) -> None:
        screenshots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(screenshots / f"phone-{name}.png"), full_page=True)

    try:
        tour.portal("/")
        shot("landing")
        tour.sign_in("ana.lima@demo.clinic", DEMO_PASSWORD)
        tour.portal(f"/doctors/{WEBER}")
        shot("doctor-week")
        first_free_time(page).click()
        shot("confirm-booking")
        tour.portal("/appointments")
        shot("my-appointments")
    finally:
        context.close()


def record(
    stack,
    names: list[str],
    *,
    browser,
    videos: Path,
    screenshots: Path | None = None,
    pause_ms: int = 700,
) -> dict[str, Path]:
    """Play the walkthroughs ``names`` against ``stack`` in ``browser``, one video each.

    Videos go to ``videos`` as ``<name>.webm``, screenshots to ``screenshots``
    when given. Playwright must have found an ffmpeg when it started (see
    ``use_system_ffmpeg``). Returns the videos by name.
    """
    videos.mkdir(parents=True, exist_ok=True)
    made = {}
    with tempfile.TemporaryDirectory(prefix="walkthroughs-") as work:
        for name in names:
            context = browser.new_context(
                viewport=VIDEO_SIZE,
                timezone_id=BROWSER_ZONE,
                record_video_dir=work,
                record_video_size=VIDEO_SIZE,
                record_video_fps=VIDEO_FPS,
            )
            context.set_default_timeout(15_000)
            page = context.new_page()
            tour = Tour(page=page, stack=stack, pause_ms=pause_ms, screenshots=screenshots)
            try:
                WALKTHROUGHS[name](tour)
            finally:
                tour.close()
                context.close()
            target = videos / f"{name}.webm"
            shutil.move(page.video.path(), target)
            made[name] = target
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="+", choices=list(WALKTHROUGHS), default=list(WALKTHROUGHS))
    parser.add_argument("--videos", type=Path, default=VIDEOS)
    parser.add_argument("--screenshots", type=Path, default=SCREENSHOTS)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="walkthrough-stack-") as state:
        if not use_system_ffmpeg(Path(state)):
            print("Recording video needs ffmpeg: run `make ffmpeg`.", file=sys.stderr)
            return 1
        print("Starting the services…", flush=True)
        stack = make_test_stack(Path(state), port_offset=PORT_OFFSET)
        stack.start()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
                )
                try:
                    made = record(
                        stack,
                        args.only,
                        videos=args.videos,
                        screenshots=args.screenshots,
                        browser=browser,
                    )
                    phone_screenshots(browser, stack, args.screenshots)
                finally:
                    browser.close()
        finally:
            stack.stop()

    too_big = []
    for name, path in made.items():
        size = path.stat().st_size
        print(
            f"{path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: {size / 1e6:.2f} MB"
        )
        if size >= MAX_BYTES:
            too_big.append(name)
    shots = sorted(args.screenshots.glob("*.png"))
    print(f"{len(shots)} screenshots in {args.screenshots}")
    if too_big:
        print(f"Over {MAX_BYTES / 1e6:.0f} MB: {', '.join(too_big)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
