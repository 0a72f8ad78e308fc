"""Celery tasks for the provider portal (names kept from directory.tasks)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="directory.tasks.listing_freshness_remind_task", acks_late=True)
def listing_freshness_remind_task() -> int:
    """Daily (Celery beat): remind providers to confirm listings unconfirmed for 6 months."""
    from directory.portal.services import listing_freshness_remind

    return listing_freshness_remind()
