"""Every booking, message and notification page and endpoint refuses a signed-out visitor."""

from __future__ import annotations

import uuid
from typing import Any

from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from marketplace.messaging.tests.test_messaging import enquiry
from marketplace.models import Booking
from marketplace.tests.booking_world import request_hours


def test_signed_out_visitors_are_refused_everywhere(world: Any) -> None:
    booking = request_hours(world)
    thread = enquiry(world)
    service = world.hourly.code
    pages = [
        ("marketplace:booking-list", []),
        ("marketplace:booking-inbox", []),
        ("marketplace:booking-new", [service]),
        ("marketplace:plan-new", [service]),
        ("marketplace:booking-detail", [booking.code]),
        ("marketplace:booking-thread", [booking.code]),
        ("marketplace:thread-list", []),
        ("marketplace:thread-start", [service]),
        ("marketplace:thread-detail", [thread.code]),
        ("marketplace:notification-list", []),
    ]
    for name, args in pages:
        response = Client().get(reverse(name, args=args))
        assert response.status_code == 302 and "/accounts/sign-in/" in response.url, name
    assert Client().post(reverse("marketplace:booking-action", args=[booking.code, "accept"])).status_code == 302
    endpoints = [
        ("get", "marketplace-api:booking-list", []),
        ("post", "marketplace-api:booking-list", []),
        ("get", "marketplace-api:booking-detail", [booking.code]),
        *[("post", f"marketplace-api:booking-{a}", [booking.code]) for a in ("accept", "decline", "confirm", "cancel")],
        ("get", "marketplace-api:service-free-hours", [service]),
        ("get", "marketplace-api:plan-list", []),
        ("post", "marketplace-api:plan-list", []),
        ("get", "marketplace-api:thread-list", []),
        ("post", "marketplace-api:thread-list", []),
        ("get", "marketplace-api:thread-detail", [thread.code]),
        ("post", "marketplace-api:thread-detail", [thread.code]),
        ("get", "marketplace-api:notification-list", []),
        ("post", "marketplace-api:notification-list", []),
    ]
    for method, name, args in endpoints:
        response = getattr(APIClient(), method)(reverse(name, args=args), HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
        assert response.status_code == 401, name
        assert response["WWW-Authenticate"] == 'Bearer realm="api"', name
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED
