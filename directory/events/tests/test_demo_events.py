"""The demo's invented events: made once, through the same service the portal uses."""

from __future__ import annotations

import pytest

from accounts.tests.factories import make_provider_member
from directory import demo
from directory.models import Event
from directory.tests.factories import make_postcode, make_provider

pytestmark = pytest.mark.django_db


def test_seed_events_makes_three_upcoming_events_once() -> None:
    for postcode in ["G11 5LW", "G3 6BY"]:
        make_postcode(postcode, 55.87, -4.30)
    provider = make_provider()
    owner = make_provider_member(provider=provider)
    assert demo.seed_events(provider=provider, owner=owner) == 3
    assert demo.seed_events(provider=provider, owner=owner) == 0
    assert Event.objects.filter(provider=provider).count() == 2
    assert Event.objects.filter(community_group__isnull=False).count() == 1


def test_seed_events_skips_without_a_postcode_table() -> None:
    provider = make_provider()
    assert demo.seed_events(provider=provider, owner=make_provider_member(provider=provider)) == 0
