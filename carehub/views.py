from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import postcode_for_search

logger = logging.getLogger(__name__)


def home(request: HttpRequest) -> HttpResponse:
    # "Find care" starts from the signed-in person's postcode (issue 18); a ?postcode= wins.
    postcode = request.GET.get("postcode") or postcode_for_search(user=request.user)
    return render(request, "home.html", {"postcode": postcode})


def _check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # any failure means "not reachable"
        logger.exception("healthz: database check failed")
        return False


def _check_redis() -> bool:
    import redis

    try:
        client = redis.Redis.from_url(settings.REDIS_URL, socket_connect_timeout=2, socket_timeout=2)
        return bool(client.ping())
    except Exception:  # any failure means "not reachable"
        logger.exception("healthz: redis check failed")
        return False


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness for load balancers: 200 when every configured
    dependency answers, 503 otherwise."""
    checks = {"database": _check_database()}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis()
    healthy = all(checks.values())
    body = {
        "status": "ok" if healthy else "unavailable",
        "checks": {k: "ok" if v else "down" for k, v in checks.items()},
    }
    return JsonResponse(body, status=200 if healthy else 503)


def ping(request: HttpRequest) -> JsonResponse:
    """The cheapest JSON answer the app can give: the floor for benchmarks."""
    return JsonResponse({"status": "ok"})


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    # Rendered without a request context: the error may come from a context processor.
    return render(None, "500.html", status=500)  # type: ignore[arg-type]


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "403.html", status=403)


# The API's front door: what a developer finds at /api/v1/ (issue 18). Plain names to
# reverse(), so this module still imports no app.
API_RESOURCES = {
    "services": ("directory-api:service-search", "Search care services near a postcode (open to everyone)"),
    "reviews": ("reviews-api:review-list", "Published reviews of a service or provider (open to everyone)"),
    "bookings": ("marketplace-api:booking-list", "Bookings you made, help with, or provide"),
    "recurring_plans": ("marketplace-api:plan-list", "Regular visits"),
    "budgets": ("marketplace-api:budget-list", "Personal budgets you hold or help manage"),
    "threads": ("marketplace-api:thread-list", "Conversations with providers"),
    "notifications": ("marketplace-api:notification-list", "Your notifications inbox"),
    "portal_services": ("directory-api:portal-service-list", "Listings of the providers you belong to"),
    "open_referral_uk": ("oruk:root", "The directory as an Open Referral UK 3.0 feed"),
}


class ApiIndexApi(APIView):
    """The API's index: its main resources and where its schema and documentation are."""

    permission_classes = [AllowAny]

    @extend_schema(
        summary="Index of the API",
        responses={
            200: inline_serializer(
                "ApiIndex",
                {
                    "name": serializers.CharField(),
                    "version": serializers.CharField(),
                    "schema": serializers.URLField(),
                    "docs": serializers.URLField(),
                    "authentication": serializers.CharField(),
                    "resources": serializers.DictField(child=serializers.DictField(child=serializers.CharField())),
                },
            )
        },
    )
    def get(self, request: Request) -> Response:
        def url(name: str) -> str:
            return request.build_absolute_uri(reverse(name))

        return Response(
            {
                "name": "CareHub API",
                "version": "v1",
                "schema": url("api-schema"),
                "docs": url("api-docs"),
                "authentication": "Send a personal access token, made on your account page at "
                f"{url('accounts:api-tokens')}, as 'Authorization: Bearer <token>'. "
                "Read-only tokens may only use GET, HEAD and OPTIONS.",
                "resources": {
                    key: {"url": url(name), "description": description}
                    for key, (name, description) in API_RESOURCES.items()
                },
            }
        )
