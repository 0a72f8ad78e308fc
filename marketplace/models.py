"""Marketplace money: budgets, the double-entry ledger, commitments, top-ups,
payouts and idempotency records. The ledger's design is explained in
marketplace/ledger.py; this module only keeps single rows valid."""

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


class Budget(models.Model):
    """A person's budget for a period: a council-funded personal budget, direct
    payment or individual service fund, or the person's own money (self-funded).

    `person` is the holder. Balances live on the budget's two ledger accounts
    (available and committed); spent is what has been settled to providers.
    """

    class Kind(models.TextChoices):
        COUNCIL_MANAGED = "council_managed", "Council-managed personal budget"
        DIRECT_PAYMENT = "direct_payment", "Direct payment"
        INDIVIDUAL_SERVICE_FUND = "individual_service_fund", "Individual service fund"
        SELF_FUNDED = "self_funded", "Self-funded"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey(
        "accounts.PersonProfile", on_delete=models.PROTECT, related_name="budgets", verbose_name="holder"
    )
    funder = models.ForeignKey(
        "directory.Council", null=True, blank=True, on_delete=models.PROTECT, related_name="budgets"
    )
    kind = models.CharField(max_length=32, choices=Kind.choices)
    name = models.CharField(max_length=120, blank=True)
    period_start = models.DateField()
    period_end = models.DateField()
    alert_threshold_pence = models.BigIntegerField(
        null=True, blank=True, help_text="Send an alert when the available balance drops below this (pence)"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-period_start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")), name="marketplace_budget_period_order"
            ),
            models.CheckConstraint(
                condition=Q(kind="self_funded", funder__isnull=True)
                | (~Q(kind="self_funded") & Q(funder__isnull=False)),
                name="marketplace_budget_funder_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(alert_threshold_pence__isnull=True) | Q(alert_threshold_pence__gte=0),
                name="marketplace_budget_threshold_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.name or f"{self.get_kind_display()} {self.period_start:%b %Y} to {self.period_end:%b %Y}"

    @property
    def council_id(self) -> int | None:
        # Lets accounts.permissions recognise the funding council (COUNCIL_MANAGE).
        return self.funder_id


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
    budget = models.ForeignKey(Budget, null=True, blank=True, on_delete=models.PROTECT, related_name="accounts")
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
    budget = models.ForeignKey(Budget, null=True, blank=True, on_delete=models.PROTECT, related_name="transactions")
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


class Commitment(models.Model):
    """Money held from a budget for one booking (`reference`), then released or
    settled to the provider. Amount fields mirror the ledger for reporting."""

    class Status(models.TextChoices):
        HELD = "held", "Committed"
        RELEASED = "released", "Released"
        SETTLED = "settled", "Paid"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="commitments")
    provider = models.ForeignKey("directory.Provider", on_delete=models.PROTECT, related_name="+")
    category = models.ForeignKey(
        "directory.Category", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reference = models.CharField(max_length=100)
    description = models.CharField(max_length=255, blank=True)
    due_on = models.DateField(null=True, blank=True, help_text="When the care is planned")
    amount_pence = models.BigIntegerField()
    settled_pence = models.BigIntegerField(default=0)
    fee_pence = models.BigIntegerField(default=0)
    refunded_pence = models.BigIntegerField(default=0)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    created_at = models.DateTimeField(default=timezone.now)
    settled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["budget", "reference"], name="marketplace_commitment_one_per_reference"),
            models.CheckConstraint(condition=Q(amount_pence__gt=0), name="marketplace_commitment_amount_positive"),
            models.CheckConstraint(
                condition=Q(settled_pence__gte=0, settled_pence__lte=models.F("amount_pence"))
                & Q(refunded_pence__gte=0, refunded_pence__lte=models.F("settled_pence")),
                name="marketplace_commitment_amounts_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} ({self.get_status_display()})"

    @property
    def person_id(self) -> int:
        return self.budget.person_id

    @property
    def spent_pence(self) -> int:
        return self.settled_pence - self.refunded_pence


class TopUp(models.Model):
    """A self-funder paying money into their budget through a PaymentGateway.
    Written before the gateway is called, finished after, so a crash between
    the two leaves a visible pending row rather than a lost payment."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SUCCEEDED = "succeeded", "Paid"
        DECLINED = "declined", "Declined"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    budget = models.ForeignKey(Budget, on_delete=models.PROTECT, related_name="topups")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    amount_pence = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    gateway = models.CharField(max_length=40)
    gateway_reference = models.CharField(max_length=100, blank=True)
    failure_message = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(amount_pence__gt=0), name="marketplace_topup_amount_positive")
        ]

    def __str__(self) -> str:
        return f"Top-up {self.code} ({self.status})"


class PayoutBatch(models.Model):
    """One payout run: every provider's payable balance moved to clearing,
    one Payout per provider, and a CSV remittance for council finance."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    remittance_csv = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "payout batches"

    def __str__(self) -> str:
        return f"Payout batch {self.created_at:%Y-%m-%d %H:%M}"


class Payout(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        PAID = "paid", "Paid"
        FAILED = "failed", "Failed"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    batch = models.ForeignKey(PayoutBatch, on_delete=models.PROTECT, related_name="payouts")
    provider = models.ForeignKey("directory.Provider", on_delete=models.PROTECT, related_name="+")
    amount_pence = models.BigIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    failure_reason = models.CharField(max_length=255, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["batch", "provider"], name="marketplace_payout_one_per_provider_per_batch"),
            models.CheckConstraint(condition=Q(amount_pence__gt=0), name="marketplace_payout_amount_positive"),
        ]

    def __str__(self) -> str:
        return f"Payout {self.code} ({self.status})"


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


class BudgetAlert(models.Model):
    """An alert to send (an outbox row): written in the same transaction as
    the money movement that caused it, sent by a Celery task, re-sent by beat
    if the broker was down."""

    class Kind(models.TextChoices):
        LOW_BALANCE = "low_balance", "Available balance below your alert level"
        OVERSPEND_FORECAST = "overspend_forecast", "Planned spend would exceed the budget"

    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    available_pence = models.BigIntegerField()
    threshold_pence = models.BigIntegerField(null=True, blank=True)
    message = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.budget})"


# --- Bookings and messaging (issue 6) -------------------------------------------
# Kept in their own modules; imported here so Django registers them with this app.
from marketplace.bookings_models import Booking, BookingEvent, BookingSlot, RecurringPlan  # noqa: E402, F401
from marketplace.messaging_models import Message, MessageThread, ThreadReadState  # noqa: E402, F401
