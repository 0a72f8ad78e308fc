"""Where an imported listing came from: one row per record of another directory's
Open Referral UK feed (a service or an organisation) and the CareHub row it became.

Re-exported by the directory.models package, so Django registers it with the directory app.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone


class OrukRecord(models.Model):
    """One service or organisation of an ORUK feed, the CareHub row it became, and a
    digest of what CareHub took from it: an unchanged record is not written again."""

    class Kind(models.TextChoices):
        SERVICE = "service", "Service"
        ORGANIZATION = "organization", "Organisation"

    source = models.CharField(max_length=500, help_text="The feed: its URL stub, or the name given to a file")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    external_id = models.CharField(max_length=255, help_text="The record's id in the source feed")
    service = models.OneToOneField(
        "directory.Service", null=True, blank=True, on_delete=models.CASCADE, related_name="oruk_record"
    )
    provider = models.OneToOneField(
        "directory.Provider", null=True, blank=True, on_delete=models.CASCADE, related_name="oruk_record"
    )
    digest = models.CharField(max_length=64)
    # The source's own status word for a service (active, defunct...): the listing's status
    # follows the source only when this changes, so an officer's suspension is not undone.
    source_status = models.CharField(max_length=40, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now, help_text="Last changed by an import")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "kind", "external_id"], name="directory_orukrecord_unique_id"),
            models.CheckConstraint(
                condition=Q(kind="service", service__isnull=False, provider__isnull=True)
                | Q(kind="organization", provider__isnull=False, service__isnull=True),
                name="directory_orukrecord_kind_matches_row",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.external_id} from {self.source}"
