"""Small presentation helpers shared by the pages and the API."""

from __future__ import annotations

from carehub.money import format_pence
from directory.models import Service


def service_price_text(service: Service) -> str:
    """``£24.50 per hour``, ``Price on request``, or "" when no price is given."""
    if service.price_on_request:
        return "Price on request"
    if service.price_pence is None:
        return ""
    unit = Service.PriceUnit(service.price_unit).label if service.price_unit else ""
    return f"{format_pence(service.price_pence)} {unit}".strip()
