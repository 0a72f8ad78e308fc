"""Celery tasks for reviews; each calls one service."""

from __future__ import annotations

from celery import shared_task


@shared_task(acks_late=True)
def reviews_publish_due_task() -> int:
    """Every 5 minutes (Celery beat): publish reviews whose 72-hour provider preview is over."""
    from reviews.services import review_publish_due

    return review_publish_due()


@shared_task(acks_late=True)
def ratings_rescore_task() -> int:
    """Daily (Celery beat): reviews age out of the 24-month window; rescore against today's platform mean."""
    from reviews.services import rating_rescore_all

    return rating_rescore_all()
