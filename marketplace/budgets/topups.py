"""Top-ups: a self-funder pays money into their budget through the payment gateway, and the
periodic reconciliation of top-ups a crash left pending. Not one transaction each: the gateway
is never called with a transaction or a lock open (see budget_topup)."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from django.db import transaction

from accounts.models import User
from accounts.permissions import Action, require
from accounts.services import audit_record, system_actor
from carehub import clock
from carehub.errors import DomainError
from marketplace import ledger
from marketplace.budgets.payments import ChargeStatus, payment_gateway
from marketplace.ledger.idempotency import idempotent_claim, idempotent_record_result
from marketplace.models import (
    Budget,
    IdempotencyRecord,
    LedgerTransaction,
    TopUp,
)


class PaymentDeclined(DomainError):
    code = "payment_declined"


def budget_topup(*, actor: User, budget: Budget, amount_pence: int, idempotency_key: str) -> TopUp:
    """A self-funder pays money into their budget through the PaymentGateway.

    Deliberately not one transaction: (1) claim the key and write a pending
    TopUp, commit; (2) charge through the gateway with no transaction or lock
    open; (3) record the result and post the money. Raises PaymentDeclined
    (nothing posted) when the gateway declines. A crash between (2) and (3) leaves
    the TopUp pending; `budget_topups_reconcile` (a beat task) resolves it later.
    """
    require(actor, Action.PERSON_MANAGE_BUDGET, budget)
    if budget.kind != Budget.Kind.SELF_FUNDED:
        raise DomainError("Only a self-funded budget can be topped up. Ask your council about this budget.")
    ledger.check_amount(amount_pence)
    gateway = payment_gateway()

    with transaction.atomic():
        params = {"budget": str(budget.code), "amount_pence": amount_pence}
        claim = idempotent_claim(actor=actor, key=idempotency_key, operation="budget_topup", params=params)
        if not isinstance(claim, IdempotencyRecord):
            return _topup_result(claim)  # type: ignore[arg-type]
        topup = TopUp.objects.create(
            budget=budget, actor=actor, amount_pence=amount_pence, gateway=gateway.name, created_at=ledger.ledger_now()
        )
        idempotent_record_result(claim, topup)

    result = gateway.charge(
        amount_pence=amount_pence, reference=str(topup.code), description=f"CareHub top-up for {budget.display_name}"
    )

    with transaction.atomic():
        if not result.succeeded:
            TopUp.objects.filter(pk=topup.pk, status=TopUp.Status.PENDING).update(
                status=TopUp.Status.DECLINED, failure_message=result.message[:255], completed_at=ledger.ledger_now()
            )
            audit_record(actor=actor, action="budget.topup_declined", obj=topup, message=result.message)
        else:
            _topup_credit(topup=topup, actor=actor, gateway_reference=result.gateway_reference)
    topup.refresh_from_db()
    return _topup_result(topup)


def _topup_credit(*, topup: TopUp, actor: User, gateway_reference: str) -> bool:
    """The gateway took the money: mark the top-up paid and credit the budget, in the caller's transaction.

    The conditional UPDATE is the guard that credits a top-up at most once, whoever gets here
    (the request that charged, or the reconciliation after a crash, in parallel or not): only the
    one that moves it to SUCCEEDED posts. It may start from FAILED as well as PENDING: should the
    reconciliation ever mark a charge failed that the gateway then confirms, the money was taken
    and must reach the budget. Returns False when another caller had already credited it."""
    if (
        TopUp.objects.filter(pk=topup.pk, status__in=[TopUp.Status.PENDING, TopUp.Status.FAILED]).update(
            status=TopUp.Status.SUCCEEDED, gateway_reference=gateway_reference[:100], completed_at=ledger.ledger_now()
        )
        != 1
    ):
        return False
    ledger.ledger_post(
        reason=LedgerTransaction.Reason.TOPUP,
        actor=actor,
        budget=topup.budget,
        reference=str(topup.code),
        memo="Top-up",
        entries=[
            (ledger.account_topup_receipts(), -topup.amount_pence),
            (ledger.account_budget_available(topup.budget), topup.amount_pence),
        ],
    )
    audit_record(actor=actor, action="budget.topup", obj=topup, amount_pence=topup.amount_pence)
    return True


class Reconciled(StrEnum):
    """What the reconciliation did with one pending top-up."""

    CREDITED = "credited"  # the gateway had taken the money: credited now
    FAILED = "failed"  # the gateway took nothing: marked failed
    UNKNOWN = "unknown"  # the gateway could not say: left pending for the next run
    ALREADY_DONE = "already_done"  # someone else resolved it first


def budget_topup_reconcile(*, topup: TopUp) -> Reconciled:
    """Resolve one top-up left pending (by a crash between the charge and recording it) by
    asking the gateway what became of the charge. Charged → credited once through the ledger;
    not charged → failed, nothing posted; unknown → left pending.

    Not one transaction, like budget_topup: the gateway is asked with no transaction or lock
    open, then the answer is recorded in a short transaction whose conditional UPDATE on the
    status makes a second run, or a parallel one, do nothing."""
    gateway = payment_gateway()
    if topup.gateway != gateway.name:
        # Only the gateway that took the payment can say what became of it.
        return Reconciled.UNKNOWN
    lookup = gateway.lookup(reference=str(topup.code))
    if lookup.status == ChargeStatus.UNKNOWN:
        return Reconciled.UNKNOWN
    actor = system_actor()
    with transaction.atomic():
        if lookup.status == ChargeStatus.CHARGED:
            credited = _topup_credit(topup=topup, actor=actor, gateway_reference=lookup.gateway_reference)
            return Reconciled.CREDITED if credited else Reconciled.ALREADY_DONE
        message = lookup.message or "The payment was not completed."
        if (
            TopUp.objects.filter(pk=topup.pk, status=TopUp.Status.PENDING).update(
                status=TopUp.Status.FAILED, failure_message=message[:255], completed_at=ledger.ledger_now()
            )
            != 1
        ):
            return Reconciled.ALREADY_DONE
        audit_record(actor=actor, action="budget.topup_failed", obj=topup, message=message)
        return Reconciled.FAILED


def budget_topups_reconcile(*, older_than: timedelta, now: datetime | None = None) -> dict[str, int]:
    """Reconcile every top-up still pending `older_than` after it was made (the beat task).

    The wait leaves alone top-ups whose request is still talking to the gateway: it must be
    longer than the gateway's timeout. Returns how many ended each way."""
    cutoff = (now or clock.now()) - older_than
    counts = {str(outcome): 0 for outcome in Reconciled}
    pending = TopUp.objects.filter(status=TopUp.Status.PENDING, created_at__lt=cutoff).select_related("budget")
    for topup in list(pending.order_by("pk")):
        counts[str(budget_topup_reconcile(topup=topup))] += 1
    return counts


def _topup_result(topup: TopUp) -> TopUp:
    if topup.status == TopUp.Status.DECLINED:
        raise PaymentDeclined(
            f"Your payment was declined: {topup.failure_message or 'no reason given'}. No money was taken.",
            field="amount_pence",
        )
    if topup.status == TopUp.Status.FAILED:
        raise PaymentDeclined("Your payment was not completed. No money was taken.", field="amount_pence")
    return topup
