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
import re
import shutil
import sys
import tempfile
import uuid
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import sync_playwright
from stack import make_test_stack
from walkthrough_tour import (
    BROWSER_ZONE,
    CHROMIUM,
    DEMO_PASSWORD,
    PASSWORD,
    PHONE,
    WEBER,
    Api,
    Tour,
    first_free_time,
    later_week,
    use_system_ffmpeg,
)

ROOT = Path(__file__).resolve().parent.parent
VIDEOS = ROOT / "docs" / "videos"
SCREENSHOTS = ROOT / "docs" / "screenshots"
MAX_BYTES = 2_000_000
VIDEO_SIZE = {"width": 1024, "height": 640}  # 64em: the desktop layout, seven days side by side
VIDEO_FPS = 8
PORT_OFFSET = 400


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
