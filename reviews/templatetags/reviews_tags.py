"""The reviews panel on a service page, and star helpers. People's ratings only: the
regulator's grades have their own panel (directory's regulator tags) and never mix with these."""

from __future__ import annotations

from typing import Any

from django import template

from directory.models import Service
from reviews import selectors

register = template.Library()


@register.filter
def stars(value: Any) -> str:
    """'★★★★☆' for 4 (rounded for averages); decorative, so templates mark it aria-hidden."""
    try:
        n = max(0, min(5, round(float(value))))
    except (TypeError, ValueError):
        return ""
    return "★" * n + "☆" * (5 - n)


@register.inclusion_tag("reviews/_service_section.html", takes_context=True)
def reviews_section(context: dict[str, Any], service: Service) -> dict[str, Any]:
    request = context.get("request")
    user = getattr(request, "user", None)
    sort = request.GET.get("sort", "newest") if request is not None else "newest"
    sort = sort if sort in selectors.SORTS else "newest"
    signed_in = bool(user and user.is_authenticated)
    return {
        "request": request,
        "service": service,
        "sort": sort,
        "signed_in": signed_in,
        "user_id": user.pk if signed_in else None,
        **selectors.review_section_for_user(user=user, service=service, sort=sort),
    }
