from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django import forms

from accounts.models import PersonProfile
from carehub import clock
from directory.models import Council
from marketplace.budgets.services import COUNCIL_KINDS
from marketplace.models import Budget


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


# --- The council's pages: care managers set up and change budgets -----------------------------------


class PersonFindForm(forms.Form):
    find = forms.CharField(
        label="Their e-mail address, or your council's reference for them",
        help_text="The e-mail address they use for CareHub, or the reference your council gave an earlier budget",
        max_length=254,
        error_messages={"required": "Enter their e-mail address or your council's reference for them"},
    )


class BudgetSetupForm(IdempotentForm):
    """A council budget for the person found on the page before (`person` is their code)."""

    person = forms.ModelChoiceField(
        queryset=PersonProfile.objects.all(), to_field_name="code", widget=forms.HiddenInput
    )
    funder = forms.ModelChoiceField(
        queryset=Council.objects.none(),
        label="Which council funds it?",
        empty_label=None,
        error_messages={"invalid_choice": "Choose a council you are a care manager for"},
    )
    kind = forms.ChoiceField(
        label="Kind of budget",
        choices=[(kind.value, kind.label) for kind in COUNCIL_KINDS],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose the kind of budget"},
    )
    period_start = forms.DateField(
        label="Start of the period",
        help_text="Usually the start of the budget year, 1 April",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the start of the period", "invalid": "Enter a real date"},
    )
    period_end = forms.DateField(
        label="End of the period",
        help_text="Usually the end of the budget year, 31 March",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the end of the period", "invalid": "Enter a real date"},
    )
    council_reference = forms.CharField(
        label="Your council's reference for them (optional)",
        help_text="For example their social care record number. You can find them by it next time.",
        required=False,
        max_length=40,
    )
    amount = PoundsField(
        label="Money to allocate now (optional)",
        help_text="In pounds, for example 6000.00. You can allocate more later.",
        required=False,
        min_value=Decimal("0.01"),
    )

    def __init__(self, *args: Any, councils: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["funder"].queryset = councils
        self.fields["funder"].label_from_instance = lambda council: council.name
        if not self.is_bound:
            start, end = clock.budget_year(clock.today())
            # ISO strings: a date input shows only yyyy-mm-dd.
            self.initial.setdefault("period_start", start.isoformat())
            self.initial.setdefault("period_end", end.isoformat())
            self.initial.setdefault("kind", Budget.Kind.DIRECT_PAYMENT)
            first = councils.first()
            if first is not None:
                self.initial.setdefault("funder", first.pk)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", "The end of the period must be on or after its start")
        if start and end and (end - start).days > 366:
            self.add_error("period_end", "A budget's period can be at most a year: set up next year's separately")
        return cleaned


class AllocateForm(IdempotentForm):
    amount = PoundsField(
        label="How much to allocate?", help_text="In pounds, for example 500.00", min_value=Decimal("0.01")
    )
    effective_on = forms.DateField(
        label="Date of the allocation",
        help_text="Within the budget's period",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter the date of the allocation", "invalid": "Enter a real date"},
    )
    memo = forms.CharField(
        label="Note on the statement (optional)",
        help_text="For example: Funding for April to June",
        required=False,
        max_length=200,
    )


class AdjustForm(IdempotentForm):
    direction = forms.ChoiceField(
        label="Increase or reduce the budget?",
        choices=[("increase", "Increase it"), ("reduce", "Reduce it")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose whether to increase or reduce the budget"},
    )
    amount = PoundsField(label="By how much?", help_text="In pounds, for example 250.00", min_value=Decimal("0.01"))
    reason = forms.CharField(
        label="Why is it changing?",
        help_text="The person sees this on their statement",
        max_length=200,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why the budget is changing"},
    )
