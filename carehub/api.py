"""Shared API plumbing: pagination, input validation, the Idempotency-Key header and the one exception handler."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from carehub.errors import DomainError


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DomainError):
        body: dict[str, Any] = {"detail": exc.message, "code": exc.code}
        if exc.field:
            body[exc.field] = [exc.message]
        return Response(body, status=exc.status_code)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if response.status_code == status.HTTP_404_NOT_FOUND and isinstance(response.data, dict):
        response.data.setdefault("detail", "Not found.")
    return response


IDEMPOTENCY_HEADER = OpenApiParameter(
    name="Idempotency-Key",
    type=str,
    location=OpenApiParameter.HEADER,
    required=True,
    description="A unique key per intended operation (a UUID). Retrying with the same key returns the first result "
    "and moves no money; the same key with different parameters is refused with 422.",
)


def idempotency_key(request: Request) -> str:
    return request.headers.get("Idempotency-Key", "")


def validated(serializer_class: type[serializers.Serializer], data: Any) -> dict[str, Any]:
    """The input's validated data, or a 400 with field errors."""
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data
