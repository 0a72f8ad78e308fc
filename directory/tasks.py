"""Celery tasks for the directory. Each loads by id and calls one service."""

from __future__ import annotations

from celery import shared_task


# --- Regulators' registers (issue 4) ---------------------------------------------
@shared_task(acks_late=True)
def register_import_task(register_import_id: int) -> None:
    from directory.importers.services import register_import_process

    register_import_process(register_import_id=register_import_id)


@shared_task(acks_late=True)
def listing_freshness_remind_task() -> int:
    """Daily (Celery beat): remind providers to confirm listings unconfirmed for 6 months."""
    from directory.portal_services import listing_freshness_remind

    return listing_freshness_remind()
