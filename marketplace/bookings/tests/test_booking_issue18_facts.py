"""Issue 18, item 8: booking facts shown wrongly (who made a booking; the way to review a completed one)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from accounts.notifications.models import Notification
from marketplace.messaging import services as messaging
from marketplace.tests.booking_world import drive, request_hours


def test_booking_made_by_a_carer_says_who_made_it(world: Any) -> None:
    request_hours(world, actor=world.cast.carer)
    person_note = Notification.objects.get(user=world.person_user)
    carer, person = world.cast.carer.full_name, world.cast.person.display_name
    assert person_note.body.startswith(f"{carer} asked to book Personal assistant hours for {person}")
    provider_note = Notification.objects.get(user=world.cast.provider_owner)
    assert provider_note.body.startswith(f"{carer} asked to book")


def test_booking_made_by_the_person_says_they_made_it(world: Any) -> None:
    request_hours(world)
    note = Notification.objects.get(user=world.cast.provider_owner)
    assert note.body.startswith(f"{world.cast.person.display_name} asked to book Personal assistant hours (")


def test_completed_booking_offers_write_a_review(world: Any) -> None:
    client = Client()
    client.force_login(world.person_user)
    requested = drive(world, "requested", hour=14)
    assert (
        "Write a review"
        not in client.get(reverse("marketplace:booking-detail", args=[requested.code])).content.decode()
    )
    booking = drive(world, "completed")
    url = reverse("marketplace:booking-detail", args=[booking.code])
    html = client.get(url).content.decode()
    assert reverse("reviews:review-write", args=[world.hourly.code]) in html
    assert "Write a review of Personal assistant hours" in html
    provider = Client()
    provider.force_login(world.cast.provider_owner)
    assert "Write a review" not in provider.get(url).content.decode()
    listed = client.get(reverse("marketplace:booking-list")).content.decode()
    assert listed.count(reverse("reviews:review-write", args=[world.hourly.code])) == 1  # the completed one only


def _provider_page(world: Any, booking: Any) -> Any:
    client = Client()
    client.force_login(world.cast.provider_owner)
    return client.get(reverse("marketplace:booking-detail", args=[booking.code]))


def test_provider_booking_page_separates_accept_decline_and_cancel(world: Any) -> None:
    booking = drive(world, "requested")
    html = _provider_page(world, booking).content.decode()
    assert html.count("<form") - html.count('role="search"') >= 2
    accept = html.split('id="action-accept"')[1].split("</section>")[0]
    decline = html.split('id="action-decline"')[1].split("</section>")[0]
    assert "Accept this request" in accept and "<textarea" not in accept
    assert "Decline this request" in decline
    assert '<label class="govuk-label" for="reason-decline">Why are you declining?</label>' in decline
    assert "govuk-button--warning" in decline and "goes back to" in decline
    accepted = drive(world, "accepted", hour=14)
    html = _provider_page(world, accepted).content.decode()
    cancel = html.split('id="action-cancel"')[1].split("</section>")[0]
    assert "Cancel this booking" in cancel and "govuk-button--warning" in cancel
    assert "goes back to their budget" in cancel and "cannot be undone" in cancel


def test_provider_booking_decline_without_reason_errors_only_on_the_decline_form(world: Any) -> None:
    booking = drive(world, "requested")
    client = Client()
    client.force_login(world.cast.provider_owner)
    url = reverse("marketplace:booking-action", args=[booking.code, "decline"])
    response = client.post(url, {"reason": "", "idempotency_key": "k-decline-1"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'href="#reason-decline"' in html
    assert html.count("govuk-form-group--error") == 1
    assert 'id="reason-decline-error"' in html.split('id="action-decline"')[1]


def test_provider_booking_page_shows_the_persons_latest_message(world: Any) -> None:
    booking = drive(world, "requested")
    thread = messaging.thread_for_booking(booking=booking)
    messaging.message_send(actor=world.person_user, thread=thread, body="Please use the side door.")
    messaging.message_send(actor=world.cast.carer, thread=thread, body="The key is under the <b>mat</b>.")
    messaging.message_send(actor=world.cast.provider_owner, thread=thread, body="Thanks, noted.")
    html = _provider_page(world, booking).content.decode()
    latest = html.split('id="latest-message"')[1].split("</div>")[0]
    assert "The key is under the &lt;b&gt;mat&lt;/b&gt;." in latest
    assert f"Latest message from {world.cast.carer.full_name}" in html
    person = Client()
    person.force_login(world.person_user)
    assert (
        'id="latest-message"'
        not in person.get(reverse("marketplace:booking-detail", args=[booking.code])).content.decode()
    )
