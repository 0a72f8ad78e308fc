"""List pages and endpoints of the portal and the claims queue: no query per row (no N+1)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from accounts.models import ProviderMembership
from accounts.tests.factories import make_user
from directory.models import ListingClaim, ServiceConfirmation
from directory.tests.factories import make_provider, make_service
from directory.tests.register_fixtures import make_registration

pytestmark = pytest.mark.django_db


def _queries_do_not_grow(
    django_assert_max_num_queries: Any, fetch: Callable[[], Any], add_rows: Callable[[int], None]
) -> None:
    add_rows(1)
    fetch()
    with django_assert_max_num_queries(50) as few:
        fetch()
    add_rows(10)
    with django_assert_max_num_queries(len(few.captured_queries)):
        fetch()


def test_portal_queries_provider_page_and_api_list(
    client: Client, cast: Any, django_assert_max_num_queries: Any
) -> None:
    client.force_login(cast.provider_owner)

    def add(n: int) -> None:
        for _ in range(n):
            service = make_service(provider=cast.provider)
            make_registration(service)
            ServiceConfirmation.objects.create(service=service)

    page = reverse("directory:portal-provider", kwargs={"code": cast.provider.code})
    _queries_do_not_grow(django_assert_max_num_queries, lambda: client.get(page), add)
    api = reverse("directory-api:portal-service-list")
    _queries_do_not_grow(django_assert_max_num_queries, lambda: client.get(api), add)


def test_portal_queries_claims_queue(
    client: Client, cast: Any, django_assert_max_num_queries: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(cast.vetting_officer)

    def add(n: int) -> None:
        for _ in range(n):
            service = make_service(provider=make_provider())
            ListingClaim.objects.create(
                provider=service.provider,
                service=service,
                claimant=make_user(),
                job_title="Manager",
                evidence=SimpleUploadedFile("a.pdf", b"%PDF"),
            )

    _queries_do_not_grow(django_assert_max_num_queries, lambda: client.get(reverse("directory:claim-queue")), add)


def test_portal_queries_home_for_an_officer_with_providers_and_claims(
    client: Client, cast: Any, django_assert_max_num_queries: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    client.force_login(cast.vetting_officer)

    def add(n: int) -> None:
        for _ in range(n):
            provider = make_provider()
            ProviderMembership.objects.create(provider=provider, user=cast.vetting_officer)
            ListingClaim.objects.create(
                provider=make_service().provider,
                service=None,
                claimant=cast.vetting_officer,
                job_title="Manager",
                evidence=SimpleUploadedFile("a.pdf", b"%PDF"),
            )

    _queries_do_not_grow(django_assert_max_num_queries, lambda: client.get(reverse("directory:portal-home")), add)
