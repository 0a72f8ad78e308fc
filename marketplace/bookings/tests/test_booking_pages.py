"""Booking pages: the service page's actions, booking form, 'My bookings', the provider's inbox, actions."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from carehub import clock
from marketplace import ledger
from marketplace.models import Booking
from marketplace.tests.booking_world import (
    BUDGET_PENCE,
    HOURLY_PENCE,
    drive,
    move_to_past,
    request_hours,
    tomorrow_at,
)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def book_form(world: Any, *, hour: int = 10, hours: int = 2) -> dict[str, Any]:
    start = tomorrow_at(hour)
    return {
        "person": world.cast.person.pk,
        "day": start.date().isoformat(),
        "starts_at": start.isoformat(),
        "hours": hours,
        "note": "<b>Door code</b> 1234",
        "idempotency_key": str(uuid.uuid4()),
    }


def test_service_page_shows_book_and_message_actions(world: Any) -> None:
    page = Client().get(reverse("directory:service-detail", args=[world.hourly.code]))
    assert reverse("marketplace:booking-new", args=[world.hourly.code]) in page.content.decode()
    assert reverse("marketplace:thread-start", args=[world.hourly.code]) in page.content.decode()
    visits = Client().get(reverse("directory:service-detail", args=[world.visits.code])).content.decode()
    assert ">Request</a>" in visits


def test_booking_new_lists_free_hours_and_the_cancellation_rule(world: Any) -> None:
    request_hours(world, hour=10, hours=1)
    url = reverse("marketplace:booking-new", args=[world.hourly.code])
    page = client_for(world.person_user).get(url, {"day": tomorrow_at(10).date().isoformat()})
    html = page.content.decode()
    assert page.status_code == 200
    assert "Free to cancel until 24 hours before it starts" in html
    assert f'value="{tomorrow_at(11).isoformat()}"' in html
    assert f'value="{tomorrow_at(10).isoformat()}"' not in html  # taken


def test_booking_new_books_and_redirects_to_the_booking(world: Any) -> None:
    url = reverse("marketplace:booking-new", args=[world.hourly.code])
    response = client_for(world.cast.carer).post(url, book_form(world))
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("marketplace:booking-detail", args=[booking.code])
    assert booking.requested_by == world.cast.carer
    assert ledger.account_budget_available(world.budget).balance_pence == BUDGET_PENCE - 2 * HOURLY_PENCE
    detail = client_for(world.person_user).get(response.url).content.decode()
    assert "&lt;b&gt;Door code&lt;/b&gt;" in detail  # plain text, escaped


def test_booking_new_slot_taken_shows_a_message_and_writes_nothing(world: Any) -> None:
    request_hours(world, hour=10, hours=2)
    url = reverse("marketplace:booking-new", args=[world.hourly.code])
    form = book_form(world, hour=11)
    form["starts_at"] = tomorrow_at(10).isoformat()  # was free when the page was shown
    response = client_for(world.person_user).post(url, form)
    assert response.status_code == 400
    assert "Choose a free start time" in response.content.decode()
    assert Booking.objects.count() == 1


def test_booking_new_refuses_a_carer_without_book_scope(world: Any) -> None:
    url = reverse("marketplace:booking-new", args=[world.hourly.code])
    response = client_for(world.cast.outsider).post(url, book_form(world))
    assert response.status_code == 400
    assert "Choose someone you may book for" in response.content.decode()
    assert not Booking.objects.exists()


def test_booking_pages_need_sign_in(world: Any) -> None:
    booking = request_hours(world)
    for url in (
        reverse("marketplace:booking-list"),
        reverse("marketplace:booking-inbox"),
        reverse("marketplace:booking-detail", args=[booking.code]),
        reverse("marketplace:booking-new", args=[world.hourly.code]),
    ):
        assert Client().get(url).status_code == 302


def test_booking_detail_is_404_for_everyone_else(world: Any) -> None:
    from accounts.tests import factories as af

    booking = request_hours(world)
    url = reverse("marketplace:booking-detail", args=[booking.code])
    other_member = af.make_provider_member(provider=world.cast.other_provider)
    for user in (world.cast.outsider, world.cast.other_person.user, other_member, world.cast.commissioner):
        assert client_for(user).get(url).status_code == 404
        action = reverse("marketplace:booking-action", args=[booking.code, "accept"])
        assert client_for(user).post(action, {"idempotency_key": "k"}).status_code == 404
    for user in (world.person_user, world.cast.carer, world.cast.provider_owner, world.cast.provider_staff):
        assert client_for(user).get(url).status_code == 200
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED


def test_provider_accepts_schedules_delivers_and_person_confirms_through_pages(world: Any) -> None:
    booking = request_hours(world)
    provider, person = client_for(world.cast.provider_owner), client_for(world.person_user)
    inbox = provider.get(reverse("marketplace:booking-inbox")).content.decode()
    assert "Requests to accept or decline" in inbox and world.hourly.name in inbox

    def act(client: Client, action: str, **data: str) -> Any:
        url = reverse("marketplace:booking-action", args=[booking.code, action])
        return client.post(url, {"idempotency_key": str(uuid.uuid4()), **data})

    assert act(person, "accept").status_code == 400  # the person cannot accept
    assert act(provider, "accept").status_code == 302
    assert act(provider, "schedule").status_code == 302
    move_to_past(booking)
    assert act(provider, "deliver").status_code == 302
    mine = person.get(reverse("marketplace:booking-list")).content.decode()
    assert "Needing your confirmation" in mine
    assert act(person, "confirm").status_code == 302
    again = act(person, "confirm")
    assert again.status_code == 400
    assert "already been completed" in again.content.decode()
    booking.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED


def test_decline_without_reason_shows_error(world: Any) -> None:
    booking = request_hours(world)
    url = reverse("marketplace:booking-action", args=[booking.code, "decline"])
    response = client_for(world.cast.provider_owner).post(url, {"idempotency_key": "k1", "reason": ""})
    assert response.status_code == 400
    assert "Give a reason" in response.content.decode()


@pytest.mark.parametrize("status", [Booking.Status.REQUESTED, Booking.Status.DELIVERED, Booking.Status.COMPLETED])
def test_my_bookings_groups(world: Any, status: str) -> None:
    drive(world, status)
    html = client_for(world.person_user).get(reverse("marketplace:booking-list")).content.decode()
    caption = {"requested": "Upcoming", "delivered": "Needing your confirmation", "completed": "Past"}[status]
    assert f'govuk-table__caption--m">{caption}</caption>' in html


def test_provider_schedules_a_one_off_with_a_date(world: Any) -> None:
    from marketplace.bookings import services as bookings
    from marketplace.tests.factories import key

    booking = bookings.booking_request(
        actor=world.person_user, service=world.visits, person=world.cast.person, quantity=1, idempotency_key=key()
    )
    bookings.booking_accept(actor=world.cast.provider_owner, booking=booking, idempotency_key=key())
    client = client_for(world.cast.provider_owner)
    url = reverse("marketplace:booking-action", args=[booking.code, "schedule"])
    assert (
        'type="datetime-local"'
        in client.get(reverse("marketplace:booking-detail", args=[booking.code])).content.decode()
    )
    missing = client.post(url, {"idempotency_key": str(uuid.uuid4())})
    assert missing.status_code == 400 and "Choose when the care will happen" in missing.content.decode()
    when = tomorrow_at(15)
    done = client.post(
        url, {"idempotency_key": str(uuid.uuid4()), "starts_at": f"{clock.local_time(when):%Y-%m-%dT%H:%M}"}
    )
    assert done.status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.starts_at) == (Booking.Status.SCHEDULED, when)


def test_booking_page_warns_of_the_late_cancellation_charge_it_then_takes(world: Any) -> None:
    booking = request_hours(world, days=2)  # 34 to 58 hours ahead, whatever the time of day: free to cancel for now
    url = reverse("marketplace:booking-detail", args=[booking.code])
    assert "too late to cancel free" not in client_for(world.person_user).get(url).content.decode()
    Booking.objects.filter(pk=booking.pk).update(free_cancellation_hours=72, late_cancellation_percent=50)
    assert "if you cancel, you pay £20.00" in client_for(world.person_user).get(url).content.decode()
    # The provider's side cancels free, so their page warns of nothing.
    assert "too late to cancel free" not in client_for(world.cast.provider_staff).get(url).content.decode()
    # What the page said is what cancelling costs: one computation (transitions.cancellation_charge_pence).
    cancel = reverse("marketplace:booking-action", args=[booking.code, "cancel"])
    assert client_for(world.cast.carer).post(cancel, {"idempotency_key": str(uuid.uuid4())}).status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.commitment.settled_pence) == (Booking.Status.CANCELLED, 2_000)
    assert ledger.account_budget_available(world.budget).balance_pence == BUDGET_PENCE - 2_000
