"""Portal pages."""

import pytest

pytestmark = pytest.mark.django_db


def test_home_page_links_the_api_docs(client, settings):
    response = client.get("/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert f"{settings.SERVICE_URLS['auth']}/api/docs/" in response.content.decode()


def test_health(client):
    assert client.get("/healthz").json() == {"status": "ok", "service": "portal"}
    assert client.get("/readyz").status_code == 200
