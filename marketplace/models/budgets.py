"""Budgets: a person's money for a period, the commitments set aside from it for care,
top-ups and low-balance alerts. Balances live in the ledger (marketplace.models.ledger)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


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
    # The funding council's own reference for the person (a case or social care record number):
    # how a care manager finds the person again for next year's budget.
    council_reference = models.CharField(max_length=40, blank=True)
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
        # Left pending by a crash, and the gateway says it took no money (budget_topup_reconcile).
        FAILED = "failed", "Not completed"

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


class BudgetAlert(models.Model):
    """The record of a budget alert, written in the same transaction as the
    money movement that caused it. Its inbox rows and e-mails go through the
    notifications outbox (accounts.notifications.notify) in that transaction;
    `sent_at` is when it was handed to the outbox (ADR 5)."""

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
