"""/healthz: 200 when every configured dependency answers, 503 otherwise."""

from __future__ import annotations

import os

import pytest
from django.db import OperationalError, connection
from django.test import override_settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

UNREACHABLE_REDIS = "redis://127.0.0.1:1/0"  # port 1: nothing listens, the connection is refused at once


@override_settings(REDIS_URL="")
def test_healthz_is_200_when_the_database_answers(client) -> None:
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok"}}
    # Load balancers must see the live state, never a cached answer.
    assert "no-cache" in response["Cache-Control"]


@override_settings(REDIS_URL="")
def test_healthz_is_503_when_the_database_check_fails(client, monkeypatch) -> None:
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "down"}}


@override_settings(REDIS_URL=UNREACHABLE_REDIS)
def test_healthz_is_503_when_redis_is_configured_but_unreachable(client) -> None:
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "checks": {"database": "ok", "redis": "down"}}


@pytest.mark.redis
def test_healthz_reports_redis_when_it_answers(client) -> None:
    with override_settings(REDIS_URL=os.environ["REDIS_URL"]):
        response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}
