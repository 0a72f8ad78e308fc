"""Payouts: money moved from providers' payable balances to their bank accounts, in batches."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


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
