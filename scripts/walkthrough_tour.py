"""What every walkthrough uses: a browser tour of the stack, its APIs, and ffmpeg for video.

``record_walkthroughs.py`` plays its walkthroughs with these; the browser tests
(``tests/e2e``) use them too.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path

import playwright
import requests
from playwright.sync_api import expect

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
# The walkthroughs are seen from a browser in Paris: times are named in its zone, with the
# clinic's (London) beside them where they differ.
BROWSER_ZONE = "Europe/Paris"
SCREENSHOT_SIZE = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
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
