"""Forms for claiming a listing and deciding a claim."""

from __future__ import annotations

from django import forms


class ClaimForm(forms.Form):
    job_title = forms.CharField(
        label="Your job title",
        max_length=120,
        error_messages={"required": "Enter your job title"},
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    message = forms.CharField(
        label="Anything the vetting officer should know (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    evidence = forms.FileField(
        label="Evidence that you work for this provider",
        help_text="A PDF, JPG or PNG under 10 MB, such as a letter on headed paper or the registration certificate.",
        error_messages={"required": "Upload your evidence", "empty": "The file you uploaded is empty"},
    )


class ClaimDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("approve", "Approve: the claimant becomes the owner"), ("reject", "Reject")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose approve or reject"},
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        max_length=2000,
        help_text="Needed when you reject: the claimant sees it.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )
