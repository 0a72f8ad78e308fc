"""Background work for bookings (Celery beat)."""

from __future__ import annotations

from celery import shared_task

from . import bookings


@shared_task(acks_late=True)
def bookings_auto_complete_task() -> int:
    """Pay for care delivered more than 7 days ago that was neither confirmed nor disputed."""
    return bookings.booking_auto_complete_due()
