"""Small presentation helpers shared by the pages and the API."""

from __future__ import annotations

from carehub.money import format_pence
from directory.models import Service


def service_price_text(service: Service) -> str:
    """``£24.50 per hour``, ``Price on request``, or "" when no price is given."""
    return price_text(service.price_on_request, service.price_pence, service.price_unit)


def price_text(on_request: bool, pence: int | None, unit: str) -> str:
    """service_price_text from a service's three price columns."""
    if on_request:
        return "Price on request"
    if pence is None:
        return ""
    label = _UNIT_LABELS[unit] if unit else ""
    return f"{format_pence(pence)} {label}".strip()


_UNIT_LABELS = {unit.value: str(unit.label) for unit in Service.PriceUnit}
