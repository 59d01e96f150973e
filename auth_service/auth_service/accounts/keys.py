"""Signing keys: PEM files in ``JWT_KEYS_DIR``; all are published, the active one signs.

The running service re-reads the folder when its listing changes (looked at
most every ``JWT_KEYS_RESCAN_SECONDS``), so a rotation needs no restart:

1. ``signing_keys generate`` writes a new key: published in the JWKS at once,
   signing nothing (the key that signed so far is pinned in ``active-kid``).
2. After the other services can have fetched it (``JWT_KEY_ACTIVATE_AFTER_SECONDS``),
   ``signing_keys activate <kid>`` names it in ``active-kid``: it signs from then on.
3. Once the tokens of the old key have expired, ``signing_keys retire <old kid>``.

Which key signs: the kid in ``JWT_KEYS_DIR/active-kid``, else ``JWT_ACTIVE_KID``,
else the only key there is.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import logging
import os
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from common.auth import InvalidToken, VerificationKey

logger = logging.getLogger(__name__)

ALGORITHM = "RS256"
# The file in the keys folder that names the signing key (written by `signing_keys`).
ACTIVE_MARKER = "active-kid"


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private_key: rsa.RSAPrivateKey
    public_jwk: dict[str, Any]
    path: Path


@dataclass(frozen=True)
class KeyFolderState:
    """What the keys folder held when it was last read."""

    keys: dict[str, SigningKey]
    marker: str | None  # the kid named in ``active-kid``, if there is one


def _public_jwk(private_key: rsa.RSAPrivateKey) -> dict[str, Any]:
    return json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))


def thumbprint(jwk: dict[str, Any]) -> str:
    """RFC 7638 JWK thumbprint: the key's id, derived from the key itself."""
    canonical = json.dumps(
        {k: jwk[k] for k in ("e", "kty", "n")}, separators=(",", ":"), sort_keys=True
    )
    digest = hashlib.sha256(canonical.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def _load(path: Path) -> SigningKey:
    private_key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(private_key, rsa.RSAPrivateKey):
        raise ImproperlyConfigured(f"{path} is not an RSA private key.")
    jwk = _public_jwk(private_key)
    kid = thumbprint(jwk)
    jwk.update({"kid": kid, "alg": ALGORITHM, "use": "sig"})
    return SigningKey(kid=kid, private_key=private_key, public_jwk=jwk, path=path)


def folder_listing(folder: Path) -> tuple[tuple[str, int, int, int], ...]:
    """What identifies the folder's contents cheaply: name, inode, size and mtime of each file."""
    try:
        with os.scandir(folder) as entries:
            found = []
            for entry in entries:
                if entry.name.endswith(".pem") or entry.name == ACTIVE_MARKER:
                    stat = entry.stat()
                    found.append((entry.name, stat.st_ino, stat.st_size, stat.st_mtime_ns))
    except FileNotFoundError:
        return ()
    return tuple(sorted(found))


def folder_read(folder: Path) -> KeyFolderState:
    """Load every key of ``folder`` and the name of the active one (its marker file, if any)."""
    if not folder.is_dir():
        return KeyFolderState(keys={}, marker=None)
    keys = {key.kid: key for key in (_load(path) for path in sorted(folder.glob("*.pem")))}
    marker_path = folder / ACTIVE_MARKER
    marker = marker_path.read_text().strip() if marker_path.exists() else ""
    return KeyFolderState(keys=keys, marker=marker or None)


def _resolve_active(state: KeyFolderState) -> SigningKey:
    if not state.keys:
        raise ImproperlyConfigured(
            f"No signing key in {settings.JWT_KEYS_DIR}: run `manage.py signing_keys ensure`."
        )
    wanted = state.marker or settings.JWT_ACTIVE_KID
    if wanted:
        if wanted not in state.keys:
            source = ACTIVE_MARKER if state.marker else "JWT_ACTIVE_KID"
            raise ImproperlyConfigured(
                f"The signing key {wanted} named by {source} is not in {settings.JWT_KEYS_DIR}."
            )
        return state.keys[wanted]
    if len(state.keys) > 1:
        raise ImproperlyConfigured(
            "Several signing keys are published: run `manage.py signing_keys activate <kid>`."
        )
    return next(iter(state.keys.values()))


class KeyFolder:
    """One keys folder as this process sees it, re-read when its listing changes.

    The listing is looked at most every ``JWT_KEYS_RESCAN_SECONDS`` (a few
    stat calls). A change that leaves nothing to sign with (the active key's
    file gone, a broken file) is logged and not taken: the keys in use stay.
    Only the first read raises.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock = threading.Lock()
        self._state: KeyFolderState | None = None
        self._signature: tuple | None = None
        self._checked_at = float("-inf")

    def _due(self, force: bool) -> bool:
        return (
            force
            or self._state is None
            or time.monotonic() - self._checked_at >= settings.JWT_KEYS_RESCAN_SECONDS
        )

    def state(self, *, force: bool = False) -> KeyFolderState:
        """The folder's keys; re-read first when due (or ``force``) and the folder changed."""
        if self._due(force):
            with self._lock:
                if self._due(force):
                    self._rescan()
                    self._checked_at = time.monotonic()
        assert self._state is not None  # noqa: S101 - set by the first _rescan
        return self._state

    def _rescan(self) -> None:
        signature = folder_listing(self.folder)
        if self._state is not None and signature == self._signature:
            return
        previous = self._state
        try:
            state = folder_read(self.folder)
            if previous is not None:
                _resolve_active(state)
        except (ImproperlyConfigured, OSError, ValueError) as exc:
            if previous is None:
                raise
            self._signature = signature  # tried again when the folder changes again
            logger.error("Signing keys in %s changed but are unusable (%s)", self.folder, exc)
            return
        self._signature = signature
        self._state = state
        if previous is not None:
            logger.info(
                "Signing keys in %s changed: published %s; signing with %s",
                self.folder,
                ", ".join(state.keys),
                _resolve_active(state).kid,
            )


_folders: dict[Path, KeyFolder] = {}
_folders_lock = threading.Lock()


def key_folder(keys_dir: Path | None = None) -> KeyFolder:
    """This process's view of the keys folder (``JWT_KEYS_DIR`` by default)."""
    path = Path(keys_dir or settings.JWT_KEYS_DIR)
    with _folders_lock:
        folder = _folders.get(path)
        if folder is None:
            folder = _folders[path] = KeyFolder(path)
        return folder


def forget_keys() -> None:
    """Drop every folder view: the next use reads the folder afresh (tests)."""
    with _folders_lock:
        _folders.clear()


def load_keys(keys_dir: Path | None = None) -> dict[str, SigningKey]:
    """Return every key in the keys folder by kid (re-read when the folder changed)."""
    return key_folder(keys_dir).state().keys


# Callers written against the once-per-process loader reset it this way.
load_keys.cache_clear = forget_keys  # type: ignore[attr-defined]


def active_key(keys_dir: Path | None = None) -> SigningKey:
    """Return the key that signs: ``active-kid``, else ``JWT_ACTIVE_KID``, else the only key."""
    return _resolve_active(key_folder(keys_dir).state())


def _write_marker(folder: Path, kid: str) -> None:
    """Name ``kid`` in ``active-kid``, atomically (a reader sees the old or the new name)."""
    temporary = folder / f".{ACTIVE_MARKER}.{uuid.uuid4().hex}.tmp"
    temporary.write_text(kid + "\n")
    os.replace(temporary, folder / ACTIVE_MARKER)


def generate_key(keys_dir: Path | None = None) -> SigningKey:
    """Write a new 2048-bit RSA key (mode 0600) into the keys folder and return it.

    The new key is published and signs nothing: when other keys exist and
    none is named in ``active-kid``, the one signing so far is named there
    first. The file appears whole (written aside, then linked in), so a
    running service never reads half a key.
    """
    folder = Path(keys_dir or settings.JWT_KEYS_DIR)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    view = key_folder(folder)
    current = view.state(force=True)
    if current.keys and current.marker is None:
        # Several keys and no choice already: there is nothing to keep.
        with contextlib.suppress(ImproperlyConfigured):
            _write_marker(folder, _resolve_active(current).kid)
    private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    kid = thumbprint(_public_jwk(private_key))
    temporary = folder / f".{kid}.tmp"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
        handle.flush()
        os.fsync(handle.fileno())
    path = folder / f"{kid}.pem"
    try:
        os.link(temporary, path)  # fails if the name exists, like O_EXCL
    finally:
        temporary.unlink()
    view.state(force=True)
    return _load(path)


def activate_key(kid: str, keys_dir: Path | None = None) -> SigningKey:
    """Make ``kid`` the signing key (``active-kid``); raise ``KeyError`` for an unknown kid."""
    folder = Path(keys_dir or settings.JWT_KEYS_DIR)
    view = key_folder(folder)
    key = view.state(force=True).keys[kid]
    _write_marker(folder, kid)
    view.state(force=True)
    return key


def retire_key(kid: str, keys_dir: Path | None = None) -> SigningKey:
    """Delete key ``kid`` (it is no longer published); refuse the active key.

    Raises ``KeyError`` for an unknown kid and ``ValueError`` for the active one.
    """
    view = key_folder(keys_dir)
    key = view.state(force=True).keys[kid]
    if active_key(keys_dir).kid == kid:
        raise ValueError(f"{kid} is the signing key; activate another one first.")
    key.path.unlink()
    view.state(force=True)
    return key


def key_age_seconds(key: SigningKey) -> float:
    """How long ago ``key``'s file was written (when it was published)."""
    return time.time() - key.path.stat().st_mtime


def jwks_document() -> dict[str, Any]:
    """The public JWKS: every published key."""
    return {"keys": [key.public_jwk for key in load_keys().values()]}


class LocalKeyProvider:
    """Key provider for auth_service itself: its own published keys, no HTTP.

    An unknown kid makes it look at the folder at once (a key another worker
    has started signing with is known here too).
    """

    def get_key(self, kid: str) -> VerificationKey:
        key = load_keys().get(kid) or key_folder().state(force=True).keys.get(kid)
        if key is None:
            raise InvalidToken("The token was signed by an unknown key.")
        return VerificationKey(kid=kid, algorithm=ALGORITHM, key=key.private_key.public_key())
