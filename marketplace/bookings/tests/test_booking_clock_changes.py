"""Hourly bookings on the nights the UK clocks change, and at the turn of the budget year.

A visit booked for N hours lasts N hours of elapsed time; the hours offered are the
hours a UK clock shows that night (01:00 is skipped in March and shown once in October);
each booking is paid from the budget of the UK date it starts on.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from carehub import clock
from directory.models import AvailabilityWindow, Service
from directory.tests import factories as df
from marketplace.bookings import services as bookings
from marketplace.bookings.availability import free_hours
from marketplace.tests.booking_world import HOURLY_PENCE
from marketplace.tests.factories import key, make_budget

FORWARD = date(2027, 3, 28)  # 01:00 GMT → 02:00 BST
BACK = date(2027, 10, 31)  # 02:00 BST → 01:00 GMT


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def night_service(world: Any) -> Service:
    """A night sitter, open 00:00–06:00 by the clock every day, and a funded budget for the
    person that covers the pinned date (the world's was made before the test moved the clock)."""
    make_budget(person=world.cast.person, funder=world.cast.council, allocated_pence=50_000)
    provider = world.cast.provider
    service = df.make_service(
        provider=provider, name="Night sitting", price_pence=HOURLY_PENCE, price_unit=Service.PriceUnit.HOUR
    )
    AvailabilityWindow.objects.bulk_create(
        AvailabilityWindow(service=service, weekday=day, starts_at=time(0), ends_at=time(6)) for day in range(7)
    )
    return service


def clock_faces(instants: list[datetime]) -> list[str]:
    return [clock.local_time(t).strftime("%H:%M %Z") for t in instants]


def book(world: Any, service: Service, starts_at: datetime, hours: int, person: Any = None) -> Any:
    person = person or world.cast.person
    return bookings.booking_request(
        actor=person.user,
        service=service,
        person=person,
        starts_at=starts_at,
        hours=hours,
        idempotency_key=key(),
    )


def test_free_hours_skip_the_hour_the_clocks_go_forward(world: Any, time_machine: Any) -> None:
    time_machine.move_to(utc(2027, 3, 27, 12))
    service = night_service(world)
    assert clock_faces(free_hours(service=service, day=FORWARD)) == [
        "00:00 GMT",  # ends at 02:00 BST, one hour later
        "02:00 BST",
        "03:00 BST",
        "04:00 BST",
        "05:00 BST",
    ]


def test_free_hours_show_the_repeated_hour_once_when_the_clocks_go_back(world: Any, time_machine: Any) -> None:
    time_machine.move_to(utc(2027, 10, 30, 12))
    service = night_service(world)
    assert clock_faces(free_hours(service=service, day=BACK)) == [
        "00:00 BST",
        "01:00 BST",  # ends at 01:00 GMT
        "02:00 GMT",
        "03:00 GMT",
        "04:00 GMT",
        "05:00 GMT",
    ]


@pytest.mark.parametrize(
    ("day", "start", "hours", "slots", "ends"),
    [
        (FORWARD, time(0), 1, ["00:00 GMT"], "02:00 BST"),
        (FORWARD, time(0), 3, ["00:00 GMT", "02:00 BST", "03:00 BST"], "04:00 BST"),
        (BACK, time(1), 1, ["01:00 BST"], "01:00 GMT"),
        (BACK, time(0), 3, ["00:00 BST", "01:00 BST", "01:00 GMT"], "02:00 GMT"),
    ],
)
def test_a_booking_on_a_clock_change_night_lasts_the_hours_paid_for(
    world: Any, time_machine: Any, day: date, start: time, hours: int, slots: list[str], ends: str
) -> None:
    time_machine.move_to(utc(day.year, day.month, day.day - 1, 12))
    service = night_service(world)
    # As the booking form and the API hand it over: an aware London time.
    starts_at = clock.local_time(clock.at_local(day, start))
    booking = book(world, service, starts_at, hours)
    booking.refresh_from_db()
    assert booking.ends_at - booking.starts_at == timedelta(hours=hours)
    assert clock_faces(list(booking.slots.order_by("starts_at").values_list("starts_at", flat=True))) == slots
    assert clock.local_time(booking.ends_at).strftime("%H:%M %Z") == ends
    assert booking.amount_pence == hours * HOURLY_PENCE


def test_two_bookings_either_side_of_the_repeated_hour_do_not_collide(world: Any, time_machine: Any) -> None:
    time_machine.move_to(utc(2027, 10, 30, 12))
    service = night_service(world)
    first = book(world, service, clock.at_local(BACK, time(0)), 2)  # 00:00 BST to 01:00 GMT
    second = book(world, service, utc(2027, 10, 31, 1), 1)  # 01:00 GMT, the second 01:00
    assert first.ends_at == second.starts_at


def test_a_booking_is_paid_from_the_budget_of_the_uk_date_it_starts(world: Any, time_machine: Any) -> None:
    time_machine.move_to(utc(2027, 3, 20, 12))
    service = night_service(world)
    person = world.cast.other_person  # with exactly these two budgets
    years = [(date(2026, 4, 1), date(2027, 3, 31)), (date(2027, 4, 1), date(2028, 3, 31))]
    this_year, next_year = (
        make_budget(person=person, funder=world.cast.council, allocated_pence=50_000, period_start=s, period_end=e)
        for s, e in years
    )
    # 00:00 BST on 1 April is 23:00 UTC on 31 March: the UK date, 1 April, decides.
    april = book(world, service, clock.at_local(date(2027, 4, 1), time(0)), 1, person=person)
    march = book(world, service, clock.at_local(date(2027, 3, 31), time(5)), 1, person=person)
    assert (april.budget, march.budget) == (next_year, this_year)
