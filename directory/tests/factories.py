"""Builders for the directory: make_<thing>(**overrides)."""

from __future__ import annotations

import itertools
from typing import Any

from directory.models import Category, ClientGroup, Council, Nation, Postcode, Provider, Service

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
