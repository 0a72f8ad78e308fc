"""One form per guided question: each asks one thing, in plain English."""

from __future__ import annotations

from typing import Any

from django import forms

from carehub.errors import DomainError
from carehub.postcodes import InvalidPostcode, normalise_postcode
from directory.guide.selectors import NOT_SURE
from directory.models import Category, ClientGroup
from directory.search.selectors import search_origin


class WhoForm(forms.Form):
    answer = forms.ChoiceField(
        label="Who needs support?",
        widget=forms.RadioSelect,
        choices=[
            ("me", "Me"),
            ("someone-i-care-for", "Someone I look after or care for"),
            ("someone-else", "A friend or relative I am helping"),
        ],
        error_messages={"required": "Select who needs support"},
    )


class GroupForm(forms.Form):
    answer = forms.ChoiceField(
        label="Which of these best describes them?",
        help_text="We will show services for people like them. If you are asking for yourself, choose what fits you.",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the description that fits best, or ‘None of these’"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["answer"].choices = [*ClientGroup.objects.values_list("slug", "name"), (NOT_SURE, "None of these")]


class NeedsForm(forms.Form):
    answer = forms.MultipleChoiceField(
        label="What do they need help with?",
        help_text="Select all that apply.",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select what they need help with, or ‘I’m not sure’"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        top = Category.objects.filter(parent=None).order_by("position").values_list("slug", "name")
        self.fields["answer"].choices = [*top, (NOT_SURE, "I’m not sure")]


class PostcodeForm(forms.Form):
    answer = forms.CharField(
        label="What is the postcode where they need support?",
        help_text="Usually their home. For example, G12 8QQ",
        max_length=16,
        error_messages={"required": "Enter a postcode, like G12 8QQ"},
        widget=forms.TextInput(attrs={"autocomplete": "postal-code", "class": "govuk-input--width-10"}),
    )

    def clean_answer(self) -> str:
        try:
            postcode = normalise_postcode(self.cleaned_data["answer"])
            search_origin(postcode=postcode)  # a postcode we cannot place would give an empty search
        except InvalidPostcode as exc:
            raise forms.ValidationError(exc.message) from exc
        except DomainError as exc:
            raise forms.ValidationError(exc.message) from exc
        return postcode


class HowOftenForm(forms.Form):
    answer = forms.ChoiceField(
        label="How often do they need support?",
        widget=forms.RadioSelect,
        choices=[
            ("now-and-then", "Now and then, for example a short break or an activity"),
            ("few-hours-a-week", "A few hours a week"),
            ("every-day", "Every day"),
            ("day-and-night", "Day and night"),
            (NOT_SURE, "I’m not sure yet"),
        ],
        error_messages={"required": "Select how often they need support"},
    )


class BudgetForm(forms.Form):
    answer = forms.ChoiceField(
        label="How much can be spent on each hour of support?",
        help_text="We will hide services that cost more. Services that do not show a price are hidden too.",
        widget=forms.RadioSelect,
        choices=[
            ("up-to-15", "Up to £15 an hour"),
            ("up-to-25", "Up to £25 an hour"),
            ("up-to-40", "Up to £40 an hour"),
            ("council", "The council pays, or will assess what it pays"),
            (NOT_SURE, "I do not know yet"),
        ],
        error_messages={"required": "Select how much can be spent, or ‘I do not know yet’"},
    )
