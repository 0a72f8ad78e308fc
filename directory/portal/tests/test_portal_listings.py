"""The provider portal: profiles and listings, register-sourced fields, edit history, publishing,
providers no regulator registers, and freshness."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import ProviderMembership
from directory.models import (
    Category,
    ClientGroup,
    Postcode,
    Provider,
    RegisteredProvider,
    Registration,
    Service,
    ServiceConfirmation,
    ServiceEdit,
)
from directory.tests.factories import make_service
from directory.tests.register_fixtures import make_categories, make_client_groups, make_registration

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def taxonomy(db: None) -> None:
    make_categories("help-at-home", "personal-care")
    make_client_groups("older-people")
    Postcode.objects.create(postcode="G12 8QQ", latitude=55.8733, longitude=-4.2923, precision="unit")


def _form(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Evening visits",
        "description": "Help with tea and bedtime.",
        "categories": ["help-at-home", "personal-care"],
        "client_groups": ["older-people"],
        "delivered_at_home": "on",
        "service_radius_miles": "5",
        "postcode": "g128qq",
        "price": "24.50",
        "price_unit": "hour",
        "phone": "0141 000 0000",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def _create(client: Client, provider: Provider, **overrides: Any) -> Any:
    return client.post(reverse("directory:portal-service-create", kwargs={"code": provider.code}), _form(**overrides))


def test_portal_create_listing_saves_a_geocoded_draft(client: Client, cast: Any) -> None:
    client.force_login(cast.provider_staff)

    response = _create(client, cast.provider)

    service = Service.objects.get(name="Evening visits")
    assert response.status_code == 302 and response["Location"].endswith(f"/portal/services/{service.code}/")
    assert service.status == Service.Status.DRAFT and service.provider == cast.provider
    assert (service.postcode, service.location_precision, service.latitude) == ("G12 8QQ", "unit", 55.8733)
    assert (service.price_pence, service.price_unit) == (2450, "hour")
    assert service.delivered_at_home and float(service.service_radius_miles) == 5.0
    assert {c.slug for c in service.categories.all()} == {"help-at-home", "personal-care"}
    assert [g.slug for g in service.client_groups.all()] == ["older-people"]
    assert ServiceConfirmation.objects.filter(service=service, confirmed_by=cast.provider_staff).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"name": ""}, "Enter a name"),
        ({"price": "-3"}, "The price cannot be negative"),
        ({"price": "lots"}, "Enter a price in pounds"),
        ({"price_unit": ""}, "Choose what the price is for"),
        ({"service_radius_miles": ""}, "Say how far you travel"),
        ({"postcode": "G12 8QC"}, "Enter a real postcode"),
        ({"categories": ["no-such-category"]}, "Select a valid choice"),
    ],
)
def test_portal_create_listing_refuses_bad_input(
    client: Client, cast: Any, overrides: dict[str, Any], message: str
) -> None:
    client.force_login(cast.provider_owner)

    response = _create(client, cast.provider, **overrides)

    assert response.status_code == 400
    assert message in response.content.decode() and "There is a problem" in response.content.decode()
    assert not Service.objects.exists()


def test_portal_publish_and_unpublish(client: Client, cast: Any) -> None:
    client.force_login(cast.provider_owner)
    _create(client, cast.provider)
    service = Service.objects.get()

    client.post(reverse("directory:portal-service-publish", kwargs={"code": service.code}))
    service.refresh_from_db()
    assert service.status == Service.Status.PUBLISHED
    found = client.get("/api/v1/services/", {"postcode": "G12 8QQ"}).json()["results"]
    assert [r["name"] for r in found] == ["Evening visits"] and found[0]["regulator"] is None

    client.post(reverse("directory:portal-service-unpublish", kwargs={"code": service.code}))
    service.refresh_from_db()
    assert service.status == Service.Status.DRAFT
    assert client.get("/api/v1/services/", {"postcode": "G12 8QQ"}).json()["count"] == 0
    statuses = list(ServiceEdit.objects.filter(service=service, field="status").values_list("old_value", "new_value"))
    assert sorted(statuses) == [("draft", "published"), ("published", "draft")]


def test_portal_cannot_republish_a_service_the_register_no_longer_lists(client: Client, cast: Any) -> None:
    service = make_service(provider=cast.provider, status=Service.Status.DRAFT)
    make_registration(service, status=Registration.Status.NO_LONGER_REGISTERED)
    client.force_login(cast.provider_owner)

    response = client.post(reverse("directory:portal-service-publish", kwargs={"code": service.code}), follow=True)

    assert "does not list this service as active" in response.content.decode()
    service.refresh_from_db()
    assert service.status == Service.Status.DRAFT


@pytest.fixture
def registered(cast: Any) -> Service:
    service = make_service(provider=cast.provider, name="Kelvin House", postcode="G12 8QQ", description="Old words")
    make_registration(service, registration_number="CS2003000150", registered_name="Kelvin House")
    RegisteredProvider.objects.create(
        regulator="ci", provider_number="SP2003000001", registered_name=cast.provider.name, provider=cast.provider
    )
    return service


def test_portal_register_fields_are_read_only_and_say_where_they_come_from(
    registered: Service, client: Client, cast: Any
) -> None:
    client.force_login(cast.provider_owner)
    url = reverse("directory:portal-service", kwargs={"code": registered.code})

    page = client.get(url).content.decode()
    response = client.post(url, _form(name="A better name", postcode="G20 7ZZ", description="New words"))

    assert "From the Care Inspectorate register" in page and "CS2003000150" in page
    assert 'name="name"' not in page and 'name="postcode"' not in page
    assert response.status_code == 302
    registered.refresh_from_db()
    assert (registered.name, registered.postcode, registered.description) == ("Kelvin House", "G12 8QQ", "New words")


def test_portal_edit_history_records_who_when_old_and_new(registered: Service, client: Client, cast: Any) -> None:
    client.force_login(cast.provider_staff)

    client.post(
        reverse("directory:portal-service", kwargs={"code": registered.code}),
        _form(description="New words", price="30", categories=["help-at-home"]),
    )

    edits = {e.field: e for e in ServiceEdit.objects.filter(service=registered)}
    assert (edits["description"].old_value, edits["description"].new_value) == ("Old words", "New words")
    assert (edits["price_pence"].old_value, edits["price_pence"].new_value) == ("2000", "3000")
    assert (edits["categories"].old_value, edits["categories"].new_value) == ("", "help-at-home")
    assert {e.actor for e in edits.values()} == {cast.provider_staff}
    assert all(timezone.now() - e.created_at < timedelta(minutes=1) for e in edits.values())
    page = client.get(reverse("directory:portal-service-history", kwargs={"code": registered.code})).content.decode()
    assert "Old words" in page and "New words" in page and cast.provider_staff.full_name in page


def test_portal_registered_provider_keeps_the_registers_name(registered: Service, client: Client, cast: Any) -> None:
    client.force_login(cast.provider_owner)
    url = reverse("directory:portal-provider-edit", kwargs={"code": cast.provider.code})

    page = client.get(url).content.decode()
    client.post(
        url, {"name": "Renamed", "kind": "organisation", "description": "We care.", "website": "kelvin.example"}
    )

    assert "From the Care Inspectorate register (SP2003000001)" in page
    cast.provider.refresh_from_db()
    assert (cast.provider.name, cast.provider.description) == ("Kelvin Companions", "We care.")
    assert cast.provider.website == "https://kelvin.example"
    edit = ServiceEdit.objects.get(provider=cast.provider, field="description")
    assert (edit.service, edit.old_value, edit.new_value, edit.actor) == (None, "", "We care.", cast.provider_owner)


def test_portal_provider_not_registered_with_a_regulator(client: Client, cast: Any) -> None:
    client.force_login(cast.outsider)

    response = client.post(
        reverse("directory:portal-provider-create"),
        {"name": "Olly's Support", "kind": "individual", "description": "Personal assistant in the West End."},
    )

    provider = Provider.objects.get(name="Olly's Support")
    assert response.status_code == 302
    membership = ProviderMembership.objects.get(provider=provider)
    assert (membership.user, membership.role) == (cast.outsider, ProviderMembership.Role.OWNER)
    page = client.get(reverse("directory:portal-provider", kwargs={"code": provider.code})).content.decode()
    assert "Not registered with a regulator" in page
    _create(client, provider)
    service = Service.objects.get(provider=provider)
    client.post(reverse("directory:portal-service-publish", kwargs={"code": service.code}))
    client.logout()
    public = client.get(reverse("directory:service-detail", kwargs={"code": service.code})).content.decode()
    assert "Not registered with a regulator — " in public and "see what CareHub checked" in public


def test_portal_provider_create_refuses_bad_input(client: Client, cast: Any) -> None:
    client.force_login(cast.outsider)

    response = client.post(reverse("directory:portal-provider-create"), {"name": "", "kind": "wizard"})

    assert response.status_code == 400 and "Enter the provider" in response.content.decode()
    assert not Provider.objects.filter(memberships__user=cast.outsider).exists()


def test_portal_confirming_details_shows_on_the_listing(client: Client, cast: Any) -> None:
    service = make_service(provider=cast.provider)
    client.force_login(cast.provider_owner)
    public_url = reverse("directory:service-detail", kwargs={"code": service.code})
    assert "Not confirmed in the last 6 months" in client.get(public_url).content.decode()

    client.post(reverse("directory:portal-service-confirm", kwargs={"code": service.code}))

    page = client.get(public_url).content.decode()
    assert f"last confirmed these details on {timezone.localdate():%-d %B %Y}" in page
    assert "Not confirmed in the last 6 months" not in page


def test_portal_listing_unconfirmed_for_six_months_is_flagged_not_hidden(client: Client, cast: Any) -> None:
    service = make_service(provider=cast.provider)
    ServiceConfirmation.objects.create(service=service, confirmed_at=timezone.now() - timedelta(days=200))
    client.force_login(cast.provider_owner)

    public = client.get(reverse("directory:service-detail", kwargs={"code": service.code}))
    portal = client.get(reverse("directory:portal-provider", kwargs={"code": cast.provider.code})).content.decode()

    assert public.status_code == 200 and "Not confirmed in the last 6 months" in public.content.decode()
    assert "Please confirm" in portal


def test_portal_forms_offer_the_seeded_taxonomy(client: Client, cast: Any) -> None:
    client.force_login(cast.provider_owner)

    page = client.get(reverse("directory:portal-service-create", kwargs={"code": cast.provider.code})).content.decode()

    assert all(f'value="{c.slug}"' in page for c in Category.objects.all())
    assert all(f'value="{g.slug}"' in page for g in ClientGroup.objects.all())
