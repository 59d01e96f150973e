"""schedule_service settings for a developer's machine: `make run`, and `manage.py` run beside it.

Files go where `make run` keeps them, in the repository's `.dev/` (which it creates).
"""

import os
from pathlib import Path

os.environ.setdefault("DJANGO_SECRET_KEY", "dev-only-insecure-key-schedule-service")

from common.conf import database_config, env_path  # noqa: E402

from .base import *  # noqa: E402
from .base import SERVICE_NAME  # noqa: E402

DEV_DIR = Path(__file__).resolve().parents[3] / ".dev"
DATABASES = database_config(default_sqlite=DEV_DIR / f"{SERVICE_NAME}.sqlite3")
STATIC_ROOT = env_path("STATIC_ROOT", default=DEV_DIR / "static" / SERVICE_NAME)
