"""Background work for budgets.

Budget alerts are delivered by the notifications outbox (accounts.notifications):
`_budget_alerts_after_spend` calls notify() in the money's transaction, and the
outbox's own task and periodic re-send deliver the e-mail. The budgets' own
re-send task and its beat entry are gone.
"""

from __future__ import annotations

from celery import shared_task

from marketplace.budgets import services


@shared_task(name="marketplace.tasks.budget_alert_send", acks_late=True)
def budget_alert_send(alert_id: int) -> bool:
    """Kept under its old name for messages queued before alerts went through the outbox.

    Such an alert has no sent_at; this hands it to notify() once. Nothing queues this
    task any more: remove it one release after this one."""
    return services.budget_alert_notify_unsent(alert_id=alert_id)
