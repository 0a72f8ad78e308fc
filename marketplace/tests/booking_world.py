"""A booking world: the cast, a funded budget and an hourly service open every day 08:00–20:00."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

import pytest
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from directory.models import AvailabilityWindow, Service
from directory.tests import factories as df
from marketplace.bookings import services as bookings
from marketplace.bookings.availability import local_hour
from marketplace.models import Booking, BookingSlot, Budget
from marketplace.tests.factories import key, make_budget

BUDGET_PENCE = 50_000  # £500
HOURLY_PENCE = 2_000  # £20 an hour


@dataclass
class World:
    cast: Any
    budget: Budget
    hourly: Service
    visits: Service  # priced per visit: booked as a quantity

    @property
    def person_user(self) -> User:
        return self.cast.person.user


def make_hourly_service(provider: Any, **overrides: Any) -> Service:
    service = df.make_service(
        provider=provider, price_pence=HOURLY_PENCE, price_unit=Service.PriceUnit.HOUR, **overrides
    )
    AvailabilityWindow.objects.bulk_create(
        AvailabilityWindow(service=service, weekday=day, starts_at=time(8), ends_at=time(20)) for day in range(7)
    )
    return service


@pytest.fixture
def world(cast: Any) -> World:
    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=BUDGET_PENCE)
    hourly = make_hourly_service(cast.provider, name="Personal assistant hours")
    visits = df.make_service(
        provider=cast.provider, name="Day centre visit", price_pence=4_500, price_unit=Service.PriceUnit.VISIT
    )
    return World(cast=cast, budget=budget, hourly=hourly, visits=visits)


def tomorrow_at(hour: int, days: int = 1) -> datetime:
    return local_hour(timezone.localdate() + timedelta(days=days), hour)


def request_hours(world: World, *, actor: User | None = None, hour: int = 10, hours: int = 2, days: int = 1) -> Booking:
    return bookings.booking_request(
        actor=actor or world.person_user,
        service=world.hourly,
        person=world.cast.person,
        starts_at=tomorrow_at(hour, days),
        hours=hours,
        idempotency_key=key(),
    )


def move_to_past(booking: Booking, *, days: int = 1) -> None:
    """Tests only: pretend the booked time has come (the services refuse to book the past)."""
    # Shift in the database, by elapsed time, so booking and slots move together across a clock change.
    shift = timedelta(days=days + 2)
    Booking.objects.filter(pk=booking.pk).update(starts_at=F("starts_at") - shift, ends_at=F("ends_at") - shift)
    BookingSlot.objects.filter(booking=booking).update(starts_at=F("starts_at") - shift)
    booking.refresh_from_db()


def drive(world: World, status: str, *, hour: int = 10) -> Booking:
    """A booking brought to `status` through the services."""
    provider, person = world.cast.provider_owner, world.person_user
    booking = request_hours(world, hour=hour)
    if status == Booking.Status.REQUESTED:
        return booking
    if status == Booking.Status.DECLINED:
        return bookings.booking_decline(actor=provider, booking=booking, reason="Fully booked", idempotency_key=key())
    booking = bookings.booking_accept(actor=provider, booking=booking, idempotency_key=key())
    if status == Booking.Status.ACCEPTED:
        return booking
    if status == Booking.Status.CANCELLED:
        return bookings.booking_cancel(actor=provider, booking=booking, reason="", idempotency_key=key())
    booking = bookings.booking_schedule(actor=provider, booking=booking, idempotency_key=key())
    if status == Booking.Status.SCHEDULED:
        return booking
    move_to_past(booking)
    booking = bookings.booking_deliver(actor=provider, booking=booking, idempotency_key=key())
    if status == Booking.Status.DELIVERED:
        return booking
    if status == Booking.Status.DISPUTED:
        return bookings.booking_dispute(actor=person, booking=booking, reason="Nobody came", idempotency_key=key())
    return bookings.booking_confirm(actor=person, booking=booking, idempotency_key=key())
