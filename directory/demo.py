"""Demo directory data for `manage.py seed_demo`. Idempotent."""

from __future__ import annotations

from django.db import transaction

from .models import Council, Nation, Provider, Service


@transaction.atomic
def seed() -> tuple[Provider, Council]:
    # The postcode data (Code-Point Open 2014) names Glasgow City by its 2014 GSS code;
    # reuse whatever the postcode loader created so demo and geography agree.
    council = Council.objects.filter(name="Glasgow City").first() or Council.objects.create(
        gss_code="S12000046", name="Glasgow City", nation=Nation.SCOTLAND, slug="glasgow-city"
    )
    provider, _ = Provider.objects.get_or_create(
        name="Kelvin Companions", defaults={"kind": Provider.Kind.ORGANISATION, "phone": "0141 496 0000"}
    )
    Service.objects.get_or_create(
        provider=provider,
        name="Kelvin Companions – help at home",
        defaults={
            "description": "Friendly help at home: personal care, meals, shopping and company.",
            "delivered_at_location": False,
            "delivered_at_home": True,
            "service_radius_miles": 5,
            "postcode": "G12 8QQ",
            "latitude": 55.8733,
            "longitude": -4.2923,
            "location_precision": "unit",
            "council": council,
            "price_pence": 2450,
            "price_unit": Service.PriceUnit.HOUR,
            "status": Service.Status.PUBLISHED,
        },
    )
    return provider, council
