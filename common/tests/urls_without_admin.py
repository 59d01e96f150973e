"""A URLconf without the admin, for the admin session middleware."""

from django.urls import include, path

urlpatterns = [path("", include("common.health"))]
