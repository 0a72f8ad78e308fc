"""'Vetted on <date>' with what was checked and when, for results and service pages (issue 8)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template

from directory.models import Service
from directory.vetting.selectors import vetting_public

register = template.Library()


def vetting_dates(public: dict[str, Any] | None) -> dict[str, Any] | None:
    """vetting_public's outcome with its dates as dates, for the date filter."""
    if public is None:
        return None
    return {
        "vetted_on_date": date.fromisoformat(public["vetted_on"]),
        "checks": [{**c, "checked_on_date": date.fromisoformat(c["checked_on"])} for c in public["checks"]],
    }


@register.inclusion_tag("directory/vetting/_panel.html")
def vetting_panel(service: Service) -> dict[str, Any]:
    return {"vetting": vetting_dates(vetting_public(service.provider)), "provider_name": service.provider.name}
