"""Low-balance alerts: a threshold the person sets on a budget, checked after each spend, sent
once through the notification outbox (and again only after the balance has gone back above it)."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.urls import reverse

from accounts.models import User
from accounts.notifications.models import Notification
from accounts.notifications.services import notify
from accounts.permissions import Action, require
from accounts.selectors import person_side_users
from accounts.services import audit_record
from carehub import clock
from carehub.errors import DomainError
from marketplace import ledger
from marketplace.models import (
    Account,
    Budget,
    BudgetAlert,
)


@transaction.atomic
def budget_alert_set(*, actor: User, budget: Budget, threshold_pence: int | None) -> Budget:
    """Set (or clear, with None) the level below which the person is alerted."""
    require(actor, Action.PERSON_MANAGE_BUDGET, budget)
    if threshold_pence is not None:
        if isinstance(threshold_pence, bool) or not isinstance(threshold_pence, int) or threshold_pence < 0:
            raise DomainError("Enter the alert level in whole pence, 0 or more.", field="threshold_pence")
        if threshold_pence > ledger.MAX_AMOUNT_PENCE:
            raise DomainError(
                "That alert level is too large. Amounts are in pence: £12.50 is 1250.", field="threshold_pence"
            )
    before = budget.alert_threshold_pence
    Budget.objects.filter(pk=budget.pk).update(alert_threshold_pence=threshold_pence)
    budget.alert_threshold_pence = threshold_pence
    audit_record(actor=actor, action="budget.alert_set", obj=budget, before=before, after=threshold_pence)
    return budget


def budget_alerts_after_spend(*, budget: Budget, amount_pence: int) -> None:
    """Record an alert when this movement crossed a line, and tell the person's side in this transaction.

    A low-balance alert fires once per crossing of the person's level (money taken
    from above it to below it); an overspend forecast at most once a week."""
    from marketplace.budgets import selectors

    available = Account.objects.get(kind=Account.Kind.BUDGET_AVAILABLE, budget=budget).balance_pence
    alerts: list[BudgetAlert] = []
    threshold = Budget.objects.values_list("alert_threshold_pence", flat=True).get(pk=budget.pk)
    if threshold is not None and available < threshold <= available + amount_pence:
        alerts.append(
            BudgetAlert(
                budget=budget,
                kind=BudgetAlert.Kind.LOW_BALANCE,
                available_pence=available,
                threshold_pence=threshold,
                message=f"The money left in {budget.display_name} has dropped below the level you set.",
            )
        )
    forecast = selectors.budget_forecast(budget=budget, available_pence=available)
    if (
        forecast.left_at_end_pence < 0
        and not BudgetAlert.objects.filter(
            budget=budget,
            kind=BudgetAlert.Kind.OVERSPEND_FORECAST,
            created_at__gte=clock.now() - timedelta(days=7),
        ).exists()
    ):
        alerts.append(
            BudgetAlert(
                budget=budget,
                kind=BudgetAlert.Kind.OVERSPEND_FORECAST,
                available_pence=available,
                message=f"At the current rate, {budget.display_name} runs out before the end of its period.",
            )
        )
    for alert in alerts:
        alert.sent_at = alert.created_at  # handed to the outbox now, in the money's transaction
        alert.save()
        _budget_alert_notify(alert)


def _budget_alert_notify(alert: BudgetAlert) -> None:
    """The inbox row and e-mail for an alert, to the person and the carers who see their budget."""
    budget = alert.budget
    notify(
        users=person_side_users(person=budget.person),
        kind=Notification.Kind.BUDGET,
        subject=f"CareHub budget alert: {alert.get_kind_display()}",
        body=f"{alert.message}\n\nSee your budget on CareHub for details:",
        url=reverse("marketplace:budget-detail", kwargs={"code": budget.code}),
        key=f"budget-alert:{alert.pk}",
    )


@transaction.atomic
def budget_alert_notify_unsent(*, alert_id: int) -> bool:
    """Hand an alert written before alerts went through the outbox (sent_at empty) to notify, once.

    Only for messages queued by the old sender; returns False for any alert already handed over."""
    if BudgetAlert.objects.filter(pk=alert_id, sent_at__isnull=True).update(sent_at=clock.now()) != 1:
        return False
    _budget_alert_notify(BudgetAlert.objects.select_related("budget__person__user").get(pk=alert_id))
    return True
