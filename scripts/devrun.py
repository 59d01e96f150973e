"""`make run`: set up every service on SQLite with demo data, start them, stop them on Ctrl-C."""

from __future__ import annotations

import json
import signal
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from build_postman import CLIENT_ID, environment, render  # noqa: E402
from registry import BY_NAME  # noqa: E402
from stack import DEMO_FILE, ROOT, Stack, present_services  # noqa: E402


def print_welcome(stack: Stack, state: Path) -> None:
    """Print where each running service answers, the demo logins and how to try the portal."""
    demo = json.loads(DEMO_FILE.read_text())
    print("\nThe clinic is running.\n")
    for service in stack.ports:
        url = stack.url(service)
        about = BY_NAME[service]
        extra = f"   API docs {url}/api/docs/   admin {url}/admin/" if about.api else ""
        print(f"  {about.title or service:<32} {url}{extra}")
    print(f"\nDemo logins (password for all: {demo['password']})")
    for person in demo["staff"]:
        groups = ", ".join(person.get("groups", ["clinic-admin"]))
        print(f"  staff (every /admin/):  {person['email']}  ({groups})")
    for person in demo["patients"]:
        print(f"  patient:                {person['email']}  ({person['full_name']})")
    for person in demo["doctors"]:
        print(
            f"  doctor:                 {person['email']}  ({person['full_name']}, {person['specialty']}, {person['timezone']})"
        )
    if "portal" in stack.ports:
        patient, doctor = demo["patients"][0], demo["doctors"][0]
        print(
            f"\nTry it: open {stack.url('portal')}/sign-in as {patient['email']}, find"
            f" {doctor['full_name']} and book a time; then sign in as {doctor['email']}"
            " and see it on 'My day' (or 'Coming appointments')."
        )
    postman = write_postman_environment(stack, state).relative_to(ROOT)
    print(
        "\nThe Postman collection's story, against this stack (make newman installs newman):"
        f"\n  postman/node_modules/.bin/newman run postman/clinic.postman_collection.json -e {postman}"
    )
    print(f"\nLogs: {state / 'logs'}/<service>.log. Press Ctrl-C to stop.", flush=True)


def write_postman_environment(stack: Stack, state: Path) -> Path:
    """The Postman collection's environment for this stack, with its real client secret."""
    path = state / "postman.environment.json"
    urls = {service: stack.url(service) for service in stack.ports}
    secret = stack.secrets()[f"{CLIENT_ID}_client_secret"]
    path.write_text(render(environment("make run", urls, client_secret=secret)))
    path.chmod(0o600)
    return path


def wait_for_stop(stack: Stack) -> None:
    """Return on Ctrl-C or SIGTERM, or as soon as any service's process has exited."""
    stopping = False

    def stop(*_):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    while not stopping:
        for service, process in stack.processes.items():
            if process.poll() is not None:
                print(f"{service} exited with {process.returncode}; stopping.", file=sys.stderr)
                stopping = True
                break
        time.sleep(0.5)


def main() -> int:
    state = ROOT / ".dev"
    (state / "logs").mkdir(parents=True, exist_ok=True)
    stack = Stack(
        state_dir=state,
        ports=dict(present_services()),
        settings_module="local",
        log_dir=state / "logs",
    )
    print("Preparing: signing key, secrets, migrations, demo data ...", flush=True)
    stack.prepare(demo=True, collectstatic=True)
    print("Starting services ...", flush=True)
    try:
        stack.start()
    except RuntimeError as exc:
        stack.stop()
        print(f"Could not start: {exc}. See {state / 'logs'}.", file=sys.stderr)
        return 1

    print_welcome(stack, state)
    wait_for_stop(stack)
    print("\nStopping ...")
    stack.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
