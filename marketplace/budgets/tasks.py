"""Background work for budgets: send budget alerts (outbox rows)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.core.mail import send_mail
from django.db import transaction

from accounts.models import CarerLink
from carehub import clock
from marketplace.models import BudgetAlert

RESEND_AFTER = timedelta(minutes=10)


@shared_task(
    name="marketplace.tasks.budget_alert_send",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=30,
    retry_backoff_max=600,
    max_retries=10,
)
def budget_alert_send(alert_id: int) -> bool:
    """E-mail the person and the carers who manage or see their budget. Idempotent:
    the alert is claimed with a conditional update, so a re-delivered task sends nothing."""
    alert = BudgetAlert.objects.select_related("budget__person__user").filter(pk=alert_id).first()
    if alert is None or alert.sent_at is not None:
        return False
    person = alert.budget.person
    carers = CarerLink.objects.filter(person=person, status=CarerLink.Status.ACTIVE, can_view=True).select_related(
        "carer"
    )
    recipients = [person.user.email, *(link.carer.email for link in carers)]
    with transaction.atomic():
        if BudgetAlert.objects.filter(pk=alert_id, sent_at__isnull=True).update(sent_at=clock.now()) != 1:
            return False
        # Sending inside the transaction: if the mail server fails, the claim rolls back and the task retries.
        send_mail(
            subject=f"CareHub budget alert: {alert.get_kind_display()}",
            message=f"{alert.message}\n\nSee your budget on CareHub for details.\n",
            from_email=None,
            recipient_list=recipients,
        )
    return True


@shared_task(name="marketplace.tasks.budget_alerts_resend", acks_late=True)
def budget_alerts_resend() -> int:
    """Beat: send alerts whose task was lost (for example while the broker was down)."""
    stale = BudgetAlert.objects.filter(sent_at__isnull=True, created_at__lt=clock.now() - RESEND_AFTER)
    sent = 0
    for alert_id in stale.values_list("pk", flat=True)[:500]:
        sent += bool(budget_alert_send(alert_id))
    return sent
