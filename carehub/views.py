from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

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
