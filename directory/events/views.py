"""Event pages: the public search and an event's page and calendar file; a provider's
events in the portal (looked up through the *_for_member selectors, 404 for anyone else)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from carehub import clock
from carehub.errors import DomainError
from carehub.forms import add_domain_error, form_status, form_submit, posted
from carehub.money import format_pence
from directory.events import selectors, services
from directory.events.calendar import event_ics
from directory.events.forms import EventForm, EventSearchForm
from directory.portal.selectors import provider_get_for_member
from directory.search.selectors import Origin, search_origin

PAGE_SIZE = 20


def event_search(request: HttpRequest) -> HttpResponse:
    if not request.GET:
        return render(request, "directory/events/search.html", {"form": EventSearchForm()})
    form = EventSearchForm(request.GET)
    origin: Origin | None = None
    if form.is_valid():
        try:
            origin = search_origin(postcode=form.cleaned_data["postcode"])
        except DomainError as exc:
            add_domain_error(form, exc, default_field="postcode")
    if origin is None:
        return render(request, "directory/events/search.html", {"form": form}, status=400)
    data = form.cleaned_data
    events = selectors.event_search(
        origin=origin, radius_miles=data["radius_miles"], date_from=data["date_from"], date_to=data["date_to"]
    )
    page = Paginator(events, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"form": form, "origin": origin, "radius": data["radius_miles"], "page": page}
    return render(request, "directory/events/search.html", context)


def event_detail(request: HttpRequest, code: UUID) -> HttpResponse:
    event = selectors.event_get_public(code=code)
    context = {"event": event, "is_over": event.ends_at <= clock.now(), "cost": _cost(event.cost_pence)}
    return render(request, "directory/events/detail.html", context)


def event_calendar(request: HttpRequest, code: UUID) -> HttpResponse:
    event = selectors.event_get_public(code=code)
    url = request.build_absolute_uri(reverse("directory:event-detail", kwargs={"code": event.code}))
    response = HttpResponse(event_ics(event=event, url=url), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.code}.ics"'
    return response


def _cost(pence: int) -> str:
    return "Free" if not pence else format_pence(pence)


# --- The provider portal --------------------------------------------------------------


@login_required
def portal_provider_events(request: HttpRequest, code: UUID) -> HttpResponse:
    provider = provider_get_for_member(user=request.user, code=code)
    events = list(selectors.event_list_for_provider(provider=provider))
    now = clock.now()
    context = {
        "provider": provider,
        "upcoming": [e for e in reversed(events) if e.ends_at > now],
        "past": [e for e in events if e.ends_at <= now],
    }
    return render(request, "directory/events/portal_list.html", context)


@login_required
def portal_provider_event_create(request: HttpRequest, code: UUID) -> HttpResponse:
    provider = provider_get_for_member(user=request.user, code=code)
    form = EventForm(posted(request))
    if response := form_submit(
        request,
        form,
        lambda data: services.event_create(actor=request.user, provider=provider, data=data),
        success_message=lambda event: f"{event.title} is listed",
        redirect_to=reverse("directory:portal-provider-events", kwargs={"code": provider.code}),
    ):
        return response
    context = {"form": form, "provider": provider}
    return render(request, "directory/events/portal_form.html", context, status=form_status(form))


@login_required
def portal_event_edit(request: HttpRequest, code: UUID) -> HttpResponse:
    event = selectors.event_get_for_member(user=request.user, code=code)
    form = EventForm(posted(request), initial=EventForm.initial_for(event))
    provider = event.provider
    if response := form_submit(
        request,
        form,
        lambda data: services.event_update(actor=request.user, event=event, data=data),
        success_message=lambda event: f"{event.title} is updated",
        redirect_to=reverse("directory:portal-provider-events", kwargs={"code": provider.code}),
    ):
        return response
    context = {"form": form, "provider": provider, "event": event}
    return render(request, "directory/events/portal_form.html", context, status=form_status(form))


@login_required
@require_POST
def portal_event_delete(request: HttpRequest, code: UUID) -> HttpResponse:
    event = selectors.event_get_for_member(user=request.user, code=code)
    provider_code = event.provider.code
    services.event_delete(actor=request.user, event=event)
    messages.success(request, f"{event.title} is removed")
    return redirect("directory:portal-provider-events", code=provider_code)
