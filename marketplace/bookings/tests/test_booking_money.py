"""Money through a booking's life: settle with the fee, late cancellation, auto-completion, disputes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from accounts.tests import factories as af
from carehub.errors import Conflict, NotPermitted
from marketplace import ledger
from marketplace.bookings import services as bookings
from marketplace.models import Booking, Commitment
from marketplace.tests.booking_world import BUDGET_PENCE, HOURLY_PENCE, drive, request_hours
from marketplace.tests.factories import key


def balances(world: Any) -> tuple[int, int, int, int]:
    return (
        ledger.account_budget_available(world.budget).balance_pence,
        ledger.account_budget_committed(world.budget).balance_pence,
        ledger.account_provider_payable(world.cast.provider.pk).balance_pence,
        ledger.account_platform_fees().balance_pence,
    )


@override_settings(CAREHUB_PLATFORM_FEE_PERCENT="5")
def test_booking_worked_example_request_to_completion(world: Any) -> None:
    amount = 2 * HOURLY_PENCE  # £40
    request_hours(world, hour=14, hours=2)
    assert balances(world) == (BUDGET_PENCE - amount, amount, 0, 0)
    booking = drive(world, Booking.Status.COMPLETED)  # a second booking, driven all the way
    assert booking.status == Booking.Status.COMPLETED
    # One booking still held, one paid: £38 to the provider, £2 fee, nothing extra from the person.
    assert balances(world) == (BUDGET_PENCE - 2 * amount, amount, amount - 200, 200)
    assert booking.commitment.status == Commitment.Status.SETTLED
    call_command("check_ledger")


def test_booking_cancel_by_person_is_free_until_24_hours_before(world: Any) -> None:
    booking = request_hours(world, days=3)
    bookings.booking_cancel(actor=world.person_user, booking=booking, reason="Plans changed", idempotency_key=key())
    assert balances(world) == (BUDGET_PENCE, 0, 0, 0)
    assert booking.slots.filter(active=True).count() == 0


def test_booking_cancel_late_rule_is_applied(world: Any) -> None:
    # Whatever the time of day: a rule of "free until 72 hours before" makes tomorrow's booking late.
    booking = request_hours(world)
    Booking.objects.filter(pk=booking.pk).update(free_cancellation_hours=72, late_cancellation_percent=50)
    booking.refresh_from_db()
    bookings.booking_cancel(actor=world.person_user, booking=booking, reason="", idempotency_key=key())
    booking.refresh_from_db()
    half = booking.amount_pence // 2
    assert balances(world)[:2] == (BUDGET_PENCE - half, 0)
    assert booking.commitment.settled_pence == half
    assert booking.slots.filter(active=True).count() == 0


def test_booking_cancel_by_provider_is_always_free(world: Any) -> None:
    booking = request_hours(world)
    Booking.objects.filter(pk=booking.pk).update(free_cancellation_hours=72)
    booking.refresh_from_db()
    bookings.booking_cancel(actor=world.cast.provider_staff, booking=booking, reason="Staff ill", idempotency_key=key())
    assert balances(world) == (BUDGET_PENCE, 0, 0, 0)


def test_booking_auto_completes_7_days_after_delivery(world: Any) -> None:
    booking = drive(world, Booking.Status.DELIVERED)
    assert bookings.booking_auto_complete_due() == 0
    later = timezone.now() + timedelta(days=7, minutes=1)
    assert bookings.booking_auto_complete_due(now=later) == 1
    booking.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED
    assert booking.events.last().actor.email == "system@carehub.invalid"
    assert balances(world)[1] == 0
    assert bookings.booking_auto_complete_due(now=later) == 0
    call_command("check_ledger")


def test_booking_disputed_is_not_auto_completed_and_staff_resolve_it(world: Any) -> None:
    booking = drive(world, Booking.Status.DISPUTED)
    assert bookings.booking_auto_complete_due(now=timezone.now() + timedelta(days=30)) == 0
    assert list(bookings.booking_disputes_open()) == [booking]
    with pytest.raises(NotPermitted):
        bookings.booking_resolve_dispute(
            actor=world.person_user, booking=booking, pay_pence=0, reason="x", idempotency_key=key()
        )
    staff = af.make_user(is_staff=True, is_superuser=True)
    half = booking.amount_pence // 2
    bookings.booking_resolve_dispute(
        actor=staff, booking=booking, pay_pence=half, reason="Half the visit happened.", idempotency_key=key()
    )
    booking.refresh_from_db()
    assert booking.status == Booking.Status.COMPLETED
    assert balances(world)[:2] == (BUDGET_PENCE - half, 0)
    with pytest.raises(Conflict):
        bookings.booking_resolve_dispute(actor=staff, booking=booking, pay_pence=0, reason="x", idempotency_key=key())
    call_command("check_ledger")


def test_booking_beat_entries_name_registered_tasks() -> None:
    from django.conf import settings

    from carehub.celery import app

    app.loader.import_default_modules()
    for name in ("accounts-notifications-redispatch", "marketplace-bookings-auto-complete"):
        assert settings.CELERY_BEAT_SCHEDULE[name]["task"] in app.tasks


def test_admin_dispute_queue_resolves_through_the_service(world: Any) -> None:
    from django.test import Client
    from django.urls import reverse

    booking = drive(world, Booking.Status.DISPUTED)
    staff = af.make_user(is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    changelist = reverse("admin:marketplace_booking_changelist")
    assert str(booking.code) in client.get(changelist, {"status__exact": "disputed"}).content.decode()
    response = client.post(changelist, {"action": "resolve_refund", "_selected_action": [booking.pk]})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == Booking.Status.CANCELLED
    assert balances(world)[:2] == (BUDGET_PENCE, 0)
    call_command("check_ledger")
