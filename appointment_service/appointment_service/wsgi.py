"""WSGI entry point of appointment_service (gunicorn appointment_service.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "appointment_service.settings.base")
application = get_wsgi_application()
