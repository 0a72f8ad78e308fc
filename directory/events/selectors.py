"""Reads for events: the public search (near a postcode, between two dates, upcoming only)
and a provider's own events in the portal."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.db import models
from django.db.models import ExpressionWrapper, F, QuerySet, Value
from django.http import Http404

from carehub import clock
from directory.models import Event, Provider
from directory.search.selectors import KM_PER_MILE, Origin, bounding_box, distance_km_expression


def event_upcoming() -> QuerySet[Event]:
    """Published events that have not ended yet, relative to clock.now(): past events drop out."""
    return (
        Event.objects.filter(published=True, ends_at__gt=clock.now())
        .select_related("provider", "community_group")
        .order_by("starts_at", "id")
    )


def event_search(
    *, origin: Origin, radius_miles: float, date_from: date | None = None, date_to: date | None = None
) -> QuerySet[Event]:
    """Upcoming events within `radius_miles` of the origin, annotated with ``distance_miles``,
    that are on between `date_from` and `date_to` (UK dates, both inclusive), soonest first."""
    radius_km = float(radius_miles) * KM_PER_MILE
    min_lat, max_lat, min_lng, max_lng = bounding_box(origin, radius_km)
    qs = (
        event_upcoming()
        .filter(latitude__gte=min_lat, latitude__lte=max_lat, longitude__gte=min_lng, longitude__lte=max_lng)
        .annotate(distance_km=distance_km_expression(origin))
        .annotate(
            distance_miles=ExpressionWrapper(F("distance_km") / Value(KM_PER_MILE), output_field=models.FloatField())
        )
        .filter(distance_km__lte=radius_km)
    )
    # An event is "on" a day when it overlaps that UK day at all.
    if date_from is not None:
        qs = qs.filter(ends_at__gt=clock.day_start(date_from))
    if date_to is not None:
        qs = qs.filter(starts_at__lt=clock.day_start(date_to + timedelta(days=1)))
    return qs.order_by("starts_at", "distance_km", "id")


def event_get_public(*, code: Any) -> Event:
    """A published event's page (past ones too, marked as over); a draft is a 404."""
    event = Event.objects.select_related("provider", "community_group").filter(code=code, published=True).first()
    if event is None:
        raise Http404("No such event")
    return event


def event_list_for_provider(*, provider: Provider) -> QuerySet[Event]:
    """All of a provider's events for its portal page, upcoming first, then the past ones."""
    return provider.events.order_by("-ends_at", "id")


def event_get_for_member(*, user: Any, code: Any) -> Event:
    """An event of a provider the user is a member of; 404 otherwise, so nothing leaks."""
    if not user.is_authenticated:
        raise Http404("No such event")
    event = (
        Event.objects.select_related("provider").filter(code=code, provider__memberships__user=user).distinct().first()
    )
    if event is None:
        raise Http404("No such event")
    return event
