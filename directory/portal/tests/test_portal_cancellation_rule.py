"""The provider's cancellation rule per listing: set in the portal within limits, with clear errors,
recorded in the listing's history; another provider's members get 404."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEvent
from accounts.tests.factories import make_provider_member
from carehub.errors import DomainError
from directory.models import Service, ServiceEdit
from directory.portal.services import service_cancellation_rule_set
from directory.tests.factories import make_service

pytestmark = pytest.mark.django_db


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def service(cast: Any) -> Service:
    return make_service(provider=cast.provider, name="Home help")


def rule_url(service: Service) -> str:
    return reverse("directory:portal-service-cancellation", kwargs={"code": service.code})


def test_listing_starts_with_the_default_rule(service: Service) -> None:
    assert (service.free_cancellation_hours, service.late_cancellation_percent) == (24, 100)
    expected = "Free to cancel until 24 hours before it starts. If you cancel later, you pay the full price."
    assert service.cancellation_rule == expected


@pytest.mark.parametrize("who", ["provider_owner", "provider_staff"])
def test_provider_members_set_the_rule_and_it_is_recorded(cast: Any, service: Service, who: str) -> None:
    client = client_for(getattr(cast, who))
    page = client.get(rule_url(service))
    assert page.status_code == 200 and "Now: Free to cancel until 24 hours" in page.content.decode()

    response = client.post(rule_url(service), {"free_cancellation_hours": "48", "late_cancellation_percent": "50"})

    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.free_cancellation_hours, service.late_cancellation_percent) == (48, 50)
    assert service.cancellation_rule == (
        "Free to cancel until 48 hours before it starts. If you cancel later, you pay 50% of the price."
    )
    edits = ServiceEdit.objects.filter(service=service).values_list("field", "old_value", "new_value")
    assert set(edits) == {("free_cancellation_hours", "24", "48"), ("late_cancellation_percent", "100", "50")}
    audit = AuditEvent.objects.get(action="service.cancellation_rule", object_id=str(service.pk))
    assert audit.actor == getattr(cast, who) and audit.detail["free_cancellation_hours"] == {"before": 24, "after": 48}


def test_a_rule_with_no_charge_reads_as_free_at_any_time(cast: Any, service: Service) -> None:
    client_for(cast.provider_owner).post(
        rule_url(service), {"free_cancellation_hours": "0", "late_cancellation_percent": "0"}
    )
    service.refresh_from_db()
    assert service.cancellation_rule == "You can cancel at any time at no cost."


@pytest.mark.parametrize(
    ("hours", "percent", "message"),
    [
        ("169", "50", "The notice can be at most 168 hours (one week)"),
        ("-1", "50", "The notice cannot be less than 0 hours"),
        ("a day", "50", "Enter the notice as a whole number of hours"),
        ("", "50", "Enter the notice in hours"),
        ("24", "101", "The percentage can be at most 100"),
        ("24", "-5", "The percentage cannot be less than 0"),
        ("24", "12.5", "Enter the percentage as a whole number"),
    ],
)
def test_rule_outside_the_limits_is_refused_with_a_clear_error(
    cast: Any, service: Service, hours: str, percent: str, message: str
) -> None:
    response = client_for(cast.provider_owner).post(
        rule_url(service), {"free_cancellation_hours": hours, "late_cancellation_percent": percent}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in html and message in html
    service.refresh_from_db()
    assert (service.free_cancellation_hours, service.late_cancellation_percent) == (24, 100)


def test_the_service_refuses_a_rule_outside_the_limits_whoever_calls(cast: Any, service: Service) -> None:
    for hours, percent in ((169, 0), (24, 101), (-1, 0), (True, 0)):
        with pytest.raises(DomainError):
            service_cancellation_rule_set(
                actor=cast.provider_owner,
                service=service,
                free_cancellation_hours=hours,
                late_cancellation_percent=percent,
            )


@pytest.mark.parametrize("who", ["other_owner", "outsider", "commissioner", "vetting_officer", "carer"])
def test_rule_of_another_providers_listing_is_not_found(cast: Any, service: Service, who: str) -> None:
    user = make_provider_member(provider=cast.other_provider) if who == "other_owner" else getattr(cast, who)
    client = client_for(user)
    assert client.get(rule_url(service)).status_code == 404
    assert (
        client.post(rule_url(service), {"free_cancellation_hours": "0", "late_cancellation_percent": "0"}).status_code
        == 404
    )
    service.refresh_from_db()
    assert (service.free_cancellation_hours, service.late_cancellation_percent) == (24, 100)


def test_listing_page_links_to_its_cancellation_rule(cast: Any, service: Service) -> None:
    page = client_for(cast.provider_owner).get(reverse("directory:portal-service", kwargs={"code": service.code}))
    assert rule_url(service) in page.content.decode()
