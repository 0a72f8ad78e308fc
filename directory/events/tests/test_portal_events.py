"""Providers list their own events in the portal; nobody else can see or change them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.permissions import NotPermitted
from carehub import clock
from directory.events import services
from directory.models import Event
from directory.tests.factories import make_event, make_postcode

pytestmark = pytest.mark.django_db


@pytest.fixture
def postcodes(db: None) -> None:
    make_postcode("G12 8QQ", 55.8733, -4.2923)
    make_postcode("G11", 55.87, -4.31)


def _form(**overrides: Any) -> dict[str, Any]:
    day = clock.today() + timedelta(days=7)
    return {
        "title": "Seated exercise",
        "description": "Gentle exercise in chairs",
        "venue": "Partick Burgh Hall",
        "postcode": "g128qq",
        "day": day.isoformat(),
        "start_time": "10:00",
        "end_time": "11:30",
        "cost": "3.50",
        "how_to_book": "Phone 0141 496 0123",
        "published": "on",
        **overrides,
    }


def test_portal_event_create_lists_a_geocoded_event(client: Any, cast: Any, postcodes: None) -> None:
    client.force_login(cast.provider_owner)
    response = client.post(
        reverse("directory:portal-provider-event-create", kwargs={"code": cast.provider.code}), _form()
    )
    assert response.status_code == 302
    event = Event.objects.get()
    assert (event.provider, event.postcode, event.cost_pence) == (cast.provider, "G12 8QQ", 350)
    assert event.latitude == pytest.approx(55.8733)
    assert clock.local_time(event.starts_at).hour == 10
    assert event.ends_at - event.starts_at == timedelta(minutes=90)
    listing = client.get(reverse("directory:portal-provider-events", kwargs={"code": cast.provider.code}))
    assert "Seated exercise" in listing.content.decode()


def test_portal_event_create_with_a_sector_postcode_falls_back_to_the_district(
    client: Any, cast: Any, postcodes: None
) -> None:
    client.force_login(cast.provider_owner)
    client.post(
        reverse("directory:portal-provider-event-create", kwargs={"code": cast.provider.code}),
        _form(postcode="G11 5AA"),
    )
    assert Event.objects.get().latitude == pytest.approx(55.87)


def test_portal_event_create_shows_errors(client: Any, cast: Any, postcodes: None) -> None:
    client.force_login(cast.provider_owner)
    url = reverse("directory:portal-provider-event-create", kwargs={"code": cast.provider.code})
    response = client.post(url, _form(end_time="09:00", title=""))
    html = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in html and "Enter the name of the event" in html
    response = client.post(url, _form(end_time="09:00"))
    assert "The end time must be after the start time" in response.content.decode()
    response = client.post(url, _form(postcode="ZE9 9ZZ"))
    assert response.status_code == 400 and "We could not find ZE9 9ZZ" in response.content.decode()
    assert not Event.objects.exists()


def test_portal_event_create_refuses_a_time_the_clocks_skip(
    client: Any, cast: Any, postcodes: None, time_machine: Any
) -> None:
    time_machine.move_to("2027-03-01T12:00:00+00:00")
    client.force_login(cast.provider_owner)
    url = reverse("directory:portal-provider-event-create", kwargs={"code": cast.provider.code})
    response = client.post(url, _form(day="2027-03-28", start_time="01:15", end_time="03:00"))
    assert "that time does not exist that day" in response.content.decode()


def test_portal_event_edit_and_delete_by_the_provider(client: Any, cast: Any, postcodes: None) -> None:
    event = make_event(provider=cast.provider, title="Old title")
    client.force_login(cast.provider_staff)
    form = client.get(reverse("directory:portal-event-edit", kwargs={"code": event.code}))
    assert "Old title" in form.content.decode()
    response = client.post(
        reverse("directory:portal-event-edit", kwargs={"code": event.code}), _form(title="New title")
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "New title"
    client.post(reverse("directory:portal-event-delete", kwargs={"code": event.code}))
    assert not Event.objects.exists()


@pytest.mark.parametrize("name", ["portal-event-edit", "portal-event-delete"])
def test_portal_event_pages_are_404_for_another_provider(client: Any, cast: Any, postcodes: None, name: str) -> None:
    event = make_event(provider=cast.other_provider, title="Theirs")
    client.force_login(cast.provider_owner)
    url = reverse(f"directory:{name}", kwargs={"code": event.code})
    assert client.get(url).status_code in (404, 405)
    assert client.post(url, _form(title="Mine now")).status_code == 404
    event.refresh_from_db()
    assert event.title == "Theirs"


@pytest.mark.parametrize("name", ["portal-provider-events", "portal-provider-event-create"])
def test_portal_provider_events_are_404_for_another_provider_and_sign_in_for_anonymous(
    client: Any, cast: Any, postcodes: None, name: str
) -> None:
    url = reverse(f"directory:{name}", kwargs={"code": cast.other_provider.code})
    assert client.get(url).status_code == 302
    client.force_login(cast.provider_owner)
    assert client.get(url).status_code == 404
    assert client.post(url, _form()).status_code == 404
    assert not Event.objects.exists()


def test_event_services_refuse_an_actor_who_does_not_manage_the_provider(cast: Any, postcodes: None) -> None:
    event = make_event(provider=cast.provider)
    with pytest.raises(NotPermitted):
        services.event_update(actor=cast.outsider, event=event, data={"title": "Hijacked"})
    with pytest.raises(NotPermitted):
        services.event_delete(actor=cast.outsider, event=event)


def test_event_services_leave_an_audit_row_for_each_change(cast: Any, postcodes: None) -> None:
    event = make_event(provider=cast.provider, title="Before")
    services.event_update(actor=cast.provider_owner, event=event, data={"title": "After"})
    services.event_delete(actor=cast.provider_owner, event=event)
    rows = list(AuditEvent.objects.filter(object_type="directory.Event").order_by("id"))
    assert [(row.action, row.actor) for row in rows] == [
        ("event.update", cast.provider_owner),
        ("event.delete", cast.provider_owner),
    ]
    assert rows[0].detail["changed"] == {"title": ["Before", "After"]}
