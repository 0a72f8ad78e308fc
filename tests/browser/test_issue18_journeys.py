"""Issue 18 ("What people meet"): what a person sees, in a real browser, with axe-core on each page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.tests import factories as af
from directory.tests import factories as df
from marketplace.models import Booking, Commitment
from marketplace.tests.booking_world import BUDGET_PENCE, make_hourly_service
from marketplace.tests.factories import make_budget
from tests.browser.accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHORT = "There is not enough left in My own money: it has £0.00 left and this booking needs £20.00."


@pytest.fixture
def scene(db: Any) -> dict[str, Any]:
    council = df.make_council(name="Glasgow City", gss_code="S12000049", slug="glasgow-city")
    provider = df.make_provider(name="Kelvin Companions")
    service = make_hourly_service(provider, name="Personal assistant hours")
    person = af.make_person(user=af.make_user(full_name="Morag Brown"))
    budget = make_budget(person=person, funder=council, allocated_pence=BUDGET_PENCE, name="Council budget")
    return {
        "provider": provider,
        "service": service,
        "person": person,
        "budget": budget,
        "owner": af.make_provider_member(provider=provider, full_name="Pat Provider"),
    }


def test_person_chooses_a_budget_and_a_short_one_says_what_is_left(open_as: Any, live_server: Any, scene: dict) -> None:
    own = make_budget(person=scene["person"], name="My own money")  # self-funded, nothing paid in yet
    page = open_as(scene["person"].user.email)
    page.goto(live_server.url + reverse("marketplace:booking-new", args=[scene["service"].code]))
    tomorrow = timezone.localdate() + timedelta(days=1)
    page.get_by_label("Day").fill(tomorrow.isoformat())
    page.get_by_role("button", name="Show free times").click()
    page.get_by_label("Start time").select_option(label="10:00")
    page.get_by_label("My own money (£0.00 left)").check()
    page.get_by_role("button", name="Request booking").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text(SHORT)
    budget_group = page.locator(".govuk-form-group--error")
    expect(budget_group).to_have_count(1)
    expect(budget_group).to_contain_text("Which budget pays?")
    expect(page.locator("#budget-short")).to_contain_text("Council budget")
    expect(page.get_by_role("link", name="Pay money in to My own money")).to_have_attribute(
        "href", reverse("marketplace:budget-topup", args=[own.code])
    )
    assert_accessible(page)
    assert (Booking.objects.count(), Commitment.objects.count()) == (0, 0)
    page.get_by_label("Council budget").check()
    page.get_by_role("button", name="Request booking").click()
    expect(page.get_by_text("Your booking request has been sent.")).to_be_visible()
    assert Booking.objects.get().budget == scene["budget"]


def test_provider_sees_accept_decline_apart_and_the_persons_latest_message(
    open_as: Any, live_server: Any, scene: dict
) -> None:
    from marketplace.bookings import services as bookings
    from marketplace.messaging import services as messaging
    from marketplace.tests.booking_world import tomorrow_at
    from marketplace.tests.factories import key

    person = scene["person"]
    booking = bookings.booking_request(
        actor=person.user,
        service=scene["service"],
        person=person,
        starts_at=tomorrow_at(10),
        hours=1,
        idempotency_key=key(),
    )
    thread = messaging.thread_for_booking(booking=booking)
    messaging.message_send(actor=person.user, thread=thread, body="Please ring the bell twice.")
    page = open_as(scene["owner"].email)
    page.goto(live_server.url + reverse("marketplace:booking-detail", args=[booking.code]))
    expect(page.locator("#latest-message")).to_contain_text("Please ring the bell twice.")
    expect(page.get_by_role("heading", name="Latest message from Morag Brown")).to_be_visible()
    expect(page.get_by_role("heading", name="Accept this request")).to_be_visible()
    expect(page.get_by_role("heading", name="Decline this request")).to_be_visible()
    decline = page.locator("#action-decline")
    expect(decline.get_by_label("Why are you declining?")).to_be_visible()
    expect(page.locator("#action-accept").get_by_role("textbox")).to_have_count(0)
    assert_accessible(page)
    decline.get_by_role("button", name="Decline").click()  # no reason: the error sits on the decline form
    expect(page.locator(".govuk-error-summary")).to_contain_text("Give a reason.")
    expect(page.locator("#action-decline .govuk-error-message")).to_contain_text("Give a reason.")
    expect(page.locator(".govuk-form-group--error")).to_have_count(1)
    assert_accessible(page)
    page.locator("#action-accept").get_by_role("button", name="Accept").click()
    expect(page.get_by_text("You accepted the booking.")).to_be_visible()
    cancel = page.locator("#action-cancel")
    expect(cancel.get_by_role("heading", name="Cancel this booking")).to_be_visible()
    expect(cancel).to_contain_text("goes back to their budget")
    expect(cancel.get_by_role("button", name="Cancel the booking")).to_have_class("govuk-button govuk-button--warning")
    assert_accessible(page)


def test_review_helpful_count_stands_apart_from_report(open_as: Any, live_server: Any, scene: dict) -> None:
    from reviews.tests.factories import make_published_review

    make_published_review(service=scene["service"], person=scene["person"], title="Kind staff")
    visitor = open_as(scene["person"].user.email)  # the author sees the count, not the button
    visitor.goto(live_server.url + reverse("directory:service-detail", args=[scene["service"].code]))
    count = visitor.get_by_text("0 people found this helpful")
    report = visitor.get_by_role("link", name="Report review 1")
    expect(count).to_be_visible()
    count_box, report_box = count.bounding_box(), report.bounding_box()
    assert count_box and report_box and count_box["y"] + count_box["height"] <= report_box["y"]
    assert_accessible(visitor)


def test_carer_review_form_preselects_the_only_person(open_as: Any, live_server: Any, scene: dict) -> None:
    carer = af.make_user(full_name="Sam Carer")
    af.make_carer_link(carer=carer, person=scene["person"])
    page = open_as(carer.email)
    page.goto(live_server.url + reverse("reviews:review-write", args=[scene["service"].code]))
    expect(page.get_by_label("Morag Brown")).to_be_checked()
    assert_accessible(page)


def test_statement_reads_as_one_story_and_agrees_with_the_budget_page(
    open_as: Any, live_server: Any, scene: dict
) -> None:
    from marketplace.budgets import services
    from marketplace.tests.factories import key, make_commitment

    budget, person = scene["budget"], scene["person"]
    due = timezone.localdate() + timedelta(days=30)
    visit = make_commitment(
        budget=budget, provider=scene["provider"], amount_pence=4_750, description="Home visit", due_on=due
    )
    services.budget_settle(actor=person.user, commitment=visit, idempotency_key=key())
    make_commitment(budget=budget, provider=scene["provider"], amount_pence=2_000, description="Day out", due_on=due)
    page = open_as(person.user.email)
    page.goto(live_server.url + reverse("marketplace:budget-detail", args=[budget.code]))
    page.get_by_role("link", name="See a statement").click()
    table = page.locator("#statement-lines")
    when = f"{due:%-d %b %Y}"
    expect(table).to_contain_text(f"Set aside for Home visit on {when}")
    expect(table).to_contain_text(f"Paid for Home visit on {when} (from money set aside)")
    for cell in table.locator("tbody tr td:nth-child(3)").all():
        assert cell.inner_text().strip(), "Money in or out is never blank"
    expect(page.locator("#statement-balances")).to_contain_text("£20.00 more was set aside for booked care")
    expect(page.locator("#statement-difference")).to_contain_text("same as the £432.50 available on the budget page")
    assert_accessible(page)
