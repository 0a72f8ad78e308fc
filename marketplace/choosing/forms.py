"""Forms for choosing care: plain POST (and GET) forms that work without JavaScript."""

from __future__ import annotations

from typing import Any

from django import forms

from carehub.forms import clean_postcode_value
from marketplace.choosing.selectors import COMPARE_MAX, COMPARE_MIN, Entry

COMPARE_ERROR = f"Choose {COMPARE_MIN} to {COMPARE_MAX} services to compare"


class ShortlistAddForm(forms.Form):
    service = forms.UUIDField(widget=forms.HiddenInput)
    postcode = forms.CharField(max_length=16, required=False, widget=forms.HiddenInput)
    next = forms.CharField(max_length=2000, required=False, widget=forms.HiddenInput)

    def clean_postcode(self) -> str:
        # Only a hint for measuring distances later: a bad one is dropped, not an error.
        try:
            return clean_postcode_value(self.cleaned_data["postcode"])
        except forms.ValidationError:
            return ""


class CompareForm(forms.Form):
    """Which shortlisted services to put side by side (a GET form), and where from."""

    service = forms.MultipleChoiceField(
        label="Choose 2 to 4 services to compare",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": COMPARE_ERROR, "invalid_choice": "Choose services from your shortlist"},
    )
    postcode = forms.CharField(
        label="Measure distances from (optional)",
        max_length=16,
        required=False,
        help_text="A postcode, for example G12 8QQ",
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "class": "govuk-input--width-10"}),
    )

    def __init__(self, *args: Any, entries: list[Entry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [(str(e.service.code), e.service.name) for e in entries]

    def clean_service(self) -> list[str]:
        chosen = self.cleaned_data["service"]
        if not COMPARE_MIN <= len(chosen) <= COMPARE_MAX:
            raise forms.ValidationError(COMPARE_ERROR)
        return chosen

    def clean_postcode(self) -> str:
        return clean_postcode_value(self.cleaned_data["postcode"])


class SavedSearchForm(forms.Form):
    name = forms.CharField(
        label="Name this search (optional)",
        max_length=100,
        required=False,
        help_text="For example, Day centres for Mum. If you leave it empty we use the postcode and distance.",
    )
    query = forms.CharField(max_length=1000, widget=forms.HiddenInput)
    alerts = forms.BooleanField(
        label="E-mail me when a new or newly vetted service matches, or a grade changes on my shortlist",
        required=False,
        initial=True,
        help_text="At most one e-mail a day. You can stop them at any time.",
    )


class AlertsForm(forms.Form):
    alerts = forms.BooleanField(label="Send me alerts about this search", required=False)


class ConfirmForm(forms.Form):
    """A confirmation page's form: posting it is the confirmation."""
