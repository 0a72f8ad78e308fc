"""Weekly availability and dated exceptions, kept in the portal and shown on the listing."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import make_provider_member
from directory.models import AvailabilityException, AvailabilityWindow, Service, ServiceEdit
from directory.tests.factories import make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def service(cast: Any) -> Service:
    return make_service(provider=cast.provider, name="Evening visits")


def _url(service: Service) -> str:
    return reverse("directory:portal-service-availability", kwargs={"code": service.code})


def _add_window(client: Client, service: Service, weekday: int = 0, start: str = "09:00", end: str = "17:00") -> Any:
    data = {"action": "add-window", "window-weekday": weekday, "window-starts_at": start, "window-ends_at": end}
    return client.post(_url(service), data)


def _add_exception(client: Client, service: Service, **overrides: Any) -> Any:
    data = {
        "action": "add-exception",
        "exception-date": (timezone.localdate() + timedelta(days=7)).isoformat(),
        "exception-is_closed": "closed",
        "exception-note": "Staff training",
        **overrides,
    }
    return client.post(_url(service), data)


def test_portal_availability_weekly_windows_and_exceptions(service: Service, client: Client, cast: Any) -> None:
    client.force_login(cast.provider_staff)

    assert _add_window(client, service).status_code == 302
    assert _add_window(client, service, weekday=0, start="18:00", end="21:00").status_code == 302
    assert _add_exception(client, service).status_code == 302

    windows = [(w.weekday, w.starts_at, w.ends_at) for w in AvailabilityWindow.objects.filter(service=service)]
    assert windows == [(0, time(9), time(17)), (0, time(18), time(21))]
    exception = AvailabilityException.objects.get(service=service)
    assert exception.is_closed and exception.note == "Staff training"
    history = list(ServiceEdit.objects.filter(service=service).values_list("field", "new_value", "actor"))
    assert ("availability", "Monday 09:00–17:00", cast.provider_staff.pk) in history
    public = client.get(reverse("directory:service-detail", kwargs={"code": service.code})).content.decode()
    assert "When it is available" in public and "Monday 09:00–17:00" in public and "closed (Staff training)" in public


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [("17:00", "09:00", "The end time must be after the start time"), ("16:00", "18:00", "That overlaps Monday")],
)
def test_portal_availability_refuses_bad_windows(
    service: Service, client: Client, cast: Any, start: str, end: str, message: str
) -> None:
    client.force_login(cast.provider_owner)
    _add_window(client, service)

    response = _add_window(client, service, start=start, end=end)

    assert response.status_code == 400 and message in response.content.decode()
    assert AvailabilityWindow.objects.filter(service=service).count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"exception-date": "2020-01-01"}, "today or in the future"),
        ({"exception-date": "31/31/2031"}, "Enter a real date"),
        ({"exception-is_closed": "open"}, "Give the times it is open"),
        ({"exception-is_closed": ""}, "Choose closed or open"),
    ],
)
def test_portal_availability_refuses_bad_exceptions(
    service: Service, client: Client, cast: Any, overrides: dict[str, str], message: str
) -> None:
    client.force_login(cast.provider_owner)

    response = _add_exception(client, service, **overrides)

    assert response.status_code == 400 and message in response.content.decode()
    assert not AvailabilityException.objects.exists()


def test_portal_availability_open_at_other_times_and_removal(service: Service, client: Client, cast: Any) -> None:
    client.force_login(cast.provider_owner)
    _add_window(client, service)
    _add_exception(
        client, service, **{"exception-is_closed": "open", "exception-starts_at": "10:00", "exception-ends_at": "12:00"}
    )
    window = AvailabilityWindow.objects.get()
    exception = AvailabilityException.objects.get()
    assert (exception.is_closed, exception.starts_at, exception.ends_at) == (False, time(10), time(12))

    client.post(_url(service), {"action": "remove-window", "id": window.pk})
    client.post(_url(service), {"action": "remove-exception", "id": exception.pk})

    assert not AvailabilityWindow.objects.exists() and not AvailabilityException.objects.exists()
    removed = ServiceEdit.objects.filter(service=service, new_value="").values_list("old_value", flat=True)
    assert sorted(removed)[0].endswith("10:00–12:00") and "Monday 09:00–17:00" in removed


def test_portal_availability_of_another_provider_cannot_be_seen_or_changed(
    service: Service, client: Client, cast: Any
) -> None:
    theirs = make_service(provider=cast.other_provider)
    their_window = AvailabilityWindow.objects.create(service=theirs, weekday=1, starts_at=time(9), ends_at=time(10))
    client.force_login(cast.provider_owner)

    assert client.get(_url(theirs)).status_code == 404
    assert _add_window(client, theirs).status_code == 404
    # Nor through one's own listing's page, by another provider's window id.
    client.post(_url(service), {"action": "remove-window", "id": their_window.pk}, follow=True)
    assert AvailabilityWindow.objects.filter(pk=their_window.pk).exists()
    assert AvailabilityWindow.objects.filter(service=theirs).count() == 1


@pytest.mark.parametrize("who", ["outsider", "carer", "commissioner", "vetting_officer", "other_owner"])
def test_portal_availability_is_refused_to_everyone_else(service: Service, client: Client, cast: Any, who: str) -> None:
    user = make_provider_member(provider=cast.other_provider) if who == "other_owner" else getattr(cast, who)
    client.force_login(user)

    assert client.get(_url(service)).status_code == 404
    assert _add_window(client, service).status_code == 404
    assert not AvailabilityWindow.objects.exists()


def test_portal_availability_unknown_action_or_id_is_a_clear_message(
    service: Service, client: Client, cast: Any
) -> None:
    client.force_login(cast.provider_owner)

    unknown = client.post(_url(service), {"action": "explode"}, follow=True)
    bad_id = client.post(_url(service), {"action": "remove-window", "id": "abc"}, follow=True)

    assert "Choose what to change" in unknown.content.decode()
    assert "not in this listing" in bad_id.content.decode()
