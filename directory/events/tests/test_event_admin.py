"""Staff list a community group's event in the admin; it is placed from its postcode."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from accounts.tests.factories import make_user
from carehub import clock
from directory.models import Event
from directory.tests.factories import make_community_group, make_postcode

pytestmark = pytest.mark.django_db


def _post(client: Any, group: Any, postcode: str) -> Any:
    starts = clock.now() + timedelta(days=2)
    return client.post(
        reverse("admin:directory_event_add"),
        {
            "title": "Lunch club outing",
            "community_group": group.pk,
            "venue": "The church hall",
            "postcode": postcode,
            "starts_at_0": clock.local_time(starts).date().isoformat(),
            "starts_at_1": "11:00:00",
            "ends_at_0": clock.local_time(starts).date().isoformat(),
            "ends_at_1": "13:00:00",
            "cost_pence": 0,
            "how_to_book": "Just turn up",
            "published": "on",
        },
    )


def test_event_admin_places_a_community_group_event_from_its_postcode(client: Any) -> None:
    make_postcode("G12 8QQ", 55.8733, -4.2923)
    group = make_community_group(name="Partick Lunch Club")
    client.force_login(make_user(is_staff=True, is_superuser=True))
    assert _post(client, group, "g128qq").status_code == 302
    event = Event.objects.get()
    assert (event.community_group, event.provider, event.postcode) == (group, None, "G12 8QQ")
    assert event.latitude == pytest.approx(55.8733)


def test_event_admin_refuses_a_postcode_it_cannot_place(client: Any) -> None:
    group = make_community_group()
    client.force_login(make_user(is_staff=True, is_superuser=True))
    response = _post(client, group, "ZE9 9ZZ")
    assert response.status_code == 200
    assert "We could not find ZE9 9ZZ" in response.content.decode()
    assert not Event.objects.exists()


def test_event_admin_refuses_an_event_without_an_organiser(client: Any) -> None:
    make_postcode("G12 8QQ", 55.8733, -4.2923)
    client.force_login(make_user(is_staff=True, is_superuser=True))
    response = _post(client, type("NoGroup", (), {"pk": ""})(), "G12 8QQ")
    assert response.status_code == 200
    assert "Choose either a provider or a community group" in response.content.decode()
