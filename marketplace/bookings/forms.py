from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import PersonProfile
from marketplace.bookings.services import MAX_HOURS, MAX_QUANTITY
from marketplace.budgets.forms import IdempotentForm


class BookingForm(IdempotentForm):
    """Book a service. Hourly services show a day and its free hours; others a quantity."""

    person = forms.ModelChoiceField(
        queryset=PersonProfile.objects.none(),
        label="Who is the care for?",
        empty_label=None,
        error_messages={"invalid_choice": "Choose someone you may book for"},
    )
    note = forms.CharField(
        label="Anything the provider should know (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, people: Any, hourly: bool, hour_choices: list[tuple[str, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda p: p.display_name
        if hourly:
            self.fields["starts_at"] = forms.ChoiceField(
                label="Start time",
                choices=hour_choices,
                error_messages={"required": "Choose a start time", "invalid_choice": "Choose a free start time"},
            )
            self.fields["hours"] = forms.IntegerField(
                label="How many hours?",
                min_value=1,
                max_value=MAX_HOURS,
                initial=1,
                error_messages={"required": "Enter the number of hours", "invalid": "Enter a whole number of hours"},
            )
        else:
            self.fields["quantity"] = forms.IntegerField(
                label="How many?",
                min_value=1,
                max_value=MAX_QUANTITY,
                initial=1,
                error_messages={"required": "Enter how many", "invalid": "Enter a whole number"},
            )
            self.fields["day"] = forms.DateField(
                label="When (optional)",
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}),
                error_messages={"invalid": "Enter a real date"},
            )
        self.order_fields(["person", "starts_at", "hours", "quantity", "day", "note"])


class DayForm(forms.Form):
    day = forms.DateField(
        label="Day", widget=forms.DateInput(attrs={"type": "date"}), error_messages={"invalid": "Enter a real date"}
    )


class ReasonForm(IdempotentForm):
    reason = forms.CharField(label="Reason", required=False, max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    starts_at = forms.DateTimeField(
        label="When will the care happen?",
        required=False,
        input_formats=["%Y-%m-%dT%H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        error_messages={"invalid": "Enter a real date and time"},
    )


WEEKDAY_CHOICES = [
    (0, "Monday"),
    (1, "Tuesday"),
    (2, "Wednesday"),
    (3, "Thursday"),
    (4, "Friday"),
    (5, "Saturday"),
    (6, "Sunday"),
]


class PlanForm(IdempotentForm):
    person = forms.ModelChoiceField(
        queryset=PersonProfile.objects.none(),
        label="Who is the care for?",
        empty_label=None,
        error_messages={"invalid_choice": "Choose someone you may book for"},
    )
    weekdays = forms.TypedMultipleChoiceField(
        label="Which days?",
        choices=WEEKDAY_CHOICES,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one day of the week"},
    )
    time_of_day = forms.TimeField(
        label="Time", help_text="On the hour, for example 10:00", error_messages={"required": "Enter a time"}
    )
    hours = forms.IntegerField(label="Hours each visit (hourly services)", min_value=1, max_value=MAX_HOURS, initial=1)
    weeks = forms.IntegerField(
        label="For how many weeks?", min_value=1, max_value=52, error_messages={"required": "Enter a number of weeks"}
    )
    starts_on = forms.DateField(
        label="First week starts on",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Enter a start date", "invalid": "Enter a real date"},
    )

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda p: p.display_name
