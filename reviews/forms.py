"""Input shapes for the review pages; the rules live in services.py."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.dates import MONTHS

from accounts.models import PersonProfile
from carehub import clock
from reviews.models import ASPECT_LABELS, ASPECTS, ModerationDecision, ProviderReply, Report, Review
from reviews.services import RANKING_MONTHS, months_ago

STAR_CHOICES = [(str(n), f"{n} star{'s' if n > 1 else ''}") for n in range(5, 0, -1)]


def month_choices(today: date) -> list[tuple[str, str]]:
    months = [months_ago(today, n) for n in range(RANKING_MONTHS + 1)]
    return [("", "Choose a month"), *((m.strftime("%Y-%m"), f"{MONTHS[m.month]} {m.year}") for m in months)]


class ReviewForm(forms.Form):
    person = forms.ChoiceField(label="Who used the service?", widget=forms.RadioSelect)
    overall = forms.TypedChoiceField(
        label="Overall rating",
        choices=STAR_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose an overall rating from 1 to 5 stars"},
    )
    relationship = forms.ChoiceField(
        label="How do you know the service?",
        choices=Review.Relationship.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose how you know the service"},
    )
    experience_month = forms.ChoiceField(
        label="When did you use the service?", error_messages={"required": "Choose the month you used the service"}
    )
    title = forms.CharField(label="Title (optional)", max_length=120, required=False)
    text = forms.CharField(
        label="Your review (optional)",
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Say what went well and what could be better. Do not include names, phone numbers or addresses.",
    )

    def __init__(self, *args: Any, people: list[PersonProfile], user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = {str(p.code): p for p in people}
        self.fields["person"].choices = [
            (str(p.code), f"Me ({p.display_name})" if p.user_id == user.pk else p.display_name) for p in people
        ]
        self.fields["person"].error_messages["required"] = "Choose who used the service"
        if len(people) == 1:
            # A carer who supports one person: the only answer is chosen for them.
            self.fields["person"].initial = str(people[0].code)
        if len(people) == 1 and people[0].user_id == user.pk:
            # Writing for themselves, with no one else to choose: no question to ask.
            del self.fields["person"]
        self.fields["experience_month"].choices = month_choices(clock.today())
        for name in ASPECTS:
            self.fields[name] = forms.TypedChoiceField(
                label=f"{ASPECT_LABELS[name]} (optional)",
                choices=STAR_CHOICES,
                coerce=int,
                required=False,
                empty_value=None,
                widget=forms.RadioSelect,
            )

    def clean_person(self) -> PersonProfile:
        return self.people[self.cleaned_data["person"]]

    def chosen_person(self) -> PersonProfile:
        return self.cleaned_data["person"] if "person" in self.fields else next(iter(self.people.values()))

    def clean_experience_month(self) -> date:
        year, month = self.cleaned_data["experience_month"].split("-")
        return date(int(year), int(month), 1)

    def aspects(self) -> dict[str, int | None]:
        return {name: self.cleaned_data.get(name) for name in ASPECTS}


class ReportForm(forms.Form):
    reason = forms.ChoiceField(
        label="What is wrong with this review?",
        choices=Report.Reason.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what is wrong with the review"},
    )
    detail = forms.CharField(
        label="Tell us more (optional)", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class ProviderFlagForm(forms.Form):
    reason = forms.CharField(
        label="Why should a moderator check this review?",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Tell us why the review should be checked"},
    )


class ReplyForm(forms.Form):
    text = forms.CharField(
        label="Your reply",
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Your reply is public and appears under the review. You can change it for 24 hours.",
        error_messages={"required": "Enter your reply"},
    )
    tag = forms.ChoiceField(
        label="Has the review led to a change?",
        choices=ProviderReply.Tag.choices,
        required=False,
        widget=forms.RadioSelect,
    )


class ModerationForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision", widget=forms.RadioSelect, error_messages={"required": "Choose a decision"}
    )
    reason = forms.CharField(
        label="Reason (kept on record)",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Give a reason for the decision"},
    )

    def __init__(self, *args: Any, review: Review, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = ("approve", "reject") if review.status == Review.Status.HELD else ("keep", "remove")
        self.fields["decision"].choices = [c for c in ModerationDecision.Decision.choices if c[0] in allowed]
