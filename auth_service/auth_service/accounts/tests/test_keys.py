"""Signing keys: the running service follows the keys folder (publish, activate, retire)."""

import logging
import os

import jwt
import pytest
from django.core.exceptions import ImproperlyConfigured

from auth_service.accounts import keys
from auth_service.accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

JWKS = "/.well-known/jwks.json"


@pytest.fixture
def folder(settings, tmp_path):
    """A keys folder of its own, holding one key named active, looked at on every use."""
    settings.JWT_KEYS_DIR = tmp_path / "keys"
    settings.JWT_KEYS_RESCAN_SECONDS = 0
    keys.forget_keys()
    keys.activate_key(keys.generate_key().kid)
    yield settings.JWT_KEYS_DIR
    keys.forget_keys()


def written_elsewhere(folder, tmp_path):
    """A key put into ``folder`` by another process (this one did not write it)."""
    made = keys.generate_key(tmp_path / "elsewhere")
    os.link(made.path, folder / made.path.name)
    return made.kid


def mark_active(folder, kid):
    """What `signing_keys activate` run in another process writes."""
    (folder / ".tmp-marker").write_text(kid)
    os.replace(folder / ".tmp-marker", folder / keys.ACTIVE_MARKER)


def published(client):
    return {key["kid"] for key in client.get(JWKS).json()["keys"]}


def signed_with(client, user):
    response = client.post("/api/v1/auth/token", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 200, response.json()
    return jwt.get_unverified_header(response.json()["access"])["kid"], response.json()


def test_a_key_generated_by_another_process_is_published_without_restart(
    folder, tmp_path, anon_client
):
    user = UserFactory()
    old = keys.active_key().kid
    assert published(anon_client) == {old}
    new = written_elsewhere(folder, tmp_path)
    assert published(anon_client) == {old, new}
    assert signed_with(anon_client, user)[0] == old  # published, signing nothing yet


def test_a_key_activated_by_another_process_signs_without_restart(folder, tmp_path, anon_client):
    user = UserFactory()
    old = keys.active_key().kid
    before = signed_with(anon_client, user)[1]
    new = written_elsewhere(folder, tmp_path)
    mark_active(folder, new)
    kid, after = signed_with(anon_client, user)
    assert kid == new
    # Tokens of both keys are accepted while both are published.
    for pair in (before, after):
        anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {pair['access']}")
        assert anon_client.get("/api/v1/auth/me").status_code == 200
        anon_client.credentials()
    rotated = anon_client.post("/api/v1/auth/token/refresh", {"refresh": before["refresh"]})
    assert rotated.status_code == 200
    assert old != new


def test_the_folder_is_looked_at_no_more_often_than_the_rescan_interval(
    folder, tmp_path, settings, monkeypatch, anon_client
):
    settings.JWT_KEYS_RESCAN_SECONDS = 30
    clock = [1000.0]
    monkeypatch.setattr(keys.time, "monotonic", lambda: clock[0])
    keys.forget_keys()
    old = keys.active_key().kid
    listings = []
    real_listing = keys.folder_listing
    monkeypatch.setattr(
        keys, "folder_listing", lambda path: listings.append(path) or real_listing(path)
    )

    new = written_elsewhere(folder, tmp_path)
    for _ in range(5):
        assert published(anon_client) == {old}
    assert folder not in listings  # not due yet: no look at the folder at all
    clock[0] += 30
    assert published(anon_client) == {old, new}
    assert published(anon_client) == {old, new}
    assert listings.count(folder) == 1


def test_an_unchanged_folder_is_not_read_again(folder, monkeypatch, anon_client):
    reads = []
    real_read = keys.folder_read
    monkeypatch.setattr(keys, "folder_read", lambda path: reads.append(path) or real_read(path))
    for _ in range(3):
        published(anon_client)
    assert reads == []


def test_an_unknown_kid_makes_the_service_look_at_once(
    folder, tmp_path, settings, monkeypatch, anon_client
):
    settings.JWT_KEYS_RESCAN_SECONDS = 3600
    keys.forget_keys()
    user = UserFactory()
    keys.active_key()
    new = written_elsewhere(folder, tmp_path)
    # Another worker (or process) signs with the new key.
    elsewhere = keys.load_keys(tmp_path / "elsewhere")[new]
    token = jwt.encode(
        {
            "iss": "clinic-auth",
            "sub": str(user.id),
            "aud": ["auth_service"],
            "iat": 1,
            "exp": 2**31,
            "jti": "x",
            "token_type": "access",
            "role": "patient",
        },
        elsewhere.private_key,
        algorithm="RS256",
        headers={"kid": new},
    )
    anon_client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert anon_client.get("/api/v1/auth/me").status_code == 200


def test_a_change_that_leaves_nothing_to_sign_with_is_not_taken(
    folder, tmp_path, anon_client, caplog
):
    user = UserFactory()
    old = keys.active_key().kid
    mark_active(folder, "no-such-key")
    with caplog.at_level(logging.ERROR, logger="auth_service.accounts.keys"):
        assert signed_with(anon_client, user)[0] == old
    assert "unusable" in caplog.text
    # Fixed: taken at once.
    new = written_elsewhere(folder, tmp_path)
    mark_active(folder, new)
    assert signed_with(anon_client, user)[0] == new


def test_a_broken_key_file_is_not_taken_until_it_is_whole(folder, tmp_path, anon_client):
    old = keys.active_key().kid
    made = keys.generate_key(tmp_path / "elsewhere")
    pem = made.path.read_bytes()
    half = folder / made.path.name
    half.write_bytes(pem[: len(pem) // 2])
    assert published(anon_client) == {old}
    half.write_bytes(pem + b"\n")
    assert published(anon_client) == {old, made.kid}


def test_the_active_key_file_removed_keeps_it_signing(folder, tmp_path, anon_client):
    user = UserFactory()
    old = keys.active_key()
    written_elsewhere(folder, tmp_path)
    old.path.unlink()
    assert signed_with(anon_client, user)[0] == old.kid
    assert old.kid in published(anon_client)


def test_the_first_read_of_a_broken_folder_refuses_to_start(settings, tmp_path):
    settings.JWT_KEYS_DIR = tmp_path
    # A PEM header with no key in it (spelled in two parts: no key is committed here).
    (tmp_path / "broken.pem").write_bytes(b"-----BEGIN " + b"PRIVATE KEY-----\nnope\n")
    keys.forget_keys()
    try:
        with pytest.raises(ValueError, match="PEM"):
            keys.load_keys()
    finally:
        keys.forget_keys()


def test_generate_writes_the_whole_file_private_and_pins_the_signing_key(settings, tmp_path):
    settings.JWT_KEYS_DIR = folder = tmp_path
    keys.forget_keys()
    first = keys.generate_key()
    assert not (folder / keys.ACTIVE_MARKER).exists()  # one key: it signs
    second = keys.generate_key()
    assert (folder / keys.ACTIVE_MARKER).read_text().strip() == first.kid
    assert keys.active_key().kid == first.kid
    assert oct(second.path.stat().st_mode & 0o777) == "0o600"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{first.kid}.pem", f"{second.kid}.pem", keys.ACTIVE_MARKER]
    )
    keys.forget_keys()


def test_generate_pins_the_key_chosen_by_the_environment(settings, tmp_path):
    settings.JWT_KEYS_DIR = tmp_path
    keys.forget_keys()
    try:
        first = keys.generate_key()
        other = keys.generate_key(tmp_path / "elsewhere")
        os.link(other.path, tmp_path / other.path.name)
        settings.JWT_ACTIVE_KID = other.kid
        keys.forget_keys()
        keys.generate_key()
        assert (tmp_path / keys.ACTIVE_MARKER).read_text().strip() == other.kid
        settings.JWT_ACTIVE_KID = first.kid  # the marker wins over the environment
        assert keys.active_key().kid == other.kid
    finally:
        keys.forget_keys()


def test_retire_refuses_the_signing_key_and_unpublishes_another(folder, anon_client):
    old = keys.active_key()
    new = keys.generate_key()
    with pytest.raises(ValueError, match="signing key"):
        keys.retire_key(old.kid)
    keys.activate_key(new.kid)
    keys.retire_key(old.kid)
    assert published(anon_client) == {new.kid}
    with pytest.raises(KeyError):
        keys.activate_key(old.kid)


def test_no_key_at_all_is_a_clear_error(settings, tmp_path):
    settings.JWT_KEYS_DIR = tmp_path / "missing"
    keys.forget_keys()
    try:
        assert keys.load_keys() == {}
        with pytest.raises(ImproperlyConfigured, match="signing_keys ensure"):
            keys.active_key()
    finally:
        keys.forget_keys()


def run(*args):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_activate_refuses_a_key_other_services_may_not_know_yet(folder, settings):
    from django.core.management.base import CommandError

    old = keys.active_key().kid
    out = run("signing_keys", "generate")
    new = next(kid for kid in keys.load_keys() if kid != old)
    assert f"signing_keys activate -- {new}" in out
    assert f"In {settings.JWT_KEY_ACTIVATE_AFTER_SECONDS} seconds" in out
    with pytest.raises(CommandError, match="Try again in"):
        run("signing_keys", "activate", "--", new)
    assert keys.active_key().kid == old
    settings.JWT_KEY_ACTIVATE_AFTER_SECONDS = 0
    assert "signs from now on" in run("signing_keys", "activate", "--", new)
    assert keys.active_key().kid == new
    assert f"{new}  active" in run("signing_keys", "list")


def test_activate_now_skips_the_wait(folder):
    new = keys.generate_key().kid
    run("signing_keys", "activate", "--now", "--", new)
    assert keys.active_key().kid == new


def test_retire_command(folder, settings):
    from django.core.management.base import CommandError

    old = keys.active_key().kid
    new = keys.generate_key().kid
    with pytest.raises(CommandError, match="activate another one first"):
        run("signing_keys", "retire", "--", old)
    keys.activate_key(new)
    assert "Retired" in run("signing_keys", "retire", "--", old)
    assert list(keys.load_keys()) == [new]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("activate",), "required: kid"),
        (("retire",), "required: kid"),
        (("activate", "--", "nope"), "No key nope"),
        (("retire", "--", "nope"), "No key nope"),
        (("activate", "--", "-starts-with-a-dash"), "No key -starts-with-a-dash"),
    ],
)
def test_key_commands_refuse_a_missing_or_unknown_kid(folder, args, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        run("signing_keys", *args)


def test_list_names_no_active_key_when_the_choice_is_unclear(settings, tmp_path):
    settings.JWT_KEYS_DIR = tmp_path
    keys.forget_keys()
    try:
        for _ in range(2):
            made = keys.generate_key(tmp_path / f"elsewhere-{_}")
            os.link(made.path, tmp_path / made.path.name)
        keys.forget_keys()
        listing = run("signing_keys", "list")
        assert listing.count("published") == 2 and "active" not in listing
    finally:
        keys.forget_keys()
