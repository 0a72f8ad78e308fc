"""List pages do not run more queries as rows grow (no N+1)."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from marketplace.messaging import services as messaging
from marketplace.tests.booking_world import request_hours


def queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.parametrize(
    ("who", "url_name"),
    [
        ("person", "marketplace:booking-list"),
        ("provider", "marketplace:booking-inbox"),
        ("person", "marketplace:thread-list"),
        ("provider", "marketplace:notification-list"),
    ],
)
def test_list_page_query_count_does_not_grow(world: Any, who: str, url_name: str) -> None:
    user = world.person_user if who == "person" else world.cast.provider_owner
    client = Client()
    client.force_login(user)
    url = reverse(url_name)

    def add(hour: int) -> None:
        booking = request_hours(world, hour=hour, hours=1)
        thread = messaging.thread_for_booking(booking=booking)
        messaging.message_send(actor=world.cast.provider_staff, thread=thread, body="Hello")

    add(8)
    queries(client, url)  # warm: session, permissions
    one = queries(client, url)
    for hour in (10, 12, 14):
        add(hour)
    assert queries(client, url) == one
