"""The "Add to shortlist" button on results and service pages (issue 15)."""

from __future__ import annotations

from typing import Any

from django import template

from directory.models import Service
from marketplace.choosing.selectors import shortlisted_service_ids

register = template.Library()


@register.inclusion_tag("marketplace/choosing/_shortlist_button.html", takes_context=True)
def shortlist_button(context: dict[str, Any], service: Service, postcode: str = "") -> dict[str, Any]:
    request = context.get("request")
    if request is None:
        return {"show": False}
    # One query per page, not one per result: the ids are kept on the request.
    if not hasattr(request, "_shortlisted_ids"):
        request._shortlisted_ids = shortlisted_service_ids(user=request.user, session=request.session)
    return {
        "show": service.status == Service.Status.PUBLISHED,
        "service": service,
        "postcode": postcode or "",
        "on_list": service.pk in request._shortlisted_ids,
        "next": request.get_full_path(),
        "csrf_token": context.get("csrf_token"),
    }
