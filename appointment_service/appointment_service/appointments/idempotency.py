"""Idempotent booking: the first answer to an ``Idempotency-Key`` is stored and replayed.

Used by the API layer (and the front desk) around ``booking.appointment_book``.
A key is claimed by inserting its row (the unique constraint elects one
request per patient and key); the answer (201, or a 4xx problem) is stored on
it and returned to every retry with the same body. Nothing waits: while the
first request runs, a duplicate is refused at once with
``IdempotencyInProgress`` (409 and ``Retry-After``), as Stripe does.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import Q

from appointment_service.appointments import booking, selectors
from appointment_service.appointments.exceptions import (
    IdempotencyInProgress,
    IdempotencyKeyReused,
)
from appointment_service.appointments.models import ActorRole, Appointment, IdempotencyKey
from appointment_service.appointments.serializers import appointment_output
from common.errors import Problem, problem_body

IDEMPOTENCY_KEY_TTL = timedelta(hours=24)
# A key without an answer this old belongs to a request that died.
IDEMPOTENCY_IN_FLIGHT_TTL = timedelta(minutes=2)


@dataclass(frozen=True)
class Answer:
    """The HTTP answer of a booking: 201 and the appointment, or a problem; ``replayed`` when
    it is the stored answer of an earlier request with the same key."""

    status: int
    body: dict[str, Any]
    replayed: bool = False


def request_hash(
    *, slot_id: uuid.UUID, reason: str, actor_role: str = ActorRole.PATIENT, override: bool = False
) -> str:
    """The fingerprint of a booking's body: a key sent again with another body is refused."""
    body: dict[str, Any] = {"reason": reason, "slot_id": str(slot_id)}
    if actor_role != ActorRole.PATIENT:  # a patient's hashes stay as they were
        body |= {"actor_role": actor_role, "override": override}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _insert(*, patient_id: uuid.UUID, key: str, request_hash: str) -> IdempotencyKey | None:
    """The new row of the key (this request runs), or None when the key is taken."""
    try:
        with transaction.atomic():
            return IdempotencyKey.objects.create(
                patient_id=patient_id, key=key, request_hash=request_hash
            )
    except IntegrityError:
        return None


def claim(*, patient_id: uuid.UUID, key: str, request_hash: str) -> IdempotencyKey | Answer:
    """Claim the key for this request, or return the answer stored for it (a replay).

    Raises ``IdempotencyKeyReused`` (422) when the key came with another body,
    and ``IdempotencyInProgress`` (409) while the first request has no answer yet.
    """
    for _attempt in range(2):  # a second try when the first request let go meanwhile
        row = _insert(patient_id=patient_id, key=key, request_hash=request_hash)
        if row is not None:
            return row
        stored = selectors.idempotency_key_find(patient_id=patient_id, key=key)
        if stored is None:
            continue
        if stored.request_hash != request_hash:
            raise IdempotencyKeyReused()
        if stored.response_status is None:
            raise IdempotencyInProgress()
        # ``store`` writes the status and its body together.
        body = cast(dict[str, Any], stored.response_body)
        return Answer(status=stored.response_status, body=body, replayed=True)
    raise IdempotencyInProgress()


def store(
    claimed: IdempotencyKey,
    *,
    status: int,
    body: dict[str, Any],
    appointment: Appointment | None = None,
) -> None:
    """Keep the answer of the request that claimed the key, for its retries."""
    IdempotencyKey.objects.filter(pk=claimed.pk).update(
        response_status=status, response_body=body, appointment=appointment
    )


def release(claimed: IdempotencyKey) -> None:
    """Let go of the key (no answer worth keeping): a retry runs again."""
    IdempotencyKey.objects.filter(pk=claimed.pk).delete()


def book_once(
    *,
    patient_id: uuid.UUID,
    slot_id: uuid.UUID,
    reason: str,
    idempotency_key: str | None,
    actor_id: uuid.UUID | None = None,
    actor_role: str = ActorRole.PATIENT,
    override: bool = False,
) -> Answer:
    """Book as ``booking.appointment_book`` does, answering each retry of a key as the first.

    Without a key every request books. With one, the first answer (201, or a
    4xx problem, which is raised as well) is stored; a 503 or an unexpected
    error stores nothing, so that a retry runs again. A retry is not counted
    against the patient's limits again.
    """
    booking_kwargs: dict[str, Any] = {
        "patient_id": patient_id,
        "slot_id": slot_id,
        "reason": reason,
        "actor_id": actor_id,
        "actor_role": actor_role,
        "override": override,
    }
    if not idempotency_key:
        return Answer(
            status=201, body=appointment_output(booking.appointment_book(**booking_kwargs))
        )
    claimed = claim(
        patient_id=patient_id,
        key=idempotency_key,
        request_hash=request_hash(
            slot_id=slot_id, reason=reason, actor_role=actor_role, override=override
        ),
    )
    if isinstance(claimed, Answer):
        return claimed
    try:
        appointment = booking.appointment_book(**booking_kwargs)
    except Problem as exc:
        if exc.status_code >= 500:
            release(claimed)
        else:
            store(claimed, status=exc.status_code, body=_problem(exc))
        raise
    except BaseException:
        release(claimed)
        raise
    body = appointment_output(appointment)
    store(claimed, status=201, body=body, appointment=appointment)
    return Answer(status=201, body=body)


def _problem(exc: Problem) -> dict[str, Any]:
    """The problem details body the API answered ``exc`` with."""
    return problem_body(
        exc.status_code, code=exc.code, title=exc.title, detail=str(exc.detail), extra=exc.extra
    )


def keys_purge(*, now: datetime) -> int:
    """Delete keys older than 24 h, and keys without an answer for minutes (their request died)."""
    purged, _ = IdempotencyKey.objects.filter(
        Q(created_at__lt=now - IDEMPOTENCY_KEY_TTL)
        | Q(response_status__isnull=True, created_at__lt=now - IDEMPOTENCY_IN_FLIGHT_TTL)
    ).delete()
    return purged
