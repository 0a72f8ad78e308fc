"""Service page panels from issue 4: the register's grades (kept apart from people's ratings),
availability and freshness."""

from __future__ import annotations

from typing import Any

from django import template

from directory.claims.services import provider_is_claimed
from directory.models import Service
from directory.portal.selectors import (
    availability_exceptions,
    availability_windows,
    service_last_confirmed,
    service_needs_confirming,
)
from directory.registers.display import no_location_reason, service_registration

register = template.Library()


@register.inclusion_tag("directory/regulator/_panel.html", takes_context=True)
def regulator_panel(context: dict[str, Any], service: Service) -> dict[str, Any]:
    registration = service_registration(service)
    return {
        "request": context.get("request"),
        "service": service,
        "registration": registration,
        "grades": registration.grade_list() if registration else [],
        "stale": registration.grading_is_stale() if registration else False,
        "no_location_reason": no_location_reason(service, registration),
        "claimable": registration is not None
        and service.status == Service.Status.PUBLISHED
        and not provider_is_claimed(service.provider),
    }


@register.inclusion_tag("directory/regulator/_freshness.html")
def listing_freshness(service: Service) -> dict[str, Any]:
    """When the provider last confirmed the listing; flagged (never hidden) after 6 months."""
    last = service_last_confirmed(service=service)
    return {
        "last_confirmed": last,
        "stale": service_needs_confirming(last.confirmed_at if last else None, service.created_at) or last is None,
    }


@register.inclusion_tag("directory/regulator/_availability.html")
def listing_availability(service: Service) -> dict[str, Any]:
    """The listing's usual weekly times and upcoming changes, as the provider keeps them."""
    return {
        "windows": availability_windows(service=service),
        "exceptions": availability_exceptions(service=service)[:10],
    }
