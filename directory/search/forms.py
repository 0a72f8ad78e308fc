"""The search form on the results page (a GET form that works without JavaScript)."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.choices import BaseChoiceIterator

from carehub.forms import clean_postcode_value
from directory.search.selectors import DEFAULT_RADIUS_MILES, Delivery, Ordering
from directory.search.taxonomy import Choices, search_taxonomy

RADIUS_CHOICES = [(1, "1 mile"), (3, "3 miles"), (5, "5 miles"), (10, "10 miles"), (25, "25 miles"), (50, "50 miles")]


def wider_radius(radius: int) -> int | None:
    """The next radius up, for "search within 10 miles?"; None at the widest."""
    wider = [value for value, _ in RADIUS_CHOICES if value > radius]
    return wider[0] if wider else None


def search_form_choices() -> tuple[Choices, Choices]:
    """The "Type of care" and "Who it is for" choices (read once per process and search cache
    version: directory/search/taxonomy.py)."""
    taxonomy = search_taxonomy()
    return taxonomy.categories, taxonomy.client_groups


class Normalised(BaseChoiceIterator):
    """Choices already in Django's normal form, (value, label) pairs, which a field and its widget
    then take as they are: each would otherwise copy and check the taxonomy's forty-odd choices
    again on every search."""

    def __init__(self, choices: Choices) -> None:
        self.choices = choices

    def __iter__(self) -> Iterator[tuple[str, str]]:
        return iter(self.choices)

    def __len__(self) -> int:
        return len(self.choices)


class NearPostcodeForm(forms.Form):
    """A postcode and a distance from it: what every "near you" search starts with (services,
    events)."""

    postcode = forms.CharField(
        label="Postcode",
        max_length=16,
        help_text="For example, G12 8QQ",
        error_messages={"required": "Enter a postcode, like G12 8QQ"},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "class": "govuk-input--width-10"}),
    )
    radius_miles = forms.TypedChoiceField(
        label="Distance",
        choices=RADIUS_CHOICES,
        coerce=int,
        required=False,
        empty_value=DEFAULT_RADIUS_MILES,
        initial=DEFAULT_RADIUS_MILES,
        error_messages={"invalid_choice": "Choose a distance from the list"},
    )

    def clean_postcode(self) -> str:
        return clean_postcode_value(self.cleaned_data["postcode"])


class ServiceSearchForm(NearPostcodeForm):
    q = forms.CharField(label="Keywords", max_length=200, required=False, help_text="For example, dementia or lunch")
    category = forms.MultipleChoiceField(label="Type of care", required=False, widget=forms.CheckboxSelectMultiple)
    client_group = forms.ChoiceField(label="Who it is for", required=False)
    delivery = forms.ChoiceField(
        label="Where", required=False, choices=[("", "Anywhere"), *Delivery.choices], widget=forms.RadioSelect
    )
    max_price = forms.DecimalField(
        label="Highest price in pounds",
        required=False,
        min_value=Decimal(0),
        max_digits=9,
        decimal_places=2,
        help_text="Services with no price, or price on request, are left out when you set this",
        error_messages={"invalid": "Enter a price in pounds, like 25 or 25.50"},
    )
    vetted = forms.BooleanField(
        label="Only providers vetted by CareHub",
        required=False,
        help_text="Providers that passed every check that applies to them",
    )
    ordering = forms.ChoiceField(label="Sort by", required=False, choices=Ordering.choices)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        categories, client_groups = search_form_choices()
        self.fields["category"].choices = Normalised(categories)
        self.fields["client_group"].choices = Normalised(client_groups)

    @property
    def filters_active(self) -> bool:
        """Whether the search narrows or reorders the results beyond a postcode: the search page
        then shows its filters open (they sit behind "Filter results" otherwise)."""
        data = getattr(self, "cleaned_data", None)
        if data is None:
            return False
        return bool(
            data.get("q")
            or data.get("category")
            or data.get("client_group")
            or data.get("delivery")
            or data.get("max_price") is not None
            or data.get("vetted")
            or data.get("radius_miles", DEFAULT_RADIUS_MILES) != DEFAULT_RADIUS_MILES
            or data.get("ordering") not in (None, "", Ordering.DISTANCE)
        )
