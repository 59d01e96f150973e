"""Write postman/clinic.postman_collection.json and postman/local.postman_environment.json.

The collection is a story (scripts/postman_story.py, postman_availability.py,
postman_booking.py, postman_checks.py): people register, sign in, publish hours, book,
move and cancel; a service account calls the internal endpoints; then the refusals. It needs only an environment: the services'
URLs, a staff login and a service account. ``environment()`` makes one; `make run` writes
a filled one to .dev/postman.environment.json, the API tests one for the stack they start.

    python3 scripts/build_postman.py           # write both files (make postman)
    python3 scripts/build_postman.py --check   # fail if the committed files are stale
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from postman_availability import availability  # noqa: E402
from postman_booking import booking  # noqa: E402
from postman_checks import errors, internal  # noqa: E402
from postman_story import accounts, directory  # noqa: E402
from registry import BY_NAME  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
COLLECTION = ROOT / "postman" / "clinic.postman_collection.json"
LOCAL_ENVIRONMENT = ROOT / "postman" / "local.postman_environment.json"
# The demo staff login (demo/demo_data.json) and the service account the story uses: it
# holds what the internal chapter needs (profiles:read on user_service, slots:* on
# schedule_service).
DEMO_STAFF = ("staff@demo.clinic", "demo-clinic-2026")
CLIENT_ID = "appointment_service"
URL_VARIABLES = {
    "auth_url": "auth_service",
    "user_url": "user_service",
    "schedule_url": "schedule_service",
    "appointment_url": "appointment_service",
}


def collection() -> dict:
    return {
        "info": {
            "name": "Clinic booking",
            "description": "A patient's and a doctor's story across the four API services, "
            "runnable any number of times on any stack: each run registers its own people. "
            "Run it whole (newman, or the Runner) with an environment that gives auth_url, "
            "user_url, schedule_url, appointment_url, staff_email, staff_password, client_id "
            "and client_secret. See README, 'The Postman collection'.",
            "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
        },
        "auth": {"type": "noauth"},
        "item": [accounts(), directory(), availability(), booking(), internal(), errors()],
    }


def environment(
    name: str,
    urls: dict[str, str],
    *,
    staff: tuple[str, str] = DEMO_STAFF,
    client_secret: str = "",
) -> dict:
    """An environment for the collection: ``urls`` by service name, a staff login, a client."""
    values = {
        **{variable: urls.get(service, "") for variable, service in URL_VARIABLES.items()},
        "staff_email": staff[0],
        "staff_password": staff[1],
        "client_id": CLIENT_ID,
        "client_secret": client_secret,
    }
    return {
        "name": name,
        "values": [
            {
                "key": key,
                "value": value,
                "type": "secret" if key in ("client_secret", "staff_password") else "default",
                "enabled": True,
            }
            for key, value in values.items()
        ],
    }


def render(document: dict) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def expected_files() -> dict[Path, str]:
    """What `make postman` writes: the collection and the environment of `make run`."""
    local = {s: f"http://127.0.0.1:{BY_NAME[s].port}" for s in URL_VARIABLES.values()}
    return {
        COLLECTION: render(collection()),
        LOCAL_ENVIRONMENT: render(environment("local (make run)", local)),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the files are stale")
    args = parser.parse_args(argv)
    stale = []
    for path, text in expected_files().items():
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path.relative_to(ROOT)))
        else:
            path.write_text(text)
            print(f"Wrote {path.relative_to(ROOT)}")
    if stale:
        print(f"Stale, run `make postman`: {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
