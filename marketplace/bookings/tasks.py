"""Background work for bookings (Celery beat)."""

from __future__ import annotations

from celery import shared_task

from marketplace.bookings import services as bookings


@shared_task(name="marketplace.bookings_tasks.bookings_auto_complete_task", acks_late=True)
def bookings_auto_complete_task() -> int:
    """Pay for care delivered more than 7 days ago that was neither confirmed nor disputed."""
    return bookings.booking_auto_complete_due()


@shared_task(name="marketplace.bookings_tasks.recurring_plans_commit_task", acks_late=True)
def recurring_plans_commit_task() -> int:
    """Book (and commit the money for) the coming week of every active recurring plan."""
    from marketplace.bookings import plans as bookings_plans

    return bookings_plans.recurring_plans_commit_due()
