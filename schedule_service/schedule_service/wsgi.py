"""WSGI entry point of schedule_service (gunicorn schedule_service.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "schedule_service.settings.base")
application = get_wsgi_application()
