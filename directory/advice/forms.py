"""The advice search box (a GET form)."""

from __future__ import annotations

from django import forms


class AdviceSearchForm(forms.Form):
    q = forms.CharField(
        label="Search information and advice",
        max_length=200,
        required=False,
        help_text="For example, direct payments or complain",
    )
