"""Test helpers for every service: a test signing key, token minting and forging, fixtures.

Use from a service's ``conftest.py`` with ``pytest_plugins = ["common.testing"]``
and ``JWT_KEY_PROVIDER = "common.testing.TestKeyProvider"`` in test settings.
Tests import the helpers from here: tokens (``tokens``), test clients
(``clients``), problem assertions (``problems``), the HTTP stub server
(``stub_server``), a fake people directory (``people``), admin field checks
(``admin``), thread races (``races``), the project-level checks every API service runs
(``project``) and the plugin's fixtures (``fixtures``).
"""

from common.testing.admin import admin_fields_exposed
from common.testing.clients import BearerClient, sign_in_to_admin
from common.testing.fixtures import (
    _postgres_only,
    admin_client,
    anon_client,
    fake_people,
    make_client,
    pytest_configure,
    revocations,
    service_client,
    staff_admin_client,
    stub_server,
)
from common.testing.keys import (
    TEST_KID,
    TestKeyProvider,
    TestRevocations,
    foreign_private_key,
    private_key,
    public_pem,
    test_jwks,
    test_private_key,
)
from common.testing.people import FakePeople
from common.testing.problems import assert_problem, error_fields
from common.testing.project import InternalSchemaChecks, ProjectChecks
from common.testing.races import race
from common.testing.stub_server import Hit, Reply, StubServer
from common.testing.tokens import (
    forged_tokens,
    mint,
    service_token,
    unsigned_token,
    user_token,
)

__all__ = [
    "TEST_KID",
    "BearerClient",
    "FakePeople",
    "Hit",
    "InternalSchemaChecks",
    "ProjectChecks",
    "Reply",
    "StubServer",
    "TestKeyProvider",
    "TestRevocations",
    "_postgres_only",
    "admin_client",
    "admin_fields_exposed",
    "anon_client",
    "assert_problem",
    "error_fields",
    "fake_people",
    "foreign_private_key",
    "forged_tokens",
    "make_client",
    "mint",
    "private_key",
    "public_pem",
    "pytest_configure",
    "race",
    "revocations",
    "service_client",
    "service_token",
    "sign_in_to_admin",
    "staff_admin_client",
    "stub_server",
    "test_jwks",
    "test_private_key",
    "unsigned_token",
    "user_token",
]
