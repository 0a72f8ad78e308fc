"""Forms for claims, the vetting queue and the provider portal: input shape only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms

from carehub.forms import clean_postcode_value
from directory.models import Category, ClientGroup, Provider, Service, Weekday
from directory.models.listings import MAX_FREE_CANCELLATION_HOURS
from directory.portal.services import REGISTER_SERVICE_FIELDS


class ProviderForm(forms.Form):
    name = forms.CharField(label="Name", max_length=255, error_messages={"required": "Enter the provider's name"})
    kind = forms.ChoiceField(
        label="What kind of provider is it?", choices=Provider.Kind.choices, widget=forms.RadioSelect
    )
    description = forms.CharField(
        label="About the provider", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 5})
    )
    phone = forms.CharField(label="Phone", required=False, max_length=40)
    email = forms.EmailField(label="Email", required=False, error_messages={"invalid": "Enter a real email address"})
    website = forms.URLField(
        label="Website", required=False, assume_scheme="https", error_messages={"invalid": "Enter a web address"}
    )

    def __init__(self, *args: Any, registered: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if registered:
            del self.fields["name"]  # the register's name; shown read-only on the page


class ServiceForm(forms.Form):
    name = forms.CharField(label="Name of the service", max_length=255, error_messages={"required": "Enter a name"})
    description = forms.CharField(
        label="What it offers", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 6})
    )
    categories = forms.ModelMultipleChoiceField(
        label="Categories",
        queryset=Category.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        to_field_name="slug",
    )
    client_groups = forms.ModelMultipleChoiceField(
        label="Who it is for",
        queryset=ClientGroup.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        to_field_name="slug",
    )
    delivered_at_location = forms.BooleanField(label="At your premises", required=False)
    delivered_at_home = forms.BooleanField(label="At the person's home", required=False)
    delivered_remotely = forms.BooleanField(label="Online or by phone", required=False)
    service_radius_miles = forms.DecimalField(
        label="How far do you travel to people's homes, in miles?",
        required=False,
        min_value=Decimal("0.5"),
        max_value=Decimal("100"),
        decimal_places=1,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-4", "inputmode": "decimal"}),
        error_messages={"invalid": "Enter a distance in miles, like 5"},
    )
    address_line_1 = forms.CharField(label="Address line 1", required=False, max_length=255)
    address_line_2 = forms.CharField(label="Address line 2 (optional)", required=False, max_length=255)
    town = forms.CharField(label="Town or city", required=False, max_length=120)
    postcode = forms.CharField(
        label="Postcode",
        required=False,
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "class": "govuk-input--width-10"}),
    )
    phone = forms.CharField(label="Phone", required=False, max_length=40)
    email = forms.EmailField(label="Email", required=False, error_messages={"invalid": "Enter a real email address"})
    website = forms.URLField(
        label="Website", required=False, assume_scheme="https", error_messages={"invalid": "Enter a web address"}
    )
    price = forms.DecimalField(
        label="Price in pounds",
        required=False,
        min_value=Decimal("0"),
        max_value=Decimal("100000"),
        decimal_places=2,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-5", "inputmode": "decimal"}),
        error_messages={"invalid": "Enter a price in pounds, like 24.50", "min_value": "The price cannot be negative"},
    )
    price_unit = forms.ChoiceField(
        label="Price is", choices=[("", "Choose")] + list(Service.PriceUnit.choices), required=False
    )
    price_on_request = forms.BooleanField(label="Price on request", required=False)

    def __init__(self, *args: Any, registered: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if registered:
            for name in REGISTER_SERVICE_FIELDS:
                del self.fields[name]

    @classmethod
    def initial_for(cls, service: Service) -> dict[str, Any]:
        initial = {name: getattr(service, name) for name in cls.base_fields if hasattr(service, name)}
        initial["categories"] = list(service.categories.values_list("slug", flat=True))
        initial["client_groups"] = list(service.client_groups.values_list("slug", flat=True))
        initial["price"] = None if service.price_pence is None else Decimal(service.price_pence) / 100
        return initial

    def clean_postcode(self) -> str:
        return clean_postcode_value(self.cleaned_data.get("postcode", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("delivered_at_home") and data.get("service_radius_miles") is None:
            self.add_error("service_radius_miles", "Say how far you travel to people's homes")
        if data.get("price") is not None and not data.get("price_unit") and not data.get("price_on_request"):
            self.add_error("price_unit", "Choose what the price is for, such as per hour")
        return data

    def service_data(self) -> dict[str, Any]:
        """The cleaned data in the shape the portal services take (price in pence)."""
        data = dict(self.cleaned_data)
        price = data.pop("price", None)
        data["price_pence"] = None if price is None else int((price * 100).to_integral_value())
        return data


class CancellationRuleForm(forms.Form):
    free_cancellation_hours = forms.IntegerField(
        label="How many hours' notice do people need to give to cancel at no cost?",
        help_text=(
            f"From 0 to {MAX_FREE_CANCELLATION_HOURS} hours (one week). "
            "For example, 24 means until the same time the day before."
        ),
        min_value=0,
        max_value=MAX_FREE_CANCELLATION_HOURS,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the notice in hours, for example 24",
            "invalid": "Enter the notice as a whole number of hours, for example 24",
            "min_value": "The notice cannot be less than 0 hours",
            "max_value": f"The notice can be at most {MAX_FREE_CANCELLATION_HOURS} hours (one week)",
        },
    )
    late_cancellation_percent = forms.IntegerField(
        label="If they cancel later than that, what percentage of the price do they pay?",
        help_text="From 0 (no charge) to 100 (the full price)",
        min_value=0,
        max_value=100,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"}),
        error_messages={
            "required": "Enter the percentage of the price, from 0 to 100",
            "invalid": "Enter the percentage as a whole number, from 0 to 100",
            "min_value": "The percentage cannot be less than 0",
            "max_value": "The percentage can be at most 100",
        },
    )


class InviteForm(forms.Form):
    email = forms.EmailField(
        label="Their email address",
        error_messages={"required": "Enter their email address", "invalid": "Enter a real email address"},
    )
    role = forms.ChoiceField(
        label="What may they do?",
        choices=[("staff", "Staff: manage listings"), ("owner", "Owner: also invite and remove people")],
        widget=forms.RadioSelect,
        initial="staff",
        error_messages={"required": "Choose what they may do"},
    )


class _DateInput(forms.DateInput):
    input_type = "date"


class _TimeInput(forms.TimeInput):
    input_type = "time"


class AvailabilityWindowForm(forms.Form):
    weekday = forms.TypedChoiceField(label="Day", choices=Weekday.choices, coerce=int)
    starts_at = forms.TimeField(
        label="From", widget=_TimeInput(), error_messages={"required": "Enter a start time", "invalid": "Enter a time"}
    )
    ends_at = forms.TimeField(
        label="To", widget=_TimeInput(), error_messages={"required": "Enter an end time", "invalid": "Enter a time"}
    )


class AvailabilityExceptionForm(forms.Form):
    date = forms.DateField(
        label="Date",
        widget=_DateInput(),
        error_messages={"required": "Enter the date", "invalid": "Enter a real date"},
    )
    is_closed = forms.TypedChoiceField(
        label="On that day it is",
        choices=[("closed", "Closed"), ("open", "Open at other times")],
        coerce=lambda value: value == "closed",
        widget=forms.RadioSelect,
        error_messages={"required": "Choose closed or open at other times"},
    )
    starts_at = forms.TimeField(label="Opens at (if open)", required=False, widget=_TimeInput())
    ends_at = forms.TimeField(label="Closes at (if open)", required=False, widget=_TimeInput())
    note = forms.CharField(label="Note (optional)", required=False, max_length=200)
