"""/api/v1/portal/: a provider member's listings; every endpoint refuses everyone else."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import make_provider_member
from directory.models import Service, ServiceConfirmation, ServiceEdit
from directory.tests.factories import make_service
from directory.tests.register_fixtures import make_registration

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast: Any) -> dict[str, Service]:
    return {
        "ours": make_service(provider=cast.provider, name="Our draft", status=Service.Status.DRAFT),
        "theirs": make_service(provider=cast.other_provider, name="Their draft", status=Service.Status.DRAFT),
    }


def _url(name: str, service: Service | None = None) -> str:
    kwargs = {"code": service.code} if service else {}
    return reverse(f"directory-api:portal-service-{name}", kwargs=kwargs)


def test_portal_api_lists_only_the_members_listings_drafts_included(
    world: dict[str, Service], client: Client, cast: Any
) -> None:
    client.force_login(cast.provider_staff)

    body = client.get(_url("list")).json()

    assert [r["name"] for r in body["results"]] == ["Our draft"]
    assert body["results"][0]["status"] == "draft" and body["results"][0]["regulator"] is None


def test_portal_api_patch_changes_a_listing_and_keeps_history(
    world: dict[str, Service], client: Client, cast: Any
) -> None:
    client.force_login(cast.provider_owner)

    response = client.patch(
        _url("detail", world["ours"]),
        {"description": "Tea and bedtime", "price_pence": 2450, "price_unit": "hour"},
        content_type="application/json",
    )

    assert response.status_code == 200 and response.json()["price_pence"] == 2450
    edit = ServiceEdit.objects.get(service=world["ours"], field="description")
    assert (edit.old_value, edit.new_value, edit.actor) == ("", "Tea and bedtime", cast.provider_owner)


@pytest.mark.parametrize(
    ("body", "field"),
    [({"price_pence": -1}, "price_pence"), ({"price_unit": "fortnight"}, "price_unit"), ({"email": "x"}, "email")],
)
def test_portal_api_patch_refuses_bad_input(
    world: dict[str, Service], client: Client, cast: Any, body: dict[str, Any], field: str
) -> None:
    client.force_login(cast.provider_owner)

    response = client.patch(_url("detail", world["ours"]), body, content_type="application/json")

    assert response.status_code == 400 and field in response.json()
    assert not ServiceEdit.objects.exists()


def test_portal_api_register_fields_are_read_only(world: dict[str, Service], client: Client, cast: Any) -> None:
    make_registration(world["ours"])
    client.force_login(cast.provider_owner)

    response = client.patch(_url("detail", world["ours"]), {"name": "Renamed"}, content_type="application/json")

    assert response.status_code == 400
    assert response.json()["name"] == ["This comes from the Care Inspectorate register."]
    world["ours"].refresh_from_db()
    assert world["ours"].name == "Our draft"


def test_portal_api_publish_unpublish_confirm(world: dict[str, Service], client: Client, cast: Any) -> None:
    client.force_login(cast.provider_owner)
    ours = world["ours"]

    assert client.post(_url("publish", ours)).json()["status"] == "published"
    assert client.post(_url("unpublish", ours)).json()["status"] == "draft"
    assert client.post(_url("confirm", ours)).status_code == 200
    assert ServiceConfirmation.objects.filter(service=ours, confirmed_by=cast.provider_owner).exists()


def test_portal_api_publish_refused_when_the_register_no_longer_lists_it(
    world: dict[str, Service], client: Client, cast: Any
) -> None:
    make_registration(world["ours"], status="no_longer_registered")
    client.force_login(cast.provider_owner)

    response = client.post(_url("publish", world["ours"]))

    assert response.status_code == 409 and "does not list this service as active" in response.json()["detail"]


@pytest.mark.parametrize("who", ["provider_owner", "outsider", "carer", "commissioner", "vetting_officer"])
def test_portal_api_another_providers_listing_is_not_found_on_every_endpoint(
    world: dict[str, Service], client: Client, cast: Any, who: str
) -> None:
    client.force_login(getattr(cast, who))
    theirs = world["theirs"]

    assert client.get(_url("detail", theirs)).status_code == 404
    assert client.patch(_url("detail", theirs), {"name": "X"}, content_type="application/json").status_code == 404
    for action in ("publish", "unpublish", "confirm"):
        assert client.post(_url(action, theirs)).status_code == 404
    assert "Their draft" not in client.get(_url("list")).content.decode()
    theirs.refresh_from_db()
    assert (theirs.name, theirs.status) == ("Their draft", "draft") and not theirs.confirmations.exists()


def test_portal_api_other_providers_member_cannot_touch_ours(
    world: dict[str, Service], client: Client, cast: Any
) -> None:
    client.force_login(make_provider_member(provider=cast.other_provider))

    assert client.get(_url("detail", world["ours"])).status_code == 404
    assert client.post(_url("publish", world["ours"])).status_code == 404
    assert [r["name"] for r in client.get(_url("list")).json()["results"]] == ["Their draft"]


def test_portal_api_needs_sign_in(world: dict[str, Service], client: Client) -> None:
    assert client.get(_url("list")).status_code == 401
    assert client.get(_url("detail", world["ours"])).status_code == 401
    assert client.post(_url("publish", world["ours"])).status_code == 401
