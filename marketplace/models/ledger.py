"""The ledger's rows: accounts, transactions and their entries (append-only), and the
idempotency records that make every money-moving call safe to retry. The design is
explained in marketplace/ledger/posting.py; this module only keeps single rows valid."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class LedgerImmutable(Exception):
    """Raised when code tries to change or delete a ledger row."""


class AppendOnlyQuerySet(models.QuerySet):
    # Ledger rows are never updated or deleted: a correction is a reversing transaction.
    def update(self, **kwargs: Any) -> int:
        raise LedgerImmutable("Ledger rows are append-only; post a reversing transaction instead.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise LedgerImmutable("Ledger rows are append-only; post a reversing transaction instead.")


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise LedgerImmutable("Ledger rows are append-only; post a reversing transaction instead.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise LedgerImmutable("Ledger rows are append-only; post a reversing transaction instead.")


class Account(models.Model):
    """One ledger account. `balance_pence` is a cache of the sum of its
    entries, kept by ledger_post and verified by `manage.py check_ledger`."""

    class Kind(models.TextChoices):
        COUNCIL_FUNDING = "council_funding", "Council funding"
        BUDGET_AVAILABLE = "budget_available", "Budget: available"
        BUDGET_COMMITTED = "budget_committed", "Budget: committed"
        PROVIDER_PAYABLE = "provider_payable", "Provider payable"
        PLATFORM_FEES = "platform_fees", "Platform fee income"
        PAYOUTS_CLEARING = "payouts_clearing", "Payouts clearing"
        PROVIDER_PAID = "provider_paid", "Paid to providers"
        TOPUP_RECEIPTS = "topup_receipts", "Top-up receipts"

    # Accounts that may never go below zero: enforced by the conditional UPDATE
    # in ledger_post and, as a last line, by a database constraint.
    NON_NEGATIVE = (Kind.BUDGET_AVAILABLE, Kind.BUDGET_COMMITTED, Kind.PAYOUTS_CLEARING)

    kind = models.CharField(max_length=20, choices=Kind.choices)
    budget = models.ForeignKey(
        "marketplace.Budget", null=True, blank=True, on_delete=models.PROTECT, related_name="accounts"
    )
    council = models.ForeignKey("directory.Council", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    provider = models.ForeignKey(
        "directory.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    balance_pence = models.BigIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "budget"], condition=Q(budget__isnull=False), name="marketplace_account_one_per_budget"
            ),
            models.UniqueConstraint(
                fields=["kind", "council"],
                condition=Q(council__isnull=False),
                name="marketplace_account_one_per_council",
            ),
            models.UniqueConstraint(
                fields=["kind", "provider"],
                condition=Q(provider__isnull=False),
                name="marketplace_account_one_per_provider",
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(budget__isnull=True, council__isnull=True, provider__isnull=True),
                name="marketplace_account_one_platform_account",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["budget_available", "budget_committed", "payouts_clearing"])
                | Q(balance_pence__gte=0),
                name="marketplace_account_not_negative",
            ),
        ]

    def __str__(self) -> str:
        owner = self.budget or self.council or self.provider or "platform"
        return f"{self.get_kind_display()} ({owner})"


class LedgerTransaction(AppendOnlyModel):
    """A balanced movement of money: two or more entries that sum to zero."""

    class Reason(models.TextChoices):
        ALLOCATION = "allocation", "Allocation"
        REDUCTION = "reduction", "Reduction by the council"
        COMMIT = "commit", "Money set aside for a booking"
        RELEASE = "release", "Money released"
        SETTLE = "settle", "Paid for care"
        REFUND = "refund", "Refund"
        TOPUP = "topup", "Top-up"
        PAYOUT = "payout", "Payout to provider"
        PAYOUT_PAID = "payout_paid", "Payout paid"
        PAYOUT_FAILED = "payout_failed", "Payout failed"
        REVERSAL = "reversal", "Correction"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    budget = models.ForeignKey(
        "marketplace.Budget", null=True, blank=True, on_delete=models.PROTECT, related_name="transactions"
    )
    reference = models.CharField(max_length=100, blank=True, db_index=True)
    memo = models.CharField(max_length=255, blank=True)
    reverses = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by")
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_reason_display()} {self.code}"


class Entry(AppendOnlyModel):
    """One leg of a transaction: a signed amount in pence on one account."""

    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount_pence = models.BigIntegerField()

    class Meta:
        verbose_name_plural = "entries"
        constraints = [models.CheckConstraint(condition=~Q(amount_pence=0), name="marketplace_entry_not_zero")]

    def __str__(self) -> str:
        return f"{self.amount_pence:+d}p {self.account}"


class IdempotencyRecord(models.Model):
    """The first result of a money-moving request, by (actor, key).

    The same key again returns that result and moves no money; the same key
    with different parameters (another fingerprint) is refused."""

    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=100)
    operation = models.CharField(max_length=40)
    fingerprint = models.CharField(max_length=64)
    result_type = models.CharField(max_length=60, blank=True)
    result_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["actor", "key"], name="marketplace_idempotencyrecord_unique_key")
        ]

    def __str__(self) -> str:
        return f"{self.operation} {self.key}"
