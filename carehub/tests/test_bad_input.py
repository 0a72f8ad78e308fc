"""Bodies too large and of the wrong type: a clear 4xx, never a 500, nothing written
(issue 16, drill 6 runs the same against the whole stack)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.conf import settings
from django.test import Client

from accounts.tests import factories as af
from marketplace.models import Booking

BOOKINGS = "/api/v1/bookings/"


@pytest.fixture
def signed_in(client: Client, db: Any) -> Client:
    af.make_person(user=af.make_user(email="alex@example.com"))
    client.force_login(af.make_user(email="other@example.com"))
    return client


def test_api_body_over_the_upload_limit_is_a_413_in_json(signed_in: Client) -> None:
    body = json.dumps({"service": "x", "note": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE})
    response = signed_in.post(BOOKINGS, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert "5 MB" in response.json()["detail"]
    assert Booking.objects.count() == 0


def test_page_form_over_the_upload_limit_is_a_413_before_csrf_or_sign_in(db: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    body = "username=" + "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    response = client.post("/accounts/sign-in/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413
    assert "at most 5 MB" in response.content.decode()


def test_body_at_the_limit_is_left_to_the_view(signed_in: Client) -> None:
    body = json.dumps({"service": "x"}).ljust(settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    response = signed_in.post(BOOKINGS, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY="k2")
    assert response.status_code == 400
    assert "service" in response.json()


@pytest.mark.parametrize(
    ("content_type", "body", "status"),
    [
        ("text/plain", '{"service": "x"}', 415),
        ("application/xml", "<booking/>", 415),
        ("application/octet-stream", "\x00\x01", 415),
        ("multipart/form-data", "no boundary", 400),
        ("application/json", '{"service": ', 400),
        ("application/json", "[1, 2]", 400),
    ],
)
def test_api_wrong_or_malformed_content_type_is_a_clear_4xx(
    signed_in: Client, content_type: str, body: str, status: int
) -> None:
    response = signed_in.post(BOOKINGS, body, content_type=content_type, HTTP_IDEMPOTENCY_KEY="k3")
    assert response.status_code == status
    assert response.json()
    assert Booking.objects.count() == 0


def test_api_json_that_is_not_utf8_is_a_400(signed_in: Client) -> None:
    response = signed_in.post(
        BOOKINGS, b'{"service": "\xff\xfe"}', content_type="application/json", HTTP_IDEMPOTENCY_KEY="k4"
    )
    assert response.status_code == 400
    assert "detail" in response.json()
