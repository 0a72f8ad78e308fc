"""Reads for payouts: batches and their lines for platform finance staff; what a provider is
owed, is being paid and was paid, for the provider's members."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from accounts.models import User
from accounts.permissions import Action, can, is_platform_finance
from carehub.errors import NotFound
from directory.models import Provider
from marketplace.models import Account, Entry, LedgerTransaction, Payout, PayoutBatch


def payout_get_for_user(*, user: User, code: Any) -> Payout:
    """One payout, for platform finance staff; NotFound both when it is missing and for anyone
    else, so nothing says which payouts exist."""
    payout = (
        Payout.objects.select_related("provider", "batch").filter(code=code).first()
        if is_platform_finance(user)
        else None
    )
    if payout is None:
        raise NotFound("Payout not found.")
    return payout


def payout_batch_reload(*, batch: PayoutBatch) -> PayoutBatch:
    """A batch the service has just written, read again with its payouts and their providers for the API's answer."""
    return PayoutBatch.objects.prefetch_related("payouts__provider").get(pk=batch.pk)


def payout_batch_list_for_user(*, user: User) -> QuerySet[PayoutBatch]:
    """Every batch, newest first, with its count, total and what is still waiting (one query);
    none for anyone but platform finance."""
    if not is_platform_finance(user):
        return PayoutBatch.objects.none()
    return (
        PayoutBatch.objects.select_related("created_by")
        .annotate(
            payout_count=Count("payouts"),
            total_pence=Sum("payouts__amount_pence"),
            pending_count=Count("payouts", filter=Q(payouts__status=Payout.Status.PENDING)),
        )
        .order_by("-created_at", "-pk")
    )


def payout_batch_get_for_user(*, user: User, code: Any) -> PayoutBatch:
    batch = payout_batch_list_for_user(user=user).filter(code=code).first()
    if batch is None:
        raise NotFound("Payout batch not found.")
    return batch


def payout_batch_lines(*, batch: PayoutBatch) -> list[Payout]:
    """The batch's payouts (one per provider), by provider name."""
    return list(batch.payouts.select_related("provider").order_by("provider__name", "pk"))


@dataclass(frozen=True)
class ReadyToPay:
    providers: int
    total_pence: int


def payouts_ready(*, user: User) -> ReadyToPay:
    """What the next batch would pay: every positive provider payable balance."""
    if not is_platform_finance(user):
        return ReadyToPay(0, 0)
    totals = Account.objects.filter(kind=Account.Kind.PROVIDER_PAYABLE, balance_pence__gt=0).aggregate(
        providers=Count("pk"), total=Sum("balance_pence")
    )
    return ReadyToPay(totals["providers"], totals["total"] or 0)


# --- The provider's side ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PayableLine:
    """One movement of a provider's payable balance: care paid for (less the fee), a refund,
    or money back from a failed payout."""

    when: datetime
    description: str
    reference: str
    amount_pence: int


@dataclass
class ProviderPayout:
    payout: Payout
    lines: list[PayableLine] = field(default_factory=list)


@dataclass
class ProviderMoney:
    provider: Provider
    owed_pence: int  # payable: confirmed care not yet in a payout
    in_payment_pence: int  # in a batch, not yet confirmed paid by the bank
    paid_pence: int
    owed_lines: list[PayableLine]
    payouts: list[ProviderPayout]


def provider_get_for_payouts(*, user: User, code: Any) -> Provider:
    """A provider whose money the user may see: its members, and platform finance; NotFound otherwise."""
    provider = Provider.objects.filter(code=code).first() if user.is_authenticated else None
    if provider is None or not (can(user, Action.PROVIDER_MANAGE, provider) or is_platform_finance(user)):
        raise NotFound("Provider not found.")
    return provider


def provider_money(*, provider: Provider) -> ProviderMoney:
    """What the provider is owed, is being paid and was paid, and each payout with the lines it paid.

    A batch takes the whole positive payable balance, so a payout pays exactly the payable
    movements posted since the one before it (a negative balance after refunds waits for the
    next): walking the account's entries in order and cutting at each payout gives its lines.
    Four queries, however long the history."""
    accounts = dict(
        Account.objects.filter(
            provider=provider, kind__in=[Account.Kind.PROVIDER_PAYABLE, Account.Kind.PROVIDER_PAID]
        ).values_list("kind", "pk")
    )
    balances = dict(Account.objects.filter(pk__in=accounts.values()).values_list("kind", "balance_pence"))
    payouts = list(Payout.objects.filter(provider=provider).select_related("batch").order_by("batch__created_at", "pk"))
    by_code = {str(payout.code): ProviderPayout(payout) for payout in payouts}
    current: list[PayableLine] = []
    entries = (
        Entry.objects.filter(account_id=accounts.get(Account.Kind.PROVIDER_PAYABLE))
        .select_related("transaction")
        .order_by("transaction__created_at", "transaction_id", "pk")
    )
    for entry in entries:
        txn = entry.transaction
        if txn.reason == LedgerTransaction.Reason.PAYOUT and txn.reference in by_code:
            by_code[txn.reference].lines = current
            current = []
            continue
        current.append(
            PayableLine(
                when=txn.created_at,
                description=txn.memo or txn.get_reason_display(),
                reference=txn.reference,
                amount_pence=entry.amount_pence,
            )
        )
    return ProviderMoney(
        provider=provider,
        owed_pence=balances.get(Account.Kind.PROVIDER_PAYABLE, 0),
        in_payment_pence=sum(p.amount_pence for p in payouts if p.status == Payout.Status.PENDING),
        paid_pence=balances.get(Account.Kind.PROVIDER_PAID, 0),
        owed_lines=current,
        payouts=list(reversed(by_code.values())),
    )
