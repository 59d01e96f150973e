"""Page-number pagination: ``{count, next, previous, results}``, at most 100 a page."""

from typing import Any

from rest_framework import pagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class PageNumberPagination(pagination.PageNumberPagination):
    page_size_query_param = "page_size"
    max_page_size = 100


def paginated_response(
    view: APIView, request: Request, items: Any, serializer_class: Any, **serializer_kwargs: Any
) -> Response:
    """Answer one page of ``items`` (a queryset or a list) with ``view.pagination_class``."""
    paginator = view.pagination_class()  # type: ignore[attr-defined]  # each paginated view sets it
    page = paginator.paginate_queryset(items, request, view=view)
    data = serializer_class(page, many=True, **serializer_kwargs).data
    return paginator.get_paginated_response(data)
