"""Page-number pagination: ``{count, next, previous, results}``, at most 100 a page."""

from collections.abc import Callable, Iterable
from typing import Any

from django.core.paginator import EmptyPage, Page, PageNotAnInteger, Paginator
from django.db.models import Count, QuerySet, Window
from rest_framework import pagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

# The annotation that carries the total beside each row of a page.
WINDOW_TOTAL = "window_total_"
# The largest OFFSET a page may start at: a signed 64-bit integer, less a page.
MAX_OFFSET = 2**63 - 1 - 1000


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


class WindowCountPaginator(Paginator):
    """A paginator that reads the total with the page: ``COUNT(*) OVER ()`` (one query, not two).

    ``object_list`` is a queryset (of models or of ``values()`` dicts). Each
    row of a page carries the count of the whole list; a page past the end
    has no row to carry it, so only then is it counted on its own, to refuse
    that page as Django's paginator does. Answers and refusals are the same
    as ``Paginator``'s (orphans are not supported).
    """

    def page(self, number: Any) -> Page:
        if "count" in self.__dict__:  # counted already (the last page was asked for)
            return super().page(number)
        number = _page_number_at_least_one(self, number)
        bottom = (number - 1) * self.per_page
        if bottom > MAX_OFFSET:
            # Past the end of any list, and an OFFSET no database takes (PostgreSQL's is a
            # bigint, SQLite's a 64-bit integer): refused before the query, as Django would.
            raise EmptyPage(self.error_messages["no_results"])
        queryset: QuerySet = self.object_list  # type: ignore[assignment]  # see the docstring
        rows = list(
            queryset.annotate(**{WINDOW_TOTAL: Window(Count("pk"))})[
                bottom : bottom + self.per_page
            ]
        )
        if rows:
            first = rows[0]
            total = first[WINDOW_TOTAL] if isinstance(first, dict) else getattr(first, WINDOW_TOTAL)
        else:
            total = 0 if bottom == 0 else queryset.count()
        self.__dict__["count"] = total  # ``count`` is a cached property
        return self._get_page(rows, self.validate_number(number), self)  # type: ignore[attr-defined]


def _page_number_at_least_one(paginator: Paginator, number: Any) -> int:
    """Django's checks of a page number that need no count: a whole number, 1 or more."""
    try:
        if isinstance(number, float) and not number.is_integer():
            raise ValueError
        number = int(number)
    except (TypeError, ValueError):
        raise PageNotAnInteger(paginator.error_messages["invalid_page"]) from None
    if number < 1:
        raise EmptyPage(paginator.error_messages["min_page"])
    return number


class WindowCountPagination(PageNumberPagination):
    """``PageNumberPagination`` that counts in the page's own query (``WindowCountPaginator``)."""

    django_paginator_class = WindowCountPaginator


def paginated_response(
    view: APIView, request: Request, items: Any, serializer_class: Any, **serializer_kwargs: Any
) -> Response:
    """Answer one page of ``items`` (a queryset or a list) with ``view.pagination_class``."""
    paginator = view.pagination_class()  # type: ignore[attr-defined]  # each paginated view sets it
    page = paginator.paginate_queryset(items, request, view=view)
    data = serializer_class(page, many=True, **serializer_kwargs).data
    return paginator.get_paginated_response(data)


def paginated_rows(
    view: APIView, request: Request, rows: Any, to_dict: Callable[[Any], dict]
) -> Response:
    """Answer one page of ``rows`` (a queryset, often of ``values()`` dicts, or a list).

    Each row of the page is shown as ``to_dict(row)``.

    For lists where a serializer costs more than the query: ``to_dict`` must
    give exactly what the endpoint's output serializer would.
    """
    paginator = view.pagination_class()  # type: ignore[attr-defined]  # each paginated view sets it
    page: Iterable[Any] = paginator.paginate_queryset(rows, request, view=view) or []
    return paginator.get_paginated_response([to_dict(row) for row in page])
