from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django import forms

from carehub import clock


class PoundsField(forms.DecimalField):
    """People type pounds and pence (12.50); services get integer pence."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 9)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("max_value", Decimal("1000000"))
        kwargs.setdefault(
            "error_messages",
            {
                "invalid": "Enter an amount in pounds, like 12.50",
                "max_decimal_places": "Enter an amount with no more than 2 decimal places, like 12.50",
                "max_value": "Enter an amount of £1,000,000 or less",
                "min_value": "Enter an amount of at least £0.01",
                "required": "Enter an amount in pounds, like 12.50",
                "max_digits": "Enter an amount of £1,000,000 or less",
            },
        )
        super().__init__(**kwargs)
        self.widget.attrs["class"] = "govuk-input--width-10"


class IdempotentForm(forms.Form):
    """A form that moves money carries a key made when the form was shown,
    so a double click or a resubmitted page moves the money once."""

    idempotency_key = forms.CharField(widget=forms.HiddenInput, max_length=100)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("idempotency_key", str(uuid.uuid4()))


class TopUpForm(IdempotentForm):
    amount = PoundsField(
        label="How much do you want to pay in?", help_text="In pounds, for example 50.00", min_value=Decimal("0.01")
    )


class AlertForm(forms.Form):
    threshold = PoundsField(
        label="Tell me when the money left drops below",
        help_text="In pounds, for example 200.00. Leave empty to switch alerts off.",
        required=False,
        min_value=Decimal("0"),
    )


class StatementForm(forms.Form):
    start = forms.DateField(label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="To", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data: Any = None, **kwargs: Any) -> None:
        today = clock.today()
        if not data or not {"start", "end"} & set(data):
            data = {"start": (today - timedelta(days=90)).isoformat(), "end": today.isoformat()}
        super().__init__(data, **kwargs)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and start > end:
            self.add_error("end", "The end date must be on or after the start date")
        if start and end and (end - start).days > 3660:
            self.add_error("start", "Choose a date range of at most 10 years")
        return cleaned
