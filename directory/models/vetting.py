"""Vetting (issue 8): the evidence providers upload, the dated checks run on
it, and each provider's cached outcome.

- `VettingEvidence`: one uploaded document with the facts it proves (insurer
  and policy number, PVG/DBS certificate number, a training course, a
  referee...). Evidence an officer must confirm (references, identity, the
  quality mark) waits in the officers' queue until approved or rejected.
- `VettingCheck`: one dated result of one kind of check for one provider.
  `is_current` marks the latest result per (provider, kind); older rows are the
  history. A re-run with the same outcome only moves `checked_at` on.
- `ProviderVetting`: the provider's outcome, rewritten in the same transaction
  as every check, so search filters on one indexed column (`vetted_at`).

Imported by directory/models.py so Django registers them with this app.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class CheckKind(models.TextChoices):
    REGISTRATION = "registration", "Registration with the regulator"
    INSURANCE = "insurance", "Public liability insurance"
    CRIMINAL_RECORD = "criminal_record", "Criminal record check (PVG or DBS)"
    REFERENCES = "references", "Two references"
    IDENTITY = "identity", "Identity"
    TRAINING = "training", "Training"
    QUALITY_MARK = "quality_mark", "Quality mark"


class TrainingTopic(models.TextChoices):
    FOOD_HYGIENE = "food_hygiene", "Food hygiene"
    MOVING_AND_HANDLING = "moving_and_handling", "Moving and handling"
    MEDICATION = "medication", "Medication"
    CONFIDENTIALITY = "confidentiality", "Confidentiality"
    LONE_WORKING = "lone_working", "Lone working"


class CriminalRecordScheme(models.TextChoices):
    PVG = "pvg", "PVG scheme membership (Scotland)"
    DBS = "dbs", "DBS certificate (England and Wales)"


def vetting_evidence_path(instance: VettingEvidence, filename: str) -> str:
    # Never the uploader's file name: it could be anything. MEDIA_ROOT has no public URL.
    return f"vetting/{instance.provider.code}/{instance.code}{instance.extension}"


class VettingEvidence(models.Model):
    """A document a provider member uploaded for vetting, with the facts it proves."""

    class Kind(models.TextChoices):
        INSURANCE = "insurance", "Public liability insurance certificate"
        CRIMINAL_RECORD = "criminal_record", "PVG or DBS certificate"
        REFERENCE = "reference", "Reference"
        IDENTITY = "identity", "Proof of identity"
        TRAINING = "training", "Training certificate"
        QUALITY_MARK = "quality_mark", "Quality mark self-assessment"

    class Review(models.TextChoices):
        NOT_NEEDED = "not_needed", "Checked automatically"
        PENDING = "pending", "Waiting for a vetting officer"
        APPROVED = "approved", "Confirmed by a vetting officer"
        REJECTED = "rejected", "Rejected by a vetting officer"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey("directory.Provider", on_delete=models.CASCADE, related_name="vetting_evidence")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    file = models.FileField(upload_to=vetting_evidence_path, max_length=200)
    original_name = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=40)
    extension = models.CharField(max_length=5)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)
    # Insurance
    insurer = models.CharField(max_length=200, blank=True)
    policy_number = models.CharField(max_length=100, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    # Criminal record check
    scheme = models.CharField(max_length=4, choices=CriminalRecordScheme.choices, blank=True)
    certificate_number = models.CharField(max_length=40, blank=True)
    issued_on = models.DateField(null=True, blank=True)
    # Training
    topic = models.CharField(max_length=24, choices=TrainingTopic.choices, blank=True)
    completed_on = models.DateField(null=True, blank=True)
    # Reference
    referee_name = models.CharField(max_length=200, blank=True)
    referee_contact = models.CharField(max_length=200, blank=True)
    note = models.TextField(blank=True)
    # An officer's decision, for the kinds that need one
    review = models.CharField(max_length=12, choices=Review.choices, default=Review.NOT_NEEDED)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["review", "uploaded_at"], name="directory_vetevidence_queue")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.provider_id}"


class VettingCheck(models.Model):
    """One dated result of one check for one provider, with the detail and the evidence it used."""

    class Status(models.TextChoices):
        PASSED = "passed", "Passed"
        FAILED = "failed", "Failed"
        NEEDS_REVIEW = "needs_review", "Needs review"
        EXPIRED = "expired", "Expired"

    provider = models.ForeignKey("directory.Provider", on_delete=models.CASCADE, related_name="vetting_checks")
    kind = models.CharField(max_length=20, choices=CheckKind.choices)
    status = models.CharField(max_length=12, choices=Status.choices)
    detail = models.TextField(blank=True)
    evidence = models.ManyToManyField(VettingEvidence, blank=True, related_name="checks")
    register_import = models.ForeignKey(
        "directory.RegisterImport", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    valid_until = models.DateField(null=True, blank=True, help_text="The day the evidence it used runs out")
    created_at = models.DateTimeField(default=timezone.now)
    checked_at = models.DateTimeField(default=timezone.now)
    is_current = models.BooleanField(default=True)
    # The smallest "days before expiry" reminder already sent for this result (30, then 7).
    reminded_days = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "-checked_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "kind"], condition=Q(is_current=True), name="directory_vettingcheck_one_current"
            ),
        ]
        indexes = [models.Index(fields=["is_current", "status", "valid_until"], name="directory_vetcheck_due")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_status_display()}"


class ProviderVetting(models.Model):
    """A provider's vetting outcome, cached for search: vetted when every check that applies has passed.

    `checks` lists what was checked and when ([{"kind", "label", "checked_on"}]) for
    results pages and the API without a query per result."""

    provider = models.OneToOneField("directory.Provider", on_delete=models.CASCADE, related_name="vetting")
    vetted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    # The first day any passed check's evidence has run out: search stops showing the
    # provider as vetted on that day even before the nightly expiry task has run.
    valid_until = models.DateField(null=True, blank=True)
    checks = models.JSONField(default=list, blank=True)
    reason = models.TextField(blank=True, help_text="Why the provider is not vetted")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Vetting of {self.provider_id}"

    @property
    def is_vetted(self) -> bool:
        return self.vetted_at is not None
