"""URLs of the portal."""

from django.urls import include, path

from portal.web import views

urlpatterns = [
    path("", include("common.health")),
    path("", views.home, name="home"),
]
