"""Reviews in a real browser: after a completed booking a person writes a review (first
meeting the error summary), sees the 'Verified booking' badge, and after publication finds it,
with the rating summary, on the service page. axe-core on every page."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.tests import factories as af
from directory.tests import factories as df
from reviews import services
from reviews.models import Review
from reviews.tests.factories import make_completed_booking
from tests.browser.accessibility import assert_accessible

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page: Page, base_url: str, email: str) -> None:
    page.goto(base_url + "/accounts/sign-in/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(af.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("banner")).to_contain_text("Signed in as")


def test_person_reviews_after_a_completed_booking_and_sees_verified_booking(page: Page, live_server: Any) -> None:
    provider = df.make_provider(name="Kelvin Companions")
    service = df.make_service(provider=provider, name="Kelvin Home Support")
    person = af.make_person(user=af.make_user(full_name="Morag Brown"))
    make_completed_booking(person=person, service=service)

    sign_in(page, live_server.url, person.user.email)
    page.goto(live_server.url + reverse("directory:service-detail", kwargs={"code": service.code}))
    expect(page.get_by_role("heading", name="Reviews from people who used this service")).to_be_visible()
    page.get_by_role("link", name="Write a review").click()
    assert_accessible(page)

    # Nothing chosen: the GOV.UK error summary, linked to the first missing answer.
    page.get_by_role("button", name="Send review").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("Choose an overall rating from 1 to 5 stars")
    assert_accessible(page)

    page.get_by_role("group", name="Overall rating").get_by_label("5 stars").check()
    page.get_by_role("group", name="Staff (optional)").get_by_label("4 stars").check()
    page.get_by_label("I used the service").check()
    page.get_by_label("When did you use the service?").select_option(index=1)
    page.get_by_label("Title (optional)").fill("Lovely carers")
    page.get_by_label("Your review (optional)").fill("They always arrived on time and took time to chat.")
    page.get_by_role("button", name="Send review").click()

    expect(page.get_by_text("Verified booking")).to_be_visible()
    expect(page.locator("#review-status")).to_contain_text("Waiting to be published")
    assert_accessible(page)

    review = Review.objects.get()
    assert review.verified and review.booking is not None
    services.review_publish(review_id=review.pk, now=review.publish_after)
    page.goto(live_server.url + reverse("directory:service-detail", kwargs={"code": service.code}))
    expect(page.locator("#rating-summary")).to_contain_text("5.0 out of 5")
    expect(page.locator(".carehub-review")).to_contain_text("Verified booking")
    expect(page.locator(".carehub-review")).to_contain_text("Lovely carers")
    assert_accessible(page)
