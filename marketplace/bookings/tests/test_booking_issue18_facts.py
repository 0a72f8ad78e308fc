"""Issue 18, item 8: booking facts shown wrongly (who made a booking; the way to review a completed one)."""

from __future__ import annotations

from typing import Any

from django.test import Client
from django.urls import reverse

from accounts.notifications.models import Notification
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
