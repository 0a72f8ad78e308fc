"""Shared fixtures: a small named cast in every test world, always with an
outsider who must be refused; markers for tests that need real services."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings

from accounts.models import PersonProfile, User
from accounts.tests import factories as af
from directory.models import Council, Provider
from directory.tests import factories as df

pytest_plugins = [
    "carehub.testing.clock",
    "marketplace.tests.fixtures",
    "marketplace.tests.booking_world",
    "accounts.notifications.tests.outbox_contract",
]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    on_postgres = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
    has_redis = bool(os.environ.get("REDIS_URL"))
    has_chromium = os.path.exists(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")) or shutil.which("chromium")
    in_ci = os.environ.get("CI", "").lower() == "true"
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL: set DATABASE_URL=postgres://..."))
        if "redis" in item.keywords and not has_redis:
            item.add_marker(pytest.mark.skip(reason="needs Redis: set REDIS_URL"))
        # In CI a missing browser is a failure, not a skip: the browser tests must run there.
        if "browser" in item.keywords and not has_chromium and not in_ci:
            item.add_marker(pytest.mark.skip(reason="needs Chromium at /usr/bin/chromium (apt-get install chromium)"))


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    # In CI the cache is Redis, shared by every test: start each one empty.
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _no_density_hints() -> None:
    # The search's density hints are per process: each test starts without any, so which
    # statements a search makes does not depend on the tests before it.
    from directory.search.selectors import _density

    _density.clear()


@dataclass
class Cast:
    council: Council
    other_council: Council
    provider: Provider
    other_provider: Provider
    person: PersonProfile  # uses care
    carer: User  # acts for person with every scope
    provider_owner: User
    provider_staff: User
    commissioner: User  # of council
    vetting_officer: User
    outsider: User  # signed in, linked to nothing: must be refused everywhere
    other_person: PersonProfile  # someone else's data


@pytest.fixture
def cast(db: Any) -> Cast:
    council = df.make_council(name="Glasgow City", gss_code="S12000049", slug="glasgow-city")
    other_council = df.make_council(name="City of Edinburgh", gss_code="S12000036", slug="city-of-edinburgh")
    provider = df.make_provider(name="Kelvin Companions")
    other_provider = df.make_provider(name="Forth Home Care")
    person = af.make_person()
    carer = af.make_user(full_name="Sam Carer")
    af.make_carer_link(carer=carer, person=person)
    return Cast(
        council=council,
        other_council=other_council,
        provider=provider,
        other_provider=other_provider,
        person=person,
        carer=carer,
        provider_owner=af.make_provider_member(provider=provider),
        provider_staff=af.make_provider_member(provider=provider, role="staff"),
        commissioner=af.make_commissioner(council=council),
        vetting_officer=af.make_vetting_officer(),
        outsider=af.make_user(full_name="Olly Outsider"),
        other_person=af.make_person(),
    )
