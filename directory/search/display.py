"""Small presentation helpers shared by the pages and the API."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.template.defaultfilters import floatformat

from carehub.money import format_pence
from carehub.templatetags.links import reverse_fixed
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


def service_detail_url_parts() -> tuple[str, str]:
    """A service page's URL either side of its code, as reverse() gives it: a page of results
    puts each code in between instead of calling reverse() per row."""
    placeholder = "00000000-0000-0000-0000-000000000000"
    prefix, suffix = reverse_fixed("directory:service-detail", code=placeholder).split(placeholder)
    return prefix, suffix


_TENTH = Decimal("0.1")


def one_decimal(value: Any) -> str:
    """What the filter floatformat:1 shows (the same half-up rounding of the same digits), without
    its cost; anything but an ordinary non-negative float goes through the filter itself."""
    if type(value) is float:
        if value == 0:
            return "0.0"  # -0.0 too
        if 1e-6 <= value < 1e15:
            return str(Decimal(repr(value)).quantize(_TENTH, ROUND_HALF_UP))
    return floatformat(value, 1)
