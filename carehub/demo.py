"""Shared helpers for the demo data of `manage.py seed_demo` (development data only)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.apps import apps
from django.utils import timezone

# The clock as Django defines it: model fields captured this function as their default.
_DJANGO_NOW = timezone.now


@contextmanager
def replay_clock(at: datetime) -> Iterator[None]:
    """Run the real services as if the clock said `at` (moving on as real time passes).

    The demo's history (a booking delivered last week, a review published since) goes
    through the same services as a live request, so every rule applies as of that moment;
    the services read the time from `timezone.now()`, and some rows take it as a field
    default (`default=timezone.now`, captured when the model was defined), so both are
    pointed at the replayed clock. Nests. Demo seeding only: never in a request or task.
    """
    outer_now = timezone.now
    offset = outer_now() - at

    def replayed() -> datetime:
        return outer_now() - offset

    fields = [
        field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if getattr(field, "default", None) is _DJANGO_NOW
    ]
    # Field.get_default() calls the cached `_get_default`; put back whatever was there before.
    saved = [field.__dict__.get("_get_default") for field in fields]
    timezone.now = replayed
    for field in fields:
        field.__dict__["_get_default"] = replayed
    try:
        yield
    finally:
        timezone.now = outer_now
        for field, before in zip(fields, saved, strict=True):
            if before is None:
                field.__dict__.pop("_get_default", None)
            else:
                field.__dict__["_get_default"] = before
