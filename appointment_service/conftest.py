"""Fixtures of appointment_service's tests; common.testing brings token clients."""

from __future__ import annotations

pytest_plugins = ["common.testing"]
