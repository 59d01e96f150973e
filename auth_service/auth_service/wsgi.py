"""WSGI entry point of auth_service (gunicorn auth_service.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "auth_service.settings.base")
application = get_wsgi_application()
