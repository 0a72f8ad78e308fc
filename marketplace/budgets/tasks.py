"""Background work for budgets: reconciling top-ups left pending by a crash, and the old alerts task.

Budget alerts are delivered by the notifications outbox (accounts.notifications):
`_budget_alerts_after_spend` calls notify() in the money's transaction, and the
outbox's own task and periodic re-send deliver the e-mail. The budgets' own
re-send task and its beat entry are gone.
"""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings

from marketplace.budgets import alerts, topups


@shared_task(name="marketplace.budgets.tasks.budget_topups_reconcile_task", acks_late=True)
def budget_topups_reconcile_task() -> dict[str, int]:
    """Beat, every few minutes: ask the gateway about top-ups still pending after
    TOPUP_RECONCILE_AFTER_SECONDS and credit or fail each, once (idempotent: safe to run twice
    or in parallel, see budgets.topups.budget_topup_reconcile)."""
    return topups.budget_topups_reconcile(older_than=timedelta(seconds=settings.TOPUP_RECONCILE_AFTER_SECONDS))


@shared_task(name="marketplace.tasks.budget_alert_send", acks_late=True)
def budget_alert_send(alert_id: int) -> bool:
    """Kept under its old name for messages queued before alerts went through the outbox.

    Such an alert has no sent_at; this hands it to notify() once. Nothing queues this
    task any more: remove it one release after this one."""
    return alerts.budget_alert_notify_unsent(alert_id=alert_id)
