"""Forms of the payouts pages: each carries an idempotency key, so a double submit acts once."""

from __future__ import annotations

from django import forms

from marketplace.budgets.forms import IdempotentForm


class PayoutRunForm(IdempotentForm):
    """Run a payout batch: only the key (a double submit makes one batch)."""


class PayoutPaidForm(IdempotentForm):
    """Confirm that the bank paid a payout."""


class PayoutFailedForm(IdempotentForm):
    reason = forms.CharField(
        label="Why did the payment fail?",
        help_text="For example: the bank returned it, account closed. The provider sees this.",
        max_length=200,
        error_messages={"required": "Say why the payment failed"},
    )
