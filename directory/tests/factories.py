"""Builders for the directory: make_<thing>(**overrides)."""

from __future__ import annotations

import itertools
from typing import Any

from directory.models import Council, Nation, Provider, Service

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
    return service
