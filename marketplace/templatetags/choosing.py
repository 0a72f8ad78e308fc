"""The "Add to shortlist" button on results and service pages (issue 15).

A service page renders the button with {% shortlist_button %}. The results page writes its
twenty out in its own loop, with what they share from {% shortlist_buttons as shortlist %}, so
as not to render a sub-template per result; its copy of the markup must stay the same as
_shortlist_button.html's (marketplace/choosing/tests/test_choosing_pages.py checks it)."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import HttpRequest
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse

from directory.models import Service
from marketplace.choosing.selectors import shortlisted_service_ids

register = template.Library()


def _page_state(request: HttpRequest) -> dict[str, Any]:
    """What every button on the page shares, worked out once per request, not once per result:
    the shortlisted ids (one query), the two links and where to come back to."""
    state = getattr(request, "_shortlist_buttons", None)
    if state is None:
        state = request._shortlist_buttons = {
            "ids": shortlisted_service_ids(user=request.user, session=request.session),
            "add_url": reverse("marketplace:shortlist-add"),
            "list_url": reverse("marketplace:shortlist"),
            "next": request.get_full_path(),
        }
    return state


@register.inclusion_tag("marketplace/choosing/_shortlist_button.html", takes_context=True)
def shortlist_button(context: dict[str, Any], service: Service, postcode: str = "") -> dict[str, Any]:
    request = context.get("request")
    if request is None:
        return {"show": False}
    state = _page_state(request)
    return {
        "show": service.status == Service.Status.PUBLISHED,
        "service": service,
        "postcode": postcode or "",
        "on_list": service.pk in state["ids"],
        "add_url": state["add_url"],
        "list_url": state["list_url"],
        "next": state["next"],
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def shortlist_buttons(context: dict[str, Any]) -> dict[str, Any]:
    """What every button of a results page shares, for a template that writes them out itself;
    csrf_input is what {% csrf_token %} writes, rendered once for them all."""
    request = context.get("request")
    if request is None:
        return {"show": False}
    csrf_input = CsrfTokenNode().render(context)
    return {"show": True, "published": Service.Status.PUBLISHED, "csrf_input": csrf_input, **_page_state(request)}
