"""'Vetted on <date>' with what was checked and when, for results and service pages (issue 8)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import template

from directory.models import Service
from directory.vetting.selectors import vetting_public

register = template.Library()


def _display(service: Service) -> dict[str, Any] | None:
    public = vetting_public(service.provider)
    if public is None:
        return None
    return {
        "vetted_on_date": date.fromisoformat(public["vetted_on"]),
        "checks": [{**c, "checked_on_date": date.fromisoformat(c["checked_on"])} for c in public["checks"]],
    }


@register.inclusion_tag("directory/vetting/_status.html")
def vetting_badge(service: Service) -> dict[str, Any]:
    return {"vetting": _display(service)}


@register.inclusion_tag("directory/vetting/_panel.html")
def vetting_panel(service: Service) -> dict[str, Any]:
    return {"vetting": _display(service), "provider_name": service.provider.name}
