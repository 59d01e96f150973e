"""Tests of common.pagination: ``{count, next, previous, results}``, capped page size."""


def test_list_is_paginated_with_count_and_links(client):
    body = client.get("/numbers").json()

    assert body["count"] == 150
    assert len(body["results"]) == 20
    assert body["results"][0] == {"value": 0}
    assert body["previous"] is None
    assert body["next"].endswith("/numbers?page=2")


def test_page_size_can_be_chosen(client):
    body = client.get("/numbers", {"page": 2, "page_size": 10}).json()

    assert [r["value"] for r in body["results"]] == list(range(10, 20))
    assert body["previous"].endswith("page_size=10")


def test_page_size_is_capped_at_100(client):
    body = client.get("/numbers", {"page_size": 1000}).json()

    assert len(body["results"]) == 100


def test_page_past_the_end_is_404_problem(client):
    response = client.get("/numbers", {"page": 99})

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
