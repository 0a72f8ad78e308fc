"""Forms for events: the public search (GET) and a provider's event form (portal)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from carehub import clock
from carehub.forms import clean_postcode_value
from carehub.money import pounds_to_pence
from directory.search.forms import NearPostcodeForm


class DateInput(forms.DateInput):
    """The browser's own date picker; without it people type 2027-03-28."""

    input_type = "date"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self) -> None:
        super().__init__(format="%H:%M")


class EventSearchForm(NearPostcodeForm):
    date_from = forms.DateField(
        label="From",
        required=False,
        widget=DateInput(),
        help_text="Leave empty to start from today",
        error_messages={"invalid": "Enter the first date as a real date, like 2027-03-28"},
    )
    date_to = forms.DateField(
        label="To",
        required=False,
        widget=DateInput(),
        help_text="Leave empty for any date",
        error_messages={"invalid": "Enter the last date as a real date, like 2027-04-30"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "The last date must be the same as or after the first date")
        return data


class EventForm(forms.Form):
    """What a provider says about an event. One day, UK clock times; turned into instants here."""

    title = forms.CharField(
        label="Name of the event", max_length=200, error_messages={"required": "Enter the name of the event"}
    )
    description = forms.CharField(label="What happens", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    venue = forms.CharField(
        label="Where",
        max_length=255,
        help_text="The place's name and address",
        error_messages={"required": "Enter where the event is"},
    )
    postcode = forms.CharField(
        label="Postcode",
        max_length=16,
        error_messages={"required": "Enter the postcode of the place"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    day = forms.DateField(
        label="Date", widget=DateInput(), error_messages={"required": "Enter the date", "invalid": "Enter a real date"}
    )
    start_time = forms.TimeField(
        label="Start time",
        widget=TimeInput(),
        error_messages={"required": "Enter the start time", "invalid": "Enter a time, like 10:00"},
    )
    end_time = forms.TimeField(
        label="End time",
        widget=TimeInput(),
        error_messages={"required": "Enter the end time", "invalid": "Enter a time, like 12:30"},
    )
    cost = forms.DecimalField(
        label="Cost in pounds",
        min_value=Decimal(0),
        max_digits=9,
        decimal_places=2,
        initial=Decimal(0),
        help_text="Enter 0 if it is free",
        error_messages={
            "required": "Enter the cost, or 0 if it is free",
            "invalid": "Enter a cost in pounds, like 5 or 5.50",
        },
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5"}),
    )
    how_to_book = forms.CharField(
        label="How to book",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For example: phone 0141 496 0000, or just turn up",
        error_messages={"required": "Say how people book, or that they can just turn up"},
    )
    published = forms.BooleanField(label="Show this event to the public", required=False, initial=True)

    def clean_postcode(self) -> str:
        return clean_postcode_value(self.cleaned_data["postcode"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors:
            return data
        starts_at = clock.at_local(data["day"], data["start_time"])
        ends_at = clock.at_local(data["day"], data["end_time"])
        if starts_at is None:
            self.add_error("start_time", "The clocks go forward then, so that time does not exist that day")
        elif ends_at is None:
            self.add_error("end_time", "The clocks go forward then, so that time does not exist that day")
        elif ends_at <= starts_at:
            self.add_error("end_time", "The end time must be after the start time")
        else:
            data["starts_at"], data["ends_at"] = starts_at, ends_at
            data["cost_pence"] = pounds_to_pence(data["cost"])
        return data

    @staticmethod
    def initial_for(event: Any) -> dict[str, Any]:
        starts, ends = clock.local_time(event.starts_at), clock.local_time(event.ends_at)
        return {
            "title": event.title,
            "description": event.description,
            "venue": event.venue,
            "postcode": event.postcode,
            "day": starts.date(),
            "start_time": starts.time(),
            "end_time": ends.time(),
            "cost": Decimal(event.cost_pence) / 100,
            "how_to_book": event.how_to_book,
            "published": event.published,
        }
