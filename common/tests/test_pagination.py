"""Tests of common.pagination: ``{count, next, previous, results}``, capped page size."""

import pytest
from django.contrib.auth.models import Group
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator

from common.pagination import WindowCountPaginator


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


# WindowCountPaginator: the count read with the page


@pytest.fixture
def groups(db):
    Group.objects.bulk_create(Group(name=f"group {i:02}") for i in range(25))
    return Group.objects.filter(name__startswith="group ").order_by("name")


def _same_page(queryset, number, assert_num_queries, per_page=10):
    """Django's page and ours, alike; ours read in one query."""
    expected = Paginator(queryset, per_page).page(number)
    with assert_num_queries(1):
        page = WindowCountPaginator(queryset, per_page).page(number)
    assert page.paginator.count == expected.paginator.count
    assert page.paginator.num_pages == expected.paginator.num_pages
    assert [getattr(r, "pk", r) for r in page] == [getattr(r, "pk", r) for r in expected]
    assert (page.has_next(), page.has_previous()) == (expected.has_next(), expected.has_previous())
    return page


@pytest.mark.parametrize("number", [1, 2, 3, "3", 3.0])
def test_window_count_pages_are_django_pages_in_one_query(
    groups, django_assert_num_queries, number
):
    page = _same_page(groups, number, django_assert_num_queries)
    assert page.paginator.count == 25


def test_window_count_pages_of_values_rows(groups, django_assert_num_queries):
    rows = groups.values("name")
    with django_assert_num_queries(1):
        page = WindowCountPaginator(rows, 10).page(3)
    assert [row["name"] for row in page] == [f"group {i:02}" for i in range(20, 25)]
    assert page.paginator.count == 25


def test_an_empty_list_has_one_empty_page(db, django_assert_num_queries):
    page = _same_page(
        Group.objects.filter(name="none").order_by("name"), 1, django_assert_num_queries
    )
    assert page.paginator.count == 0


@pytest.mark.parametrize(
    ("number", "error"),
    [
        (4, EmptyPage),
        (99, EmptyPage),
        (0, EmptyPage),
        (-1, EmptyPage),
        ("x", PageNotAnInteger),
        # Far past any offset a database takes (found by the API fuzzer: a 500 on PostgreSQL).
        (2**63 // 10 + 1, EmptyPage),
        ("3693079286721478160952846020771840", EmptyPage),
    ],
)
def test_window_count_refuses_the_pages_django_refuses(groups, number, error):
    with pytest.raises(error) as expected:
        Paginator(groups, 10).page(number)
    with pytest.raises(error) as refused:
        WindowCountPaginator(groups, 10).page(number)
    assert str(refused.value) == str(expected.value)


def test_the_last_page_by_name_is_counted_first(groups):
    paginator = WindowCountPaginator(groups, 10)
    assert paginator.num_pages == 3
    assert [group.name for group in paginator.page(3)][-1] == "group 24"
