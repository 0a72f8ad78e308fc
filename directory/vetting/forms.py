"""Forms for vetting evidence uploads and officers' decisions. The rules for
which facts each kind of evidence needs live in the service (directory.vetting)."""

from __future__ import annotations

from typing import Any

from django import forms

from directory.models import VettingEvidence
from directory.models.vetting import CriminalRecordScheme, TrainingTopic
from directory.vetting.services import REQUIRED_FACTS

FIELDS_BY_KIND = {
    VettingEvidence.Kind.INSURANCE: ("insurer", "policy_number", "expires_on"),
    VettingEvidence.Kind.CRIMINAL_RECORD: ("scheme", "certificate_number", "issued_on"),
    VettingEvidence.Kind.TRAINING: ("topic", "completed_on"),
    VettingEvidence.Kind.REFERENCE: ("referee_name", "referee_contact"),
    VettingEvidence.Kind.IDENTITY: (),
    VettingEvidence.Kind.QUALITY_MARK: (),
}


class _DateInput(forms.DateInput):
    input_type = "date"


def _date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=_DateInput(),
        error_messages={"invalid": "Enter a real date, for example 2026-05-31"},
    )


class VettingEvidenceForm(forms.Form):
    insurer = forms.CharField(label="Insurer", max_length=200, required=False)
    policy_number = forms.CharField(label="Policy number", max_length=100, required=False)
    expires_on = _date("Date the policy ends")
    scheme = forms.ChoiceField(
        label="Which check", choices=CriminalRecordScheme.choices, required=False, widget=forms.RadioSelect
    )
    certificate_number = forms.CharField(label="Certificate or membership number", max_length=40, required=False)
    issued_on = _date("Date it was issued")
    topic = forms.ChoiceField(label="Course", choices=[("", "Choose a course"), *TrainingTopic.choices], required=False)
    completed_on = _date("Date you completed it")
    referee_name = forms.CharField(label="Referee's name", max_length=200, required=False)
    referee_contact = forms.CharField(label="Referee's phone number or e-mail address", max_length=200, required=False)
    note = forms.CharField(
        label="Anything the vetting officer should know (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    file = forms.FileField(
        label="Upload the document",
        help_text="A PDF, JPG or PNG under 10 MB.",
        error_messages={"required": "Choose a file to upload", "empty": "The file you uploaded is empty"},
    )

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        keep = {*FIELDS_BY_KIND[kind], "note", "file"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        # The service holds the rule (REQUIRED_FACTS); asking here too shows every missing fact at once.
        for name, message in REQUIRED_FACTS.get(kind, ()):
            self.fields[name].required = True
            self.fields[name].error_messages["required"] = message


class VettingDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="Decision",
        choices=[("approve", "Approve: the evidence is genuine and enough"), ("reject", "Reject")],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose approve or reject"},
    )
    reason = forms.CharField(
        label="Reason (the provider sees it if you reject)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
