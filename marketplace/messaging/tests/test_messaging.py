"""Messaging: a person writes before booking, the provider replies; unread counts; nobody else can read."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.notifications.models import Notification
from accounts.tests import factories as af
from carehub.errors import DomainError, NotPermitted
from marketplace.messaging import services as messaging
from marketplace.models import Message
from marketplace.tests.booking_world import request_hours


def enquiry(world: Any, body: str = "Do you cover Partick?") -> Any:
    return messaging.thread_start_enquiry(
        actor=world.person_user, service=world.hourly, person=world.cast.person, body=body
    )


def unread(user: Any) -> int:
    return messaging.thread_unread_total(user=user)


def test_person_messages_provider_before_booking_and_unread_counts(world: Any) -> None:
    thread = enquiry(world)
    assert thread.booking is None
    assert unread(world.cast.provider_owner) == 1
    assert unread(world.person_user) == 0
    assert Notification.objects.filter(user=world.cast.provider_owner, kind="message").count() == 1
    messaging.message_send(actor=world.cast.provider_staff, thread=thread, body="Yes, we do.")
    assert unread(world.person_user) == 1
    assert unread(world.cast.carer) == 2  # the person's message and the reply: the carer has read neither
    assert unread(world.cast.provider_owner) == 2
    messaging.thread_mark_read(actor=world.cast.provider_owner, thread=thread)
    assert unread(world.cast.provider_owner) == 0
    assert enquiry(world, "And Hyndland?").pk == thread.pk  # one enquiry thread per person and service


def test_message_refusals(world: Any) -> None:
    thread = enquiry(world)
    for user in (
        world.cast.outsider,
        world.cast.other_person.user,
        af.make_provider_member(provider=world.cast.other_provider),
    ):
        with pytest.raises(NotPermitted):
            messaging.message_send(actor=user, thread=thread, body="Hello")
    with pytest.raises(DomainError, match="Write a message"):
        messaging.message_send(actor=world.person_user, thread=thread, body="   ")
    with pytest.raises(NotPermitted):
        messaging.thread_start_enquiry(
            actor=world.cast.outsider, service=world.hourly, person=world.cast.person, body="x"
        )
    assert Message.objects.count() == 1


def test_thread_pages_and_api_are_404_for_everyone_else(world: Any) -> None:
    thread = enquiry(world)
    viewer_without_scope = af.make_user()
    af.make_carer_link(carer=viewer_without_scope, person=world.cast.person, can_view=False, can_book=False)
    outsiders = [
        world.cast.outsider,
        world.cast.other_person.user,
        af.make_provider_member(provider=world.cast.other_provider),
        viewer_without_scope,
        world.cast.commissioner,
    ]
    page = reverse("marketplace:thread-detail", args=[thread.code])
    endpoint = reverse("marketplace-api:thread-detail", args=[thread.code])
    for user in outsiders:
        client = Client()
        client.force_login(user)
        assert client.get(page).status_code == 404
        assert client.post(page, {"body": "let me in"}).status_code == 404
        api = APIClient()
        api.force_authenticate(user)
        assert api.get(endpoint).status_code == 404
        assert api.post(endpoint, {"body": "let me in"}, format="json").status_code == 404
        assert api.get(reverse("marketplace-api:thread-list")).json()["count"] == 0
    assert Message.objects.count() == 1
    for user in (world.person_user, world.cast.carer, world.cast.provider_owner, world.cast.provider_staff):
        client = Client()
        client.force_login(user)
        assert client.get(page).status_code == 200
    assert Client().get(page).status_code == 302


def test_message_body_is_shown_as_escaped_plain_text(world: Any) -> None:
    thread = enquiry(world, '<script>alert(1)</script> <a href="https://evil.example">click</a>')
    client = Client()
    client.force_login(world.cast.provider_owner)
    html = client.get(reverse("marketplace:thread-detail", args=[thread.code])).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert '<a href="https://evil.example">' not in html


def test_enquiry_page_and_api(world: Any) -> None:
    client = Client()
    client.force_login(world.cast.carer)
    response = client.post(
        reverse("marketplace:thread-start", args=[world.hourly.code]), {"person": world.cast.person.pk, "body": "Hi"}
    )
    assert response.status_code == 302
    api = APIClient()
    api.force_authenticate(world.person_user)
    created = api.post(
        reverse("marketplace-api:thread-list"),
        {"service": str(world.visits.code), "person": str(world.cast.person.code), "body": "Hello"},
        format="json",
    )
    assert created.status_code == 201
    assert api.get(reverse("marketplace-api:thread-list")).json()["count"] == 2
    empty = client.post(reverse("marketplace:thread-start", args=[world.hourly.code]), {"person": world.cast.person.pk})
    assert empty.status_code == 400 and "Write a message" in empty.content.decode()


def test_booking_thread_is_started_from_the_booking(world: Any) -> None:
    booking = request_hours(world)
    client = Client()
    client.force_login(world.cast.provider_staff)
    response = client.get(reverse("marketplace:booking-thread", args=[booking.code]))
    assert response.status_code == 302
    assert booking.thread.person == world.cast.person
    outsider = Client()
    outsider.force_login(world.cast.outsider)
    assert outsider.get(reverse("marketplace:booking-thread", args=[booking.code])).status_code == 404


def test_notification_inbox_page_and_api(world: Any) -> None:
    enquiry(world)
    client = Client()
    client.force_login(world.cast.provider_owner)
    assert "New message" in client.get(reverse("marketplace:notification-list")).content.decode()
    api = APIClient()
    api.force_authenticate(world.cast.provider_owner)
    assert api.get(reverse("marketplace-api:notification-list")).json()["count"] == 1
    assert api.post(reverse("marketplace-api:notification-list")).json() == {"marked_read": 1}
    other = APIClient()
    other.force_authenticate(world.cast.outsider)
    assert other.get(reverse("marketplace-api:notification-list")).json()["count"] == 0


def test_notification_preferences_page(world: Any) -> None:
    client = Client()
    client.force_login(world.cast.provider_owner)
    url = reverse("marketplace:notification-list")
    assert client.post(url, {"save_preferences": "1", "email_bookings": "on"}).status_code == 302
    pref = world.cast.provider_owner.notification_pref
    assert (pref.email_bookings, pref.email_messages) == (True, False)
    enquiry(world)
    from accounts.notifications.models import OutboxMessage

    assert not OutboxMessage.objects.filter(user=world.cast.provider_owner).exists()
    assert OutboxMessage.objects.filter(user=world.cast.provider_staff).exists()


def test_notification_preferences_page_offers_every_email_choice(world: Any) -> None:
    client = Client()
    client.force_login(world.cast.provider_owner)
    url = reverse("marketplace:notification-list")
    page = client.get(url).content.decode()
    for label in ("reviews and replies", "budget alerts", "listings and vetting", "always comes by e-mail"):
        assert label in page
    client.post(url, {"save_preferences": "1", "email_messages": "on", "email_budget_alerts": "on"})
    pref = world.cast.provider_owner.notification_pref
    choices = (pref.email_bookings, pref.email_messages, pref.email_reviews, pref.email_budget_alerts)
    assert choices + (pref.email_listings,) == (False, True, False, True, False)
    page = client.get(url).content.decode()  # the saved choices are shown back
    assert 'name="email_budget_alerts" type="checkbox" value="on" checked' in page
    assert 'name="email_reviews" type="checkbox" value="on">' in page
