"""Test helpers for every service: a test signing key, token minting and forging, fixtures.

Use from a service's ``conftest.py`` with ``pytest_plugins = ["common.testing"]``
and ``JWT_KEY_PROVIDER = "common.testing.TestKeyProvider"`` in test settings.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import hmac
import json
import os
import threading
import time
import uuid
from functools import cache
from typing import Any, ClassVar

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings

from common.auth import VerificationKey, parse_jwks

TEST_KID = "test-key-1"


_KEYS_LOCK = threading.Lock()


def private_key(name: str) -> rsa.RSAPrivateKey:
    """The process's RSA key called ``name``, made on first use.

    2048 bits: slow to make, fast to reuse. Made under a lock, so that threads
    racing to mint their first token all get the one key.
    """
    with _KEYS_LOCK:
        return _make_private_key(name)


@cache
def _make_private_key(name: str) -> rsa.RSAPrivateKey:  # noqa: ARG001 - one key per name
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_private_key() -> rsa.RSAPrivateKey:
    return private_key("test")


def foreign_private_key() -> rsa.RSAPrivateKey:
    return private_key("foreign")


def test_jwks() -> dict[str, Any]:
    """The JWKS document that publishes the test key."""
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(test_private_key().public_key()))
    jwk.update({"kid": TEST_KID, "alg": "RS256", "use": "sig"})
    return {"keys": [jwk]}


class TestKeyProvider:
    """Key provider that knows only the test key (no HTTP)."""

    __test__ = False  # not a pytest test class

    def __init__(self) -> None:
        self._keys = parse_jwks(test_jwks())

    def get_key(self, kid: str) -> VerificationKey:
        from common.auth import InvalidToken

        try:
            return self._keys[kid]
        except KeyError as exc:
            raise InvalidToken("The token was signed by an unknown key.") from exc


class TestRevocations:
    """Revocation checker of the tests: the ``revocations`` fixture fills it (no HTTP)."""

    __test__ = False
    entries: ClassVar[dict[str, int]] = {}

    def is_revoked(self, *, sub: str, iat: int) -> bool:
        revoked_before = self.entries.get(str(sub))
        return revoked_before is not None and iat < revoked_before


@pytest.fixture
def revocations() -> Any:
    """``revocations[user_id] = unix_time``: that user's access tokens issued earlier are refused."""
    TestRevocations.entries.clear()
    yield TestRevocations.entries
    TestRevocations.entries.clear()


def mint(
    *,
    sub: str,
    token_type: str = "access",
    role: str | None = None,
    aud: str | list[str] | None = None,
    iss: str | None = None,
    scope: str | None = None,
    lifetime: int = 600,
    key: Any = None,
    kid: str | None = TEST_KID,
    algorithm: str = "RS256",
    drop: tuple[str, ...] = (),
    **extra: Any,
) -> str:
    """Sign a token with the test key (or ``key``); every claim can be bent for forging."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": iss or settings.JWT_ISSUER,
        "sub": sub,
        "aud": aud if aud is not None else settings.SERVICE_NAME,
        "iat": now,
        "exp": now + lifetime,
        "jti": uuid.uuid4().hex,
        "token_type": token_type,
        **extra,
    }
    if role is not None:
        claims["role"] = role
    if scope is not None:
        claims["scope"] = scope
    for name in drop:
        claims.pop(name, None)
    headers = {"kid": kid} if kid else {}
    if algorithm.startswith("HS"):
        return _hmac_signed(claims, headers, key or public_pem())
    signing_key = key if key is not None else test_private_key()
    return jwt.encode(claims, signing_key, algorithm=algorithm, headers=headers)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _hmac_signed(claims: dict[str, Any], headers: dict[str, Any], secret: bytes) -> str:
    """HS256 signed with ``secret`` (by default the public key: the alg-confusion attack).

    PyJWT refuses to do this itself, so the token is put together by hand.
    """
    signing_input = (
        _b64(json.dumps({"alg": "HS256", "typ": "JWT", **headers}).encode())
        + "."
        + _b64(json.dumps(claims).encode())
    )
    signature = hmac.new(secret, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def public_pem() -> bytes:
    return (
        test_private_key()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )


def unsigned_token(claims: dict[str, Any], *, kid: str = TEST_KID) -> str:
    """A token with ``alg: none`` (which must always be refused)."""

    header = {"alg": "none", "typ": "JWT", "kid": kid}
    return f"{_b64(json.dumps(header).encode())}.{_b64(json.dumps(claims).encode())}."


def user_token(user_id: uuid.UUID | str, role: str, **kwargs: Any) -> str:
    return mint(sub=str(user_id), role=role, **kwargs)


def service_token(client_id: str, scope: str, **kwargs: Any) -> str:
    return mint(sub=f"service:{client_id}", token_type="service", scope=scope, **kwargs)


def forged_tokens(user_id: uuid.UUID | str, role: str = "patient") -> dict[str, str]:
    """Every kind of bad token the contract says must get 401."""
    sub = str(user_id)
    good = user_token(sub, role)
    header, payload, signature = good.split(".")
    tampered_payload = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    tampered_payload["role"] = "staff"
    tampered = header + "." + _b64(json.dumps(tampered_payload).encode()) + "." + signature
    return {
        "alg-none": unsigned_token(jwt.decode(good, options={"verify_signature": False})),
        "symmetric-alg": user_token(sub, role, algorithm="HS256"),
        "foreign-key": user_token(sub, role, key=foreign_private_key()),
        "unknown-kid": user_token(sub, role, kid="no-such-key"),
        "tampered-claims": tampered,
        "wrong-audience": user_token(sub, role, aud="some-other-service"),
        "wrong-issuer": user_token(sub, role, iss="https://evil.example"),
        "expired": user_token(sub, role, lifetime=-120),
        "refresh-token": user_token(sub, role, token_type="refresh"),
        "no-jti": user_token(sub, role, drop=("jti",)),
        "garbage": "not-a-jwt",
    }


class BearerClient:
    """A thin wrapper around DRF's ``APIClient`` that sends a bearer token."""

    user_id: uuid.UUID  # set by ``make_client`` on the clients it makes

    def __init__(self, token: str | None = None):
        from rest_framework.test import APIClient

        self.client = APIClient()
        if token:
            self.client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "postgres: needs PostgreSQL (skipped elsewhere; fails instead with REQUIRE_POSTGRES=1)",
    )


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest) -> None:
    """Skip ``@pytest.mark.postgres`` tests off PostgreSQL; fail them if REQUIRE_POSTGRES=1.

    CI sets REQUIRE_POSTGRES=1, so a race test can never pass by not running.
    """
    if request.node.get_closest_marker("postgres") is None:
        return
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail(f"REQUIRE_POSTGRES=1 but the test database is {connection.vendor}.")
    pytest.skip("needs PostgreSQL (set DATABASE_URL to a postgres:// URL)")


def race(fn: Any, items: Any, *, timeout: float = 30.0) -> list[Any]:
    """Call ``fn(item)`` for every item, each in its own thread, all at once.

    The threads wait at one barrier so that they really race; each closes its
    own database connection when done. Returns, in the order of ``items``,
    what each call returned or the exception it raised.
    """
    from django.db import connection

    items = list(items)
    barrier = threading.Barrier(len(items))
    outcomes: list[Any] = [None] * len(items)

    def run(index: int, item: Any) -> None:
        try:
            barrier.wait(timeout=timeout)
            outcomes[index] = fn(item)
        except BaseException as exc:  # the outcome is what the test counts
            outcomes[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, item)) for i, item in enumerate(items)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return outcomes


def sign_in_to_admin(
    client: Any,
    *,
    email: str,
    groups: tuple[str, ...] | list[str],
    staff_id: uuid.UUID | None = None,
) -> Any:
    """Sign ``client`` (Django's test client) in to this service's admin as a staff member.

    The local user gets the flags and groups the SSO sign-in gives for
    ``groups``, and the session holds a refresh token just checked and the
    staff member's auth_service id (``staff_id``, by default one derived from
    the email; also ``client.staff_id``), as after a real sign-in (so the
    session re-check leaves it alone for a while).
    """
    from django.contrib.auth import get_user_model

    from common.admin_sso import SESSION_KEY, StaffAccess, _apply

    staff_id = staff_id or uuid.uuid5(uuid.NAMESPACE_URL, f"mailto:{email}")
    user, _ = get_user_model().objects.get_or_create(username=email, defaults={"email": email})
    known = frozenset(groups)
    _apply(user, StaffAccess(groups=known, staff_id=staff_id) if known else None)
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = {
        "refresh": "test-refresh-token",
        "checked_at": time.time(),
        "staff_id": str(staff_id),
    }
    session.save()
    client.user = user
    client.staff_id = staff_id
    return client


@pytest.fixture
def admin_client(client: Any, db: None) -> Any:
    """A clinic-admin signed in to the admin (replaces pytest-django's, which has no SSO session)."""
    return sign_in_to_admin(client, email="admin@clinic.example", groups=["clinic-admin"])


@pytest.fixture
def staff_admin_client(db: None):
    """``staff_admin_client(*groups)`` → a test client signed in to the admin with those groups."""
    from django.test import Client

    def factory(*groups: str) -> Any:
        return sign_in_to_admin(
            Client(), email=f"{'-'.join(groups) or 'none'}@clinic.example", groups=groups
        )

    return factory


@pytest.fixture
def anon_client() -> BearerClient:
    return BearerClient()


@pytest.fixture
def make_client():
    """``make_client(role, user_id=None)`` → a client with a user's token (``.user_id`` set)."""

    def factory(role: str, user_id: uuid.UUID | None = None) -> BearerClient:
        user_id = user_id or uuid.uuid4()
        client = BearerClient(user_token(user_id, role))
        client.user_id = user_id
        return client

    return factory


@pytest.fixture
def service_client():
    """``service_client(scope, client_id="tester")`` → a client with a service token."""

    def factory(scope: str, client_id: str = "tester") -> BearerClient:
        return BearerClient(service_token(client_id, scope))

    return factory


class StubServer:
    """A real HTTP server on 127.0.0.1 that answers from a script, for testing clients.

    ``stub.route("POST", "/path", status=201, json={...}, delay=0.0)`` sets an
    answer; ``query={"page_size": "1"}`` makes it answer only requests whose
    query has those parameters and ``times=1`` only that many requests (such
    routes win over plain ones, the latest first); ``body=b"..."`` with
    ``content_type`` answers raw bytes instead of JSON.
    ``stub.requests`` records ``(method, path, headers, body)`` and
    ``stub.queries`` the query string of each request.
    """

    def __init__(self) -> None:
        import http.server
        import threading
        from urllib.parse import parse_qs

        self.routes: dict[tuple[str, str], tuple[int, Any, float]] = {}
        # (method, path) → answers with a query or a count, the latest first.
        self.query_routes: dict[tuple[str, str], list[_Answer]] = {}
        self.requests: list[tuple[str, str, dict[str, str], bytes]] = []
        self.queries: list[str] = []  # the query string of each request, in order
        stub = self
        lock = threading.Lock()

        def answer_for(method: str, path: str, query: str) -> tuple[int, Any, float]:
            params = {k: v[-1] for k, v in parse_qs(query, keep_blank_values=True).items()}
            with lock:
                for answer in stub.query_routes.get((method, path), []):
                    if answer.times == 0:
                        continue
                    if all(params.get(k) == v for k, v in answer.query.items()):
                        if answer.times is not None:
                            answer.times -= 1
                        return answer.status, answer.payload, answer.delay
            return stub.routes.get((method, path), (404, {"detail": "no route"}, 0))

        class Handler(http.server.BaseHTTPRequestHandler):
            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path, _, query = self.path.partition("?")
                stub.requests.append((self.command, path, dict(self.headers), body))
                stub.queries.append(query)
                status, payload, delay = answer_for(self.command, path, query)
                if delay:
                    time.sleep(delay)
                if isinstance(payload, _Raw):
                    data, content_type = payload.body, payload.content_type
                else:
                    data, content_type = json.dumps(payload).encode(), "application/json"
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        # A short poll interval makes stop() (shutdown) quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def route(
        self,
        method: str,
        path: str,
        *,
        status: int = 200,
        json: Any = None,
        delay: float = 0.0,
        query: dict[str, Any] | None = None,
        times: int | None = None,
        body: bytes | None = None,
        content_type: str = "application/octet-stream",
    ) -> None:
        payload = (
            _Raw(body, content_type) if body is not None else (json if json is not None else {})
        )
        if query or times is not None:
            wanted = {k: str(v) for k, v in (query or {}).items()}
            answers = self.query_routes.setdefault((method, path), [])
            answers.insert(0, _Answer(wanted, status, payload, delay, times))
        else:
            self.routes[(method, path)] = (status, payload, delay)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@dataclasses.dataclass
class _Answer:
    query: dict[str, str]
    status: int
    payload: Any
    delay: float
    times: int | None  # None: every matching request


@dataclasses.dataclass(frozen=True)
class _Raw:
    body: bytes
    content_type: str


@pytest.fixture
def stub_server():
    """A ``StubServer`` that is stopped after the test."""
    server = StubServer()
    yield server
    server.stop()


class FakePeople:
    """Stands in for ``common.people`` in a service's tests: a directory held in memory.

    ``add(person)`` (or ``patient(...)`` / ``doctor(...)``) fills it; ``calls``
    records each ``people_get`` (the ids asked) and ``searches`` each
    ``people_search``; ``down = True`` makes both raise ``ServiceUnavailable``.
    """

    def __init__(self) -> None:
        self.people: dict[uuid.UUID, Any] = {}
        self.calls: list[set[uuid.UUID]] = []
        self.searches: list[tuple[str, str | None]] = []
        self.down = False

    def add(self, person: Any) -> Any:
        self.people[person.id] = person
        return person

    def patient(self, user_id: uuid.UUID | str | None = None, **fields: Any) -> Any:
        from common.people import Person

        defaults = {"full_name": "Ana Lima", "email": "ana.lima@demo.clinic", "phone": None}
        user_id = uuid.UUID(str(user_id)) if user_id else uuid.uuid4()
        values = {**defaults, **fields, "specialty": None, "specialty_slug": None}
        return self.add(Person(id=user_id, role="patient", **values))

    def doctor(self, user_id: uuid.UUID | str | None = None, **fields: Any) -> Any:
        from common.people import Person

        defaults = {
            "full_name": "Dr. Lena Weber",
            "email": "lena.weber@demo.clinic",
            "specialty": "Cardiology",
            "specialty_slug": "cardiology",
        }
        user_id = uuid.UUID(str(user_id)) if user_id else uuid.uuid4()
        return self.add(Person(id=user_id, role="doctor", phone=None, **{**defaults, **fields}))

    def _check(self) -> None:
        if self.down:
            from common.errors import ServiceUnavailable

            raise ServiceUnavailable("The user_service service cannot be reached.")

    def people_get(self, ids: Any) -> dict[uuid.UUID, Any]:
        wanted = {uuid.UUID(str(i)) for i in ids if i}
        self.calls.append(wanted)
        self._check()
        return {i: self.people[i] for i in wanted if i in self.people}

    def people_search(self, text: str, *, role: str | None = None, limit: int = 20) -> list[Any]:
        self.searches.append((text, role))
        self._check()
        text = text.strip().casefold()
        found = [
            person
            for person in self.people.values()
            if (role is None or person.role == role)
            and text
            and text in ((person.email or "") if "@" in text else person.full_name).casefold()
        ]
        return sorted(found, key=lambda person: person.full_name)[:limit]


@pytest.fixture
def fake_people(monkeypatch: pytest.MonkeyPatch) -> FakePeople:
    """``common.people`` faked by a ``FakePeople`` directory (empty until the test fills it)."""
    fake = FakePeople()
    monkeypatch.setattr("common.people.people_get", fake.people_get)
    monkeypatch.setattr("common.people.people_search", fake.people_search)
    return fake


def admin_fields_exposed(
    protected: dict[Any, set[str]], *, user: Any, examples: dict[Any, Any] | None = None
) -> dict[tuple[str, str], set[str]]:
    """The ``protected`` fields (per model) that some admin form lets ``user`` write.

    Walks every ModelAdmin registered on the site, its add and change forms
    (the change form of ``examples[model]`` or the model's first row) and
    their inlines, so a page added later is held to it. Returns
    ``{(model name, "add" | "change"): fields}``; empty when nothing is exposed.
    A ForeignKey's form field counts for its ``<name>_id`` column too.
    """
    from django.contrib import admin
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user

    def flat(fields) -> set[str]:
        names: set[str] = set()
        for field in fields:
            names |= flat(field) if isinstance(field, (list, tuple)) else {field}
        return names

    def writable(model_admin, obj) -> set[str]:
        allowed = (
            model_admin.has_add_permission(request)
            if obj is None
            else model_admin.has_change_permission(request, obj)
        )
        if not allowed:
            return set()
        fields = flat(model_admin.get_fields(request, obj)) - set(
            model_admin.get_readonly_fields(request, obj)
        )
        if obj is not None:
            fields |= set(getattr(model_admin, "list_editable", ()))
        return fields

    def hit(model, fields: set[str]) -> set[str]:
        names = protected.get(model, set())
        return {name for name in fields if name in names or f"{name}_id" in names}

    exposed = {}
    for model, model_admin in admin.site._registry.items():
        obj = (examples or {}).get(model) or model._default_manager.first()
        for instance in (None, obj):
            found = hit(model, writable(model_admin, instance))
            for inline in model_admin.get_inline_instances(request, instance):
                inline_writable = inline.has_add_permission(request, instance) or (
                    instance is not None and inline.has_change_permission(request, instance)
                )
                if inline_writable:
                    fields = flat(inline.get_fields(request, instance)) - set(
                        inline.get_readonly_fields(request, instance)
                    )
                    found |= hit(inline.model, fields)
            if found:
                exposed[(model.__name__, "add" if instance is None else "change")] = found
    return exposed
