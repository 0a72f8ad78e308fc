"""Bookings API: request, transitions, refusals with their status codes, and who may see what."""

from __future__ import annotations

import uuid
from typing import Any

from django.urls import reverse
from rest_framework.test import APIClient

from accounts.tests import factories as af
from marketplace import ledger
from marketplace.models import Booking
from marketplace.tests.booking_world import BUDGET_PENCE, HOURLY_PENCE, move_to_past, request_hours, tomorrow_at


def api(user: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def post(client: APIClient, url: str, data: dict | None = None, key: str | None = None) -> Any:
    return client.post(url, data or {}, format="json", HTTP_IDEMPOTENCY_KEY=key or str(uuid.uuid4()))


def request_body(world: Any, hour: int = 10, hours: int = 2) -> dict:
    return {
        "service": str(world.hourly.code),
        "person": str(world.cast.person.code),
        "starts_at": tomorrow_at(hour).isoformat(),
        "hours": hours,
    }


def test_booking_api_request_and_full_journey(world: Any) -> None:
    person, provider = api(world.person_user), api(world.cast.provider_owner)
    response = post(person, reverse("marketplace-api:booking-list"), request_body(world))
    assert response.status_code == 201, response.json()
    code = response.json()["code"]
    assert response.json()["amount_pence"] == 2 * HOURLY_PENCE
    for action in ("accept", "schedule"):
        assert post(provider, reverse(f"marketplace-api:booking-{action}", args=[code])).status_code == 200
    move_to_past(Booking.objects.get(code=code))
    assert post(provider, reverse("marketplace-api:booking-deliver", args=[code])).status_code == 200
    confirmed = post(person, reverse("marketplace-api:booking-confirm", args=[code]))
    assert confirmed.json()["status"] == "completed"
    twice = post(person, reverse("marketplace-api:booking-confirm", args=[code]))
    assert twice.status_code == 409
    assert "already been completed" in twice.json()["detail"]


def test_booking_api_refusals(world: Any) -> None:
    person = api(world.person_user)
    url = reverse("marketplace-api:booking-list")
    request_hours(world, hour=10, hours=2)
    taken = post(person, url, request_body(world, hour=11))
    assert (taken.status_code, taken.json()["code"]) == (409, "slot_taken")
    past = post(person, url, {**request_body(world), "starts_at": tomorrow_at(10, days=-2).isoformat()})
    assert past.status_code == 400 and "passed" in past.json()["detail"]
    outside = post(person, url, request_body(world, hour=5))
    assert outside.status_code == 400 and "not available" in outside.json()["detail"]
    beyond = post(
        person, url, {**request_body(world, hour=8, hours=12), "starts_at": tomorrow_at(8, days=5).isoformat()}
    )
    assert beyond.status_code == 201
    beyond = post(
        person, url, {**request_body(world, hour=8, hours=12), "starts_at": tomorrow_at(8, days=6).isoformat()}
    )
    assert beyond.status_code == 409 and "not enough" in beyond.json()["detail"]
    no_scope = af.make_user()
    af.make_carer_link(carer=no_scope, person=world.cast.person, can_book=False)
    assert post(api(no_scope), url, request_body(world, hour=15)).status_code == 403
    no_key = api(world.person_user).post(url, request_body(world, hour=16), format="json")
    assert no_key.status_code == 400 and no_key.json()["code"] == "idempotency_key_missing"
    assert Booking.objects.count() == 2
    spent = 2 * HOURLY_PENCE + 12 * HOURLY_PENCE
    assert ledger.account_budget_available(world.budget).balance_pence == BUDGET_PENCE - spent


def test_booking_api_other_provider_cannot_accept_or_see(world: Any) -> None:
    booking = request_hours(world)
    other = api(af.make_provider_member(provider=world.cast.other_provider))
    assert post(other, reverse("marketplace-api:booking-accept", args=[booking.code])).status_code == 404
    assert other.get(reverse("marketplace-api:booking-detail", args=[booking.code])).status_code == 404
    assert other.get(reverse("marketplace-api:booking-list")).json()["count"] == 0
    # The person may see it but not accept it.
    assert (
        post(api(world.person_user), reverse("marketplace-api:booking-accept", args=[booking.code])).status_code == 403
    )
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED


def test_booking_api_list_is_scoped(world: Any) -> None:
    request_hours(world)
    for user, count in [
        (world.person_user, 1),
        (world.cast.carer, 1),
        (world.cast.provider_staff, 1),
        (world.cast.outsider, 0),
        (world.cast.other_person.user, 0),
    ]:
        assert api(user).get(reverse("marketplace-api:booking-list")).json()["count"] == count
    assert APIClient().get(reverse("marketplace-api:booking-list")).status_code in (401, 403)


def test_free_hours_api(world: Any) -> None:
    request_hours(world, hour=10, hours=1)
    url = reverse("marketplace-api:service-free-hours", args=[world.hourly.code])
    free = api(world.person_user).get(url, {"day": tomorrow_at(10).date().isoformat()}).json()["free"]
    assert len(free) == 11  # 08:00–20:00 less the 10:00 hour
    assert api(world.person_user).get(url, {"day": "not-a-day"}).status_code == 400
