"""WSGI entry point of user_service (gunicorn user_service.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "user_service.settings.base")
application = get_wsgi_application()
