"""The provider's cancellation rule is shown before booking and before cancelling, and copied onto
the booking when it is requested: a later change to the listing never applies to it."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from carehub import clock
from directory.portal.services import service_cancellation_rule_set
from marketplace import ledger
from marketplace.bookings import services as bookings
from marketplace.bookings import transitions
from marketplace.bookings.transitions import Side
from marketplace.models import Booking
from marketplace.tests.booking_world import BUDGET_PENCE, request_hours, tomorrow_at
from marketplace.tests.factories import key

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def set_rule(world: Any, hours: int, percent: int) -> None:
    service_cancellation_rule_set(
        actor=world.cast.provider_owner,
        service=world.hourly,
        free_cancellation_hours=hours,
        late_cancellation_percent=percent,
    )
    world.hourly.refresh_from_db()


def test_booking_page_shows_the_providers_rule_before_booking(world: Any) -> None:
    set_rule(world, 48, 50)
    page = client_for(world.person_user).get(reverse("marketplace:booking-new", args=[world.hourly.code]))
    assert "Free to cancel until 48 hours before it starts. If you cancel later, you pay 50% of the price." in (
        page.content.decode()
    )


def test_booking_copies_the_rule_and_a_later_change_never_applies_to_it(world: Any) -> None:
    set_rule(world, 48, 50)
    booking = request_hours(world, hour=10, hours=2)  # tomorrow, well inside 48 hours: cancelling now is late
    assert (booking.free_cancellation_hours, booking.late_cancellation_percent) == (48, 50)

    set_rule(world, 0, 0)  # the provider makes cancelling free for everyone, from now on
    newer = request_hours(world, hour=14, hours=1)

    booking.refresh_from_db()
    assert (booking.free_cancellation_hours, booking.late_cancellation_percent) == (48, 50)
    assert (newer.free_cancellation_hours, newer.late_cancellation_percent) == (0, 0)
    # The booking page shows the rule the booking was made under, and what cancelling costs by it.
    page = client_for(world.person_user).get(reverse("marketplace:booking-detail", args=[booking.code]))
    html = page.content.decode()
    assert "you pay 50% of the price" in html and "if you cancel, you pay £20.00" in html
    assert "You can cancel at any time at no cost" not in html
    # Cancelling charges by the copied rule: half of £40.
    assert transitions.cancellation_charge_pence(booking=booking, sides={Side.PERSON}, now=clock.now()) == 2_000
    bookings.booking_cancel(actor=world.person_user, booking=booking, reason="", idempotency_key=key())
    assert ledger.account_provider_payable(world.cast.provider.pk).balance_pence > 0  # the late charge was settled
    bookings.booking_cancel(actor=world.person_user, booking=newer, reason="", idempotency_key=key())
    spent = BUDGET_PENCE - ledger.account_budget_available(world.budget).balance_pence
    assert spent == 2_000  # the newer booking, under the free rule, cost nothing
    assert Booking.objects.filter(status=Booking.Status.CANCELLED).count() == 2


def test_booking_made_before_the_rule_existed_keeps_the_default(world: Any) -> None:
    booking = request_hours(world)
    assert (booking.free_cancellation_hours, booking.late_cancellation_percent) == (24, 100)
    assert booking.starts_at == tomorrow_at(10)
