"""The provider portal's permission boundary: every view and API endpoint, for every role in the cast.

A member of one provider can never see the drafts of, or change, another provider's services.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import make_provider_member
from directory.models import Provider, Service, ServiceEdit
from directory.tests.factories import make_service

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast: Any) -> dict[str, Any]:
    other_owner = make_provider_member(provider=cast.other_provider)
    return {
        "ours": make_service(provider=cast.provider, name="Our draft", status=Service.Status.DRAFT),
        "theirs": make_service(provider=cast.other_provider, name="Their secret draft", status=Service.Status.DRAFT),
        "other_owner": other_owner,
    }


def _service_urls(service: Service) -> list[str]:
    return [
        reverse(f"directory:{name}", kwargs={"code": service.code})
        for name in ("portal-service", "portal-service-history")
    ]


def _provider_urls(provider: Provider) -> list[str]:
    return [
        reverse(f"directory:{name}", kwargs={"code": provider.code})
        for name in ("portal-provider", "portal-provider-edit", "portal-service-create")
    ]


@pytest.mark.parametrize("who", ["provider_owner", "provider_staff"])
def test_portal_members_can_open_their_own_pages(world: dict[str, Any], client: Client, cast: Any, who: str) -> None:
    client.force_login(getattr(cast, who))

    for url in [*_provider_urls(cast.provider), *_service_urls(world["ours"])]:
        assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["outsider", "carer", "commissioner", "vetting_officer", "other_owner"])
def test_portal_pages_of_another_provider_are_not_found(
    world: dict[str, Any], client: Client, cast: Any, who: str
) -> None:
    user = world["other_owner"] if who == "other_owner" else getattr(cast, who)
    client.force_login(user)

    for url in [*_provider_urls(cast.provider), *_service_urls(world["ours"])]:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize("action", ["publish", "unpublish", "confirm"])
def test_portal_status_changes_of_another_providers_service_are_refused(
    world: dict[str, Any], client: Client, cast: Any, action: str
) -> None:
    client.force_login(cast.provider_owner)
    theirs = world["theirs"]

    response = client.post(reverse(f"directory:portal-service-{action}", kwargs={"code": theirs.code}))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == Service.Status.DRAFT and not theirs.confirmations.exists()


def test_portal_edits_of_another_providers_service_and_profile_are_refused(
    world: dict[str, Any], client: Client, cast: Any
) -> None:
    client.force_login(cast.provider_owner)
    theirs = world["theirs"]

    edit = client.post(reverse("directory:portal-service", kwargs={"code": theirs.code}), {"name": "Hijacked"})
    profile = client.post(
        reverse("directory:portal-provider-edit", kwargs={"code": cast.other_provider.code}),
        {"name": "Hijacked", "kind": "organisation"},
    )
    create = client.post(
        reverse("directory:portal-service-create", kwargs={"code": cast.other_provider.code}), {"name": "Planted"}
    )

    assert (edit.status_code, profile.status_code, create.status_code) == (404, 404, 404)
    theirs.refresh_from_db()
    cast.other_provider.refresh_from_db()
    assert theirs.name == "Their secret draft" and cast.other_provider.name != "Hijacked"
    assert not Service.objects.filter(name="Planted").exists() and not ServiceEdit.objects.exists()


def test_portal_provider_page_lists_only_its_own_services(world: dict[str, Any], client: Client, cast: Any) -> None:
    client.force_login(cast.provider_owner)

    page = client.get(reverse("directory:portal-provider", kwargs={"code": cast.provider.code})).content.decode()
    home = client.get(reverse("directory:portal-home")).content.decode()

    assert "Our draft" in page and "Their secret draft" not in page
    assert cast.provider.name in home and cast.other_provider.name not in home


def test_portal_drafts_never_leak_through_the_public_page_or_search_api(
    world: dict[str, Any], client: Client, cast: Any
) -> None:
    client.force_login(cast.provider_owner)
    theirs = world["theirs"]
    make_service(provider=cast.other_provider, name="Their published draft-free service")

    page = client.get(reverse("directory:service-detail", kwargs={"code": theirs.code}))
    near = client.get("/api/v1/services/", {"lat": 55.8733, "lng": -4.2923, "q": "draft"})
    anywhere = client.get("/api/v1/services/", {"q": "draft"})
    own_page = client.get(reverse("directory:service-detail", kwargs={"code": world["ours"].code}))

    assert page.status_code == 404
    # Drafts are never in search results, not even one's own.
    assert near.status_code == anywhere.status_code == 200
    assert [r["name"] for r in near.json()["results"]] == ["Their published draft-free service"]
    assert [r["name"] for r in anywhere.json()["results"]] == ["Their published draft-free service"]
    assert own_page.status_code == 200 and "only people at" in own_page.content.decode()


@pytest.mark.parametrize(
    "name", ["portal-home", "portal-provider-create", "portal-provider", "portal-service", "portal-service-history"]
)
def test_portal_pages_need_sign_in(world: dict[str, Any], client: Client, cast: Any, name: str) -> None:
    kwargs = {}
    if name == "portal-provider":
        kwargs = {"code": cast.provider.code}
    elif name.startswith("portal-service"):
        kwargs = {"code": world["ours"].code}

    response = client.get(reverse(f"directory:{name}", kwargs=kwargs))

    assert response.status_code == 302 and "sign-in" in response["Location"]


def test_portal_status_changes_need_post(world: dict[str, Any], client: Client, cast: Any) -> None:
    client.force_login(cast.provider_owner)

    response = client.get(reverse("directory:portal-service-publish", kwargs={"code": world["ours"].code}))

    assert response.status_code == 405
