from __future__ import annotations

from django import forms

from accounts.tokens.models import ApiToken


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label="Name",
        max_length=100,
        help_text="So you can tell your tokens apart, for example the program that will use it",
        error_messages={
            "required": "Enter a name for the token",
            "max_length": "The name must be 100 characters or fewer",
        },
    )
    scope = forms.ChoiceField(
        label="What may the token do?",
        choices=[
            (ApiToken.Scope.READ, "Read only: see your information, but not change it"),
            (ApiToken.Scope.WRITE, "Read and write: see and change your information, including bookings and money"),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Select what the token may do"},
    )
