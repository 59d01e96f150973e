"""Portal pages."""

import pytest

pytestmark = pytest.mark.django_db


def test_home_page_links_the_api_docs(client, settings):
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert f"{settings.PUBLIC_SERVICE_URLS['auth']}/api/docs/" in response.content.decode()


def test_home_page_links_public_urls_not_internal_ones(client, settings):
    settings.PUBLIC_SERVICE_URLS = {
        "auth": "https://auth.clinic.example",
        "user": "https://users.clinic.example",
    }
    page = client.get("/").content.decode()
    assert "https://auth.clinic.example/api/docs/" in page
    assert settings.SERVICE_URLS["auth"] + "/api/docs/" not in page


def test_health(client):
    assert client.get("/healthz").json() == {"status": "ok", "service": "portal"}
    assert client.get("/readyz").status_code == 200
