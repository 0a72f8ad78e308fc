from __future__ import annotations

from typing import Any

from django import forms

from accounts.models import PersonProfile
from carehub.money import format_pence
from marketplace.bookings.services import MAX_HOURS, MAX_QUANTITY
from marketplace.budgets.forms import IdempotentForm
from marketplace.models import Budget


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

    def __init__(
        self,
        *args: Any,
        people: Any,
        hourly: bool,
        hour_choices: list[tuple[str, str]],
        budgets: Any = None,
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = people
        self.fields["person"].label_from_instance = lambda p: p.display_name
        budgets = list(budgets or [])
        # A choice only when there is one to make: with one budget, it pays.
        if len(budgets) > 1:
            several_people = len({b.person_id for b in budgets}) > 1
            self.fields["budget"] = forms.ModelChoiceField(
                queryset=Budget.objects.filter(pk__in=[b.pk for b in budgets]),
                label="Which budget pays?",
                empty_label=None,
                widget=forms.RadioSelect,
                error_messages={
                    "required": "Choose which budget pays",
                    "invalid_choice": "Choose one of the budgets shown",
                },
            )
            left = {b.pk: b.available_pence or 0 for b in budgets}
            names = {b.pk: b.person.display_name for b in budgets}
            self.fields["budget"].label_from_instance = lambda b: (
                f"{names[b.pk] + ': ' if several_people else ''}{b.display_name} ({format_pence(left[b.pk])} left)"
            )
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
        self.order_fields(["person", "budget", "starts_at", "hours", "quantity", "day", "note"])


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
