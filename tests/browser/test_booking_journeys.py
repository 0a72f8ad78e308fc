"""Booking journeys in a real browser (no JavaScript needed by the pages), with axe-core on every page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests import factories as af
from directory.tests import factories as df
from marketplace import ledger
from marketplace.models import Booking
from marketplace.tests.booking_world import BUDGET_PENCE, HOURLY_PENCE, make_hourly_service, move_to_past
from marketplace.tests.factories import make_budget
from tests.browser.accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def scene(db: Any) -> dict[str, Any]:
    council = df.make_council(name="Glasgow City", gss_code="S12000049", slug="glasgow-city")
    provider = df.make_provider(name="Kelvin Companions")
    service = make_hourly_service(provider, name="Personal assistant hours")
    person = af.make_person(user=af.make_user(full_name="Morag Brown"))
    budget = make_budget(person=person, funder=council, allocated_pence=BUDGET_PENCE)
    return {
        "provider": provider,
        "service": service,
        "person": person,
        "budget": budget,
        "owner": af.make_provider_member(provider=provider, full_name="Pat Provider"),
    }


def service_url(service: Any) -> str:
    from django.urls import reverse

    return reverse("directory:service-detail", args=[service.code])


@override_settings(CAREHUB_PLATFORM_FEE_PERCENT="5")
def test_person_books_hourly_slot_provider_delivers_person_confirms(
    open_as: Any, live_server: Any, scene: dict
) -> None:
    person_page = open_as(scene["person"].user.email)
    person_page.goto(live_server.url + service_url(scene["service"]))
    person_page.get_by_role("link", name="Book", exact=True).click()
    assert_accessible(person_page)
    tomorrow = timezone.localdate() + timedelta(days=1)
    person_page.get_by_label("Day").fill(tomorrow.isoformat())
    person_page.get_by_role("button", name="Show free times").click()
    person_page.get_by_label("Start time").select_option(label="10:00")
    person_page.get_by_label("How many hours?").fill("2")
    person_page.get_by_role("button", name="Request booking").click()
    expect(person_page.get_by_text("Your booking request has been sent.")).to_be_visible()
    assert_accessible(person_page)
    booking = Booking.objects.get()
    amount = 2 * HOURLY_PENCE
    assert ledger.account_budget_available(scene["budget"]).balance_pence == BUDGET_PENCE - amount

    provider_page = open_as(scene["owner"].email)
    provider_page.goto(live_server.url + "/bookings/provider/")
    expect(provider_page.get_by_role("heading", level=1)).to_have_text("Booking requests")
    assert_accessible(provider_page)
    provider_page.get_by_role("link", name="Personal assistant hours").click()
    provider_page.get_by_role("button", name="Accept").click()
    expect(provider_page.get_by_text("You accepted the booking.")).to_be_visible()
    provider_page.get_by_role("button", name="Confirm the schedule").click()
    expect(provider_page.locator("#booking-status")).to_have_text("Scheduled")
    assert_accessible(provider_page)
    move_to_past(booking)  # the care happens
    provider_page.reload()
    provider_page.get_by_role("button", name="Mark as delivered").click()
    expect(provider_page.get_by_text("Marked as delivered.")).to_be_visible()

    person_page.goto(live_server.url + "/bookings/")
    expect(person_page.get_by_role("table", name="Needing your confirmation")).to_contain_text(
        "Personal assistant hours"
    )
    assert_accessible(person_page)
    person_page.get_by_role("link", name="Personal assistant hours").click()
    person_page.get_by_role("button", name="Confirm it was delivered").click()
    expect(person_page.get_by_text("Thank you. The provider has been paid.")).to_be_visible()
    expect(person_page.locator("#booking-status")).to_have_text("Completed")
    assert_accessible(person_page)

    # Budget: £40 spent, nothing held; provider: £40 less the 5% fee.
    assert ledger.account_budget_available(scene["budget"]).balance_pence == BUDGET_PENCE - amount
    assert ledger.account_budget_committed(scene["budget"]).balance_pence == 0
    assert ledger.account_provider_payable(scene["provider"].pk).balance_pence == amount - 200
    provider_page.goto(live_server.url + "/bookings/provider/")
    expect(provider_page.locator("#provider-balances")).to_contain_text("£38.00")
    person_page.goto(live_server.url + f"/budgets/{scene['budget'].code}/")
    expect(person_page.get_by_role("main")).to_contain_text("£460.00")
    assert_accessible(person_page)
    call_command("check_ledger")


def test_carer_books_on_behalf_of_a_person(open_as: Any, live_server: Any, scene: dict) -> None:
    carer = af.make_user(full_name="Sam Carer")
    af.make_carer_link(carer=carer, person=scene["person"])
    page = open_as(carer.email)
    page.goto(live_server.url + service_url(scene["service"]))
    page.get_by_role("link", name="Book", exact=True).click()
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.get_by_label("Day").fill(tomorrow.isoformat())
    page.get_by_role("button", name="Show free times").click()
    page.get_by_label("Who is the care for?").select_option(label="Morag Brown")
    page.get_by_label("Start time").select_option(label="14:00")
    page.get_by_label("How many hours?").fill("1")
    page.get_by_role("button", name="Request booking").click()
    expect(page.get_by_text("Your booking request has been sent.")).to_be_visible()
    assert_accessible(page)
    booking = Booking.objects.get()
    assert (booking.person, booking.requested_by, booking.amount_pence) == (scene["person"], carer, HOURLY_PENCE)
    person_page = open_as(scene["person"].user.email)
    person_page.goto(live_server.url + "/bookings/")
    expect(person_page.get_by_role("table", name="Upcoming")).to_contain_text("Personal assistant hours")
    assert_accessible(person_page)


def test_message_plan_and_notification_pages_are_accessible(
    open_as: Any, live_server: Any, scene: dict[str, Any]
) -> None:
    page = open_as(scene["person"].user.email)
    page.goto(live_server.url + service_url(scene["service"]))
    page.get_by_role("link", name="Send a message").click()
    page.get_by_role("button", name="Send message").click()  # empty: the error summary
    expect(page.locator(".govuk-error-summary")).to_contain_text("Write a message")
    assert_accessible(page)
    page.get_by_label("Your message").fill("Can you help on Saturdays? <b>thanks</b>")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_text("Can you help on Saturdays? <b>thanks</b>")).to_be_visible()
    assert_accessible(page)

    provider_page = open_as(scene["owner"].email)
    provider_page.goto(live_server.url + "/messages/")
    # The page's own count (the navigation bar shows one too).
    expect(provider_page.get_by_role("main").get_by_text("1 unread")).to_be_visible()
    assert_accessible(provider_page)
    provider_page.goto(live_server.url + "/notifications/")
    expect(
        provider_page.get_by_role("link", name="New message: Enquiry about Personal assistant hours")
    ).to_be_visible()
    assert_accessible(provider_page)

    page.goto(live_server.url + service_url(scene["service"]))
    page.get_by_role("link", name="Set up regular visits").click()
    expect(page.locator("#how-plans-are-paid")).to_contain_text("Money is set aside week by week")
    page.get_by_role("button", name="Set up regular visits").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)
