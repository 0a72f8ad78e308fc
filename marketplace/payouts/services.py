"""Writes for payouts. Only platform finance staff run them; every call is idempotent and
posts through the ledger, so a provider is never paid twice."""

from __future__ import annotations

import csv
import io

from django.db import transaction
from django.db.models import Q

from accounts.models import User
from accounts.permissions import is_platform_finance
from accounts.services import audit_record
from carehub import clock
from carehub.errors import Conflict, DomainError, NotPermitted
from carehub.money import pounds
from directory.models import Provider
from marketplace import ledger
from marketplace.ledger.idempotency import idempotent_run
from marketplace.models import Account, LedgerTransaction, Payout, PayoutBatch


@transaction.atomic
def payout_batch_create(*, actor: User, idempotency_key: str, allow_empty: bool = True) -> PayoutBatch:
    """Move every provider's positive payable balance to payouts clearing,
    one Payout each, and write the CSV remittance for council finance.
    Money in clearing cannot be picked up by another batch: never paid twice.
    With `allow_empty=False` (the finance page) a run that finds nobody owed anything
    is refused rather than leaving an empty batch."""
    if not is_platform_finance(actor):
        raise NotPermitted("Only platform finance staff can run payouts.")

    def run() -> PayoutBatch:
        batch = PayoutBatch.objects.create(created_by=actor, created_at=ledger.ledger_now())
        clearing = ledger.account_payouts_clearing()
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(
            ["payout_reference", "provider_code", "provider_name", "amount_pence", "amount_gbp", "batch_date"]
        )
        # Lock the positive payable balances and clearing in ascending id order (the ledger's lock
        # order) and read them under the lock: a parallel batch waits here, then finds them at zero.
        locked = list(
            Account.objects.select_for_update()
            .filter(Q(kind=Account.Kind.PROVIDER_PAYABLE, balance_pence__gt=0) | Q(pk=clearing.pk))
            .order_by("pk")
        )
        payables = [account for account in locked if account.kind == Account.Kind.PROVIDER_PAYABLE]
        if not payables and not allow_empty:
            raise DomainError("No provider is owed any money now: there is nothing to pay out.")
        providers = Provider.objects.in_bulk([account.provider_id for account in payables])
        for account in payables:
            account.provider = providers[account.provider_id]
            amount = account.balance_pence
            payout = Payout.objects.create(batch=batch, provider=account.provider, amount_pence=amount)
            ledger.ledger_post(
                reason=LedgerTransaction.Reason.PAYOUT,
                actor=actor,
                reference=str(payout.code),
                memo=f"Payout to {account.provider.name}",
                entries=[(account, -amount), (clearing, amount)],
            )
            writer.writerow(
                [
                    payout.code,
                    account.provider.code,
                    account.provider.name,
                    amount,
                    pounds(amount),
                    f"{clock.local_date(batch.created_at):%Y-%m-%d}",  # the UK date, not UTC's
                ]
            )
        PayoutBatch.objects.filter(pk=batch.pk).update(remittance_csv=out.getvalue())
        batch.refresh_from_db()
        audit_record(actor=actor, action="payout_batch.create", obj=batch, payouts=batch.payouts.count())
        return batch

    return idempotent_run(actor=actor, key=idempotency_key, operation="payout_batch_create", params={}, run=run)[0]


@transaction.atomic
def payout_mark_paid(*, actor: User, payout: Payout, idempotency_key: str) -> Payout:
    """The bank confirmed the payment: clearing → paid to the provider."""
    if not is_platform_finance(actor):
        raise NotPermitted("Only platform finance staff can record payouts.")

    def run() -> Payout:
        if (
            Payout.objects.filter(pk=payout.pk, status=Payout.Status.PENDING).update(
                status=Payout.Status.PAID, completed_at=ledger.ledger_now()
            )
            != 1
        ):
            raise Conflict("This payout has already been recorded as paid or failed.")
        ledger.ledger_post(
            reason=LedgerTransaction.Reason.PAYOUT_PAID,
            actor=actor,
            reference=str(payout.code),
            memo=f"Paid to {payout.provider.name}",
            entries=[
                (ledger.account_payouts_clearing(), -payout.amount_pence),
                (ledger.account_provider_paid(payout.provider_id), payout.amount_pence),
            ],
        )
        audit_record(actor=actor, action="payout.paid", obj=payout, amount_pence=payout.amount_pence)
        payout.refresh_from_db()
        return payout

    return idempotent_run(
        actor=actor, key=idempotency_key, operation="payout_mark_paid", params={"payout": str(payout.code)}, run=run
    )[0]


@transaction.atomic
def payout_mark_failed(*, actor: User, payout: Payout, reason: str, idempotency_key: str) -> Payout:
    """The bank rejected the payment: the money goes back to the provider's payable balance."""
    if not is_platform_finance(actor):
        raise NotPermitted("Only platform finance staff can record payouts.")

    def run() -> Payout:
        if (
            Payout.objects.filter(pk=payout.pk, status=Payout.Status.PENDING).update(
                status=Payout.Status.FAILED, completed_at=ledger.ledger_now(), failure_reason=reason[:255]
            )
            != 1
        ):
            raise Conflict("This payout has already been recorded as paid or failed.")
        ledger.ledger_post(
            reason=LedgerTransaction.Reason.PAYOUT_FAILED,
            actor=actor,
            reference=str(payout.code),
            memo=f"Payout failed: {reason}"[:255],
            entries=[
                (ledger.account_payouts_clearing(), -payout.amount_pence),
                (ledger.account_provider_payable(payout.provider_id), payout.amount_pence),
            ],
        )
        audit_record(actor=actor, action="payout.failed", obj=payout, reason=reason)
        payout.refresh_from_db()
        return payout

    params = {"payout": str(payout.code), "reason": reason}
    return idempotent_run(actor=actor, key=idempotency_key, operation="payout_mark_failed", params=params, run=run)[0]
