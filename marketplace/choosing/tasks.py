"""Background work for saved searches (Celery beat)."""

from __future__ import annotations

from celery import shared_task

from marketplace.choosing import services as choosing


@shared_task(name="marketplace.choosing.tasks.saved_search_alerts_task", acks_late=True)
def saved_search_alerts_task() -> int:
    """Alert people about what is new in their saved searches (at most once a day per search)."""
    return choosing.saved_searches_check_due()
