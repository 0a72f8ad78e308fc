"""Builders for the directory: make_<thing>(**overrides)."""

from __future__ import annotations

import itertools
from datetime import time, timedelta
from typing import Any

from carehub import clock
from directory.models import (
    AdvicePage,
    Category,
    ClientGroup,
    CommunityGroup,
    Council,
    Event,
    Nation,
    Postcode,
    Provider,
    Service,
)

_seq = itertools.count(1)


def make_council(**overrides: Any) -> Council:
    n = next(_seq)
    fields = {"gss_code": f"S12{n:06d}", "name": f"Council {n}", "nation": Nation.SCOTLAND, "slug": f"council-{n}"}
    fields.update(overrides)
    return Council.objects.create(**fields)


def make_provider(**overrides: Any) -> Provider:
    n = next(_seq)
    return Provider.objects.create(**{"name": f"Provider {n}", **overrides})


def make_service(**overrides: Any) -> Service:
    n = next(_seq)
    provider = overrides.pop("provider", None) or make_provider()
    categories = overrides.pop("categories", [])
    client_groups = overrides.pop("client_groups", [])
    fields: dict[str, Any] = {
        "name": f"Service {n}",
        "postcode": "G12 8QQ",
        "latitude": 55.8733,
        "longitude": -4.2923,
        "location_precision": "unit",
        "status": Service.Status.PUBLISHED,
        "price_pence": 2000,
        "price_unit": Service.PriceUnit.HOUR,
    }
    fields.update(overrides)
    service = Service.objects.create(provider=provider, **fields)
    if categories:
        service.categories.set(categories)
    if client_groups:
        service.client_groups.set(client_groups)
    return service


def make_postcode(postcode: str, latitude: float, longitude: float, **overrides: Any) -> Postcode:
    """A geocoded postcode; precision follows the shape ("G12 8QQ" unit, "G12 8" sector, "G12" district)."""
    precision = "unit" if len(postcode.split(" ")) == 2 and len(postcode.split(" ")[1]) == 3 else "sector"
    if " " not in postcode:
        precision = "district"
    fields: dict[str, Any] = {"precision": precision, "source": "test"}
    fields.update(overrides)
    return Postcode.objects.create(postcode=postcode, latitude=latitude, longitude=longitude, **fields)


def category(slug: str) -> Category:
    """A category seeded by the taxonomy migration."""
    return Category.objects.get(slug=slug)


def client_group(slug: str) -> ClientGroup:
    return ClientGroup.objects.get(slug=slug)


def make_advice_page(**overrides: Any) -> AdvicePage:
    n = next(_seq)
    fields: dict[str, Any] = {
        "title": f"Advice {n}",
        "slug": f"advice-{n}",
        "summary": f"Summary {n}",
        "body": "First paragraph.\n\nSecond paragraph.",
        "published": True,
    }
    fields.update(overrides)
    return AdvicePage.objects.create(**fields)


def make_community_group(**overrides: Any) -> CommunityGroup:
    n = next(_seq)
    return CommunityGroup.objects.create(**{"name": f"Community group {n}", **overrides})


def make_event(**overrides: Any) -> Event:
    """An event tomorrow (UK date) from 10:00 to 12:00 at G12 8QQ, run by a new provider
    unless a provider or community_group is given."""
    n = next(_seq)
    if "provider" not in overrides and "community_group" not in overrides:
        overrides["provider"] = make_provider()
    day = overrides.pop("day", clock.today() + timedelta(days=1))
    fields: dict[str, Any] = {
        "title": f"Event {n}",
        "venue": "Partick Burgh Hall, 9 Burgh Hall Street",
        "postcode": "G12 8QQ",
        "latitude": 55.8733,
        "longitude": -4.2923,
        "starts_at": clock.at_local_or_after(day, time(10)),
        "ends_at": clock.at_local_or_after(day, time(12)),
        "cost_pence": 0,
        "how_to_book": "Just turn up",
    }
    fields.update(overrides)
    return Event.objects.create(**fields)
