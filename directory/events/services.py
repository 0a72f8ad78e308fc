"""Writes for events: a provider's staff add, change and remove their own events."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from accounts.models import User
from accounts.permissions import Action, require
from accounts.services import audit_record
from carehub.errors import DomainError
from carehub.postcodes import normalise_postcode
from directory.geo.selectors import postcode_lookup
from directory.models import Event, Provider

EVENT_FIELDS = ("title", "description", "venue", "postcode", "starts_at", "ends_at", "cost_pence", "how_to_book",
                "published")  # fmt: skip


def event_locate(*, event: Event) -> None:
    """Normalise the event's postcode and set its position (unit, else sector, else district).

    Raises DomainError on the postcode field when even the district is unknown, so the event
    could never be found by a distance search."""
    event.postcode = normalise_postcode(event.postcode)
    row = postcode_lookup(postcode=event.postcode)
    if row is None:
        raise DomainError(f"We could not find {event.postcode}: check the postcode", field="postcode")
    event.latitude, event.longitude = row.latitude, row.longitude


def _apply(event: Event, data: dict[str, Any]) -> None:
    for name in EVENT_FIELDS:
        if name in data:
            setattr(event, name, data[name])
    if event.ends_at <= event.starts_at:
        raise DomainError("The end time must be after the start time", field="end_time")
    event_locate(event=event)


@transaction.atomic
def event_create(*, actor: User, provider: Provider, data: dict[str, Any]) -> Event:
    """List a new event for the provider. Raises NotPermitted unless the actor manages it."""
    require(actor, Action.PROVIDER_MANAGE, provider)
    event = Event(provider=provider)
    _apply(event, data)
    event.save()
    audit_record(actor=actor, action="event.create", obj=event, provider=provider.pk, title=event.title)
    return event


@transaction.atomic
def event_update(*, actor: User, event: Event, data: dict[str, Any]) -> Event:
    """Change one of the provider's events."""
    require(actor, Action.PROVIDER_MANAGE, event.provider)
    event = Event.objects.select_for_update().get(pk=event.pk)
    before = {name: str(getattr(event, name)) for name in EVENT_FIELDS}
    _apply(event, data)
    event.save()
    after = {name: str(getattr(event, name)) for name in EVENT_FIELDS}
    changed = {name: [before[name], after[name]] for name in EVENT_FIELDS if before[name] != after[name]}
    audit_record(actor=actor, action="event.update", obj=event, changed=changed)
    return event


@transaction.atomic
def event_delete(*, actor: User, event: Event) -> None:
    """Remove one of the provider's events (a cancelled one, say)."""
    require(actor, Action.PROVIDER_MANAGE, event.provider)
    audit_record(actor=actor, action="event.delete", obj=event, provider=event.provider_id, title=event.title)
    event.delete()
