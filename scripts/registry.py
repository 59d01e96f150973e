"""The services of the platform, written out once: names, ports, databases, workers, accounts.

`scripts/stack.py` (`make run`, the integration and browser tests, the benchmarks), the
Makefile, `scripts/build_postman.py` and `scripts/devrun.py` read this module;
`tests/integration/test_registry.py` checks `compose.yaml`, the services' Dockerfiles and
`docker/postgres/init.sh` against it. It imports nothing but the standard library, so
scripts and tests use it without Django, and no service's settings import it.

Run it to print names for the shell (the Makefile's service lists)::

    python3 scripts/registry.py names          # every service, in start order
    python3 scripts/registry.py names --api    # those with an OpenAPI schema
    python3 scripts/registry.py names --database
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field

# The portal's development port; each service's port is this plus its offset, and the test
# stacks shift the same offsets to INTEGRATION_BASE_PORT.
DEV_BASE_PORT = 8000


@dataclass(frozen=True)
class Service:
    """One Django project of the platform, as the scripts, tests and compose.yaml know it."""

    name: str
    # Where `make run` serves it (compose publishes it on the same port).
    port: int
    # Whether it has a PostgreSQL database and role of its own (compose's DATABASE_URL,
    # docker/postgres/init.sh); the portal keeps its sessions in a SQLite file.
    database: bool
    # Whether it publishes an OpenAPI schema (the Postman collection, `make check-schema`).
    api: bool
    # The environment variable that tells the other services where it is (none for the
    # portal: nothing calls it).
    url_env: str | None
    # The gunicorn worker class and threads per worker (GUNICORN_WORKER_CLASS and
    # GUNICORN_THREADS in the service's Dockerfile, which compose.yaml may override).
    worker_class: str = "sync"
    threads: int = 1
    # Its service account: which scopes it may ask for, per audience; empty when it calls
    # no other service with a service token.
    grants: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # How `make run` names it, when not by its name.
    title: str = ""

    @property
    def offset(self) -> int:
        """Its port's distance from the portal's, kept by every stack of the tests."""
        return self.port - DEV_BASE_PORT

    @property
    def gunicorn_args(self) -> tuple[str, ...]:
        """gunicorn's worker options, as the container's entrypoint passes them."""
        if self.worker_class == "sync":
            return ("--worker-class", "sync")
        return ("--worker-class", self.worker_class, "--threads", str(self.threads))


# Every service with an admin signs staff in (staff:sign-in); every service that verifies
# people's access tokens polls the list of ended sign-ins (revocations:read, see
# common.auth); the admins name the patients and doctors behind ids (common.people:
# profiles from user_service, emails from auth_service). auth_service mints its own tokens
# (AUTH_SERVICE_OUTGOING_SCOPES), so it has no account.
_AUTH = ("staff:sign-in", "revocations:read")
_PEOPLE_AUTH = (*_AUTH, "accounts:read")

# In start order, the order of compose.yaml's depends_on.
SERVICES: tuple[Service, ...] = (
    Service("auth_service", 8001, database=True, api=True, url_env="AUTH_SERVICE_URL"),
    Service(
        "user_service",
        8002,
        database=True,
        api=True,
        url_env="USER_SERVICE_URL",
        grants={"auth_service": _AUTH},
    ),
    Service(
        "schedule_service",
        8003,
        database=True,
        api=True,
        url_env="SCHEDULE_SERVICE_URL",
        # Checks that a doctor exists (and their time zone) before making a schedule.
        grants={"user_service": ("profiles:read",), "auth_service": _PEOPLE_AUTH},
    ),
    Service(
        "appointment_service",
        8004,
        database=True,
        api=True,
        url_env="APPOINTMENT_SERVICE_URL",
        # A booking waits on schedule_service: threads keep its workers busy meanwhile.
        worker_class="gthread",
        threads=8,
        # Holds, reads and lets go of slots.
        grants={
            "schedule_service": ("slots:read", "slots:reserve", "slots:release"),
            "user_service": ("profiles:read",),
            "auth_service": _PEOPLE_AUTH,
        },
    ),
    Service(
        "portal",
        8000,
        database=False,
        api=False,
        url_env=None,
        # Every page waits on the APIs: threads keep its workers busy meanwhile.
        worker_class="gthread",
        threads=8,
        # It names the other side of each appointment with one batch look-up a page, and
        # the browser behind each sign-in and registration (so each person is throttled
        # alone). It verifies no token itself, so it needs no revocation list.
        grants={"user_service": ("profiles:read",), "auth_service": ("client-address:forward",)},
        title="Portal (patients and doctors)",
    ),
)

BY_NAME: dict[str, Service] = {service.name: service for service in SERVICES}


def main(argv: list[str] | None = None) -> int:
    """Print the names of the services asked for, space-separated, in start order."""
    parser = argparse.ArgumentParser(description="The platform's services, for the Makefile.")
    commands = parser.add_subparsers(dest="command", required=True)
    names = commands.add_parser("names", help="service names in start order")
    names.add_argument("--api", action="store_true", help="only those with an OpenAPI schema")
    names.add_argument("--database", action="store_true", help="only those with a database")
    args = parser.parse_args(argv)
    chosen = [
        s.name for s in SERVICES if (s.api or not args.api) and (s.database or not args.database)
    ]
    print(" ".join(chosen))
    return 0


if __name__ == "__main__":
    sys.exit(main())
