"""Celery tasks for the e-mail outbox (design in accounts/notifications/services.py)."""

from __future__ import annotations

from celery import shared_task

from accounts.notifications import services as notifications


@shared_task(
    name="accounts.notifications_tasks.notification_deliver",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=10,
)
def notification_deliver(outbox_id: int) -> bool:
    return notifications.outbox_deliver(outbox_id)


@shared_task(name="accounts.notifications_tasks.notifications_redispatch", acks_late=True)
def notifications_redispatch() -> int:
    """Beat: deliver what was never delivered (the broker was down, or a task was lost).

    Delivers in this process rather than re-enqueueing, so it works while
    the broker is still unreachable from the web tier."""
    sent = 0
    for outbox_id in notifications.outbox_undelivered().values_list("pk", flat=True)[:500]:
        sent += bool(notifications.outbox_deliver(outbox_id))
    return sent
