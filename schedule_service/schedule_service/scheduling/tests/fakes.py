"""Stand-ins of the scheduling tests: user_service at the clients.py boundary."""

from __future__ import annotations

import uuid

from schedule_service.scheduling import clients


class FakeUserService:
    """Stands in for user_service at the clients.py boundary.

    Every id is an approved doctor in ``default_timezone`` unless ``profiles``
    says otherwise (``None``: no profile); ``error`` is raised instead when set.
    """

    def __init__(self):
        self.default_timezone = "Europe/Berlin"
        self.default_approved = True
        self.profiles: dict[uuid.UUID, clients.DoctorProfile | None] = {}
        self.error: Exception | None = None
        self.calls: list[uuid.UUID] = []

    def doctor_get(self, *, doctor_id):
        self.calls.append(doctor_id)
        if self.error is not None:
            raise self.error
        if doctor_id in self.profiles:
            return self.profiles[doctor_id]
        return clients.DoctorProfile(
            role="doctor", timezone=self.default_timezone, approved=self.default_approved
        )
