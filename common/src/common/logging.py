"""JSON logging configuration shared by every service."""

from __future__ import annotations

from typing import Any


def logging_config(*, service: str, level: str = "INFO", json: bool = True) -> dict[str, Any]:
    """Return a ``LOGGING`` dict: one line per record, JSON, with the request id.

    ``json=False`` gives plain text lines for a developer's terminal.
    """
    fmt = "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s"
    formatter: dict[str, Any] = (
        {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": fmt,
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "static_fields": {"service": service},
        }
        if json
        else {
            "format": f"%(asctime)s {service} %(levelname)s [%(request_id)s] %(name)s: %(message)s"
        }
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": "common.request_id.RequestIdFilter"}},
        "formatters": {"default": formatter},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": "default",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Our own access line replaces Django's request logging.
            "django.server": {"level": "WARNING"},
            "django.request": {"level": "ERROR"},
        },
    }
