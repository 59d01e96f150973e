"""Pages of the portal."""

from django.conf import settings
from django.shortcuts import render


def home(request):
    """The landing page: what the clinic offers and where its APIs live."""
    return render(request, "portal/home.html", {"service_urls": settings.PUBLIC_SERVICE_URLS})
