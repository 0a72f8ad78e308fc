"""Regulators' registers: what the Care Inspectorate (Scotland) and the Care
Quality Commission (England) say about a service, and the import runs that
keep it in sync.

A registered service is an ordinary `Service` plus one `Registration` row; the
register's own provider number lives on `RegisteredProvider`. Import runs are
recorded as `RegisterImport` rows (with their error rows), and every grade that
changes between two files leaves a `GradeChange` naming the file it came from.
Rows are never deleted by an import: a service missing from a newer file is
marked `no_longer_registered` because it may have bookings and reviews.

"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q

from carehub import clock


class Regulator(models.TextChoices):
    CARE_INSPECTORATE = "ci", "Care Inspectorate"
    CQC = "cqc", "Care Quality Commission"


# The regulators' own words for each grade.
CI_GRADE_WORDS = {1: "Unsatisfactory", 2: "Weak", 3: "Adequate", 4: "Good", 5: "Very Good", 6: "Excellent"}
CQC_RATING_WORDS = {1: "Inadequate", 2: "Requires improvement", 3: "Good", 4: "Outstanding"}
GRADE_STALE_AFTER = timedelta(days=2 * 365)
# Search filters on one scale: CQC's four ratings placed on the Care Inspectorate's
# six by their meaning (Outstanding ≈ Excellent, Good ≈ Good, Requires improvement ≈
# Adequate, Inadequate ≈ Unsatisfactory).
CQC_ON_SIX_POINT_SCALE = {4: 6, 3: 4, 2: 3, 1: 1}


def lowest_grade_six_point(regulator: str, grades: dict[str, int]) -> int | None:
    """The service's lowest grade on the six-point scale, or None when ungraded."""
    if not grades:
        return None
    lowest = min(grades.values())
    return lowest if regulator == Regulator.CARE_INSPECTORATE else CQC_ON_SIX_POINT_SCALE.get(lowest)


def regulator_grade_words(regulator: str, value: int) -> str:
    words = CI_GRADE_WORDS if regulator == Regulator.CARE_INSPECTORATE else CQC_RATING_WORDS
    return words.get(value, "")


class RegisterImport(models.Model):
    """One run of a register import: which file, when, how far it got, and what it changed."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to start"
        RUNNING = "running", "Running"
        DONE = "done", "Finished"
        FAILED = "failed", "Failed"

    regulator = models.CharField(max_length=8, choices=Regulator.choices)
    file = models.FileField(upload_to="register-imports/", blank=True, help_text="Upload a register file to import")
    file_name = models.CharField(max_length=255, blank=True)
    file_sha256 = models.CharField(max_length=64, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    stage = models.CharField(max_length=120, blank=True)
    started_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    processed_rows = models.PositiveIntegerField(default=0)
    counts = models.JSONField(default=dict, blank=True)
    message = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_regulator_display()} import of {self.file_name or 'an uploaded file'}"

    @property
    def progress_percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(100, self.processed_rows * 100 // self.total_rows)


class RegisterImportError(models.Model):
    """A row the import could not take, with its row number in the file and why."""

    register_import = models.ForeignKey(RegisterImport, on_delete=models.CASCADE, related_name="errors")
    row_number = models.PositiveIntegerField()
    reference = models.CharField(max_length=40, blank=True)
    reason = models.CharField(max_length=500)

    class Meta:
        ordering = ["row_number"]

    def __str__(self) -> str:
        return f"row {self.row_number}: {self.reason}"


class RegisteredProvider(models.Model):
    """The register's identity of a provider organisation (Care Inspectorate SP number, CQC provider id)."""

    regulator = models.CharField(max_length=8, choices=Regulator.choices)
    provider_number = models.CharField(max_length=40)
    registered_name = models.CharField(max_length=255)
    provider_type = models.CharField(max_length=80, blank=True)
    provider = models.OneToOneField("directory.Provider", on_delete=models.PROTECT, related_name="registered_as")
    source_import = models.ForeignKey(
        RegisterImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["regulator", "provider_number"], name="directory_registeredprovider_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider_number} {self.registered_name}"


class Registration(models.Model):
    """What a regulator's register says about one service.

    `grades` maps a key question ("support_wellbeing", "overall"...) to its grade
    as an integer on the regulator's scale (1–6 Care Inspectorate, 1–4 CQC);
    the regulator's words come from `regulator_grade_words`. `row_hash` is a
    digest of the register columns the import uses: an unchanged row is skipped
    without a write, so re-importing the same file changes nothing.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Registered, not currently operating"
        NO_LONGER_REGISTERED = "no_longer_registered", "No longer registered"

    service = models.OneToOneField("directory.Service", on_delete=models.PROTECT, related_name="registration")
    regulator = models.CharField(max_length=8, choices=Regulator.choices)
    registration_number = models.CharField(max_length=40)
    registered_provider = models.ForeignKey(
        RegisteredProvider, null=True, blank=True, on_delete=models.SET_NULL, related_name="registrations"
    )
    status = models.CharField(max_length=24, choices=Status.choices, default=Status.ACTIVE)
    registered_name = models.CharField(max_length=255)
    registered_address = models.CharField(max_length=500, blank=True)
    service_type = models.CharField(max_length=120, blank=True)
    subtype = models.CharField(max_length=255, blank=True)
    registered_since = models.DateField(null=True, blank=True)
    grades = models.JSONField(default=dict, blank=True)
    lowest_grade = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Lowest grade on the six-point scale (see lowest_grade_six_point), for search"
    )
    graded_on = models.DateField(null=True, blank=True)
    last_inspected_on = models.DateField(null=True, blank=True)
    beds = models.PositiveIntegerField(null=True, blank=True)
    registered_places = models.PositiveIntegerField(null=True, blank=True)
    complaints_upheld = models.JSONField(default=dict, blank=True, help_text="Upheld complaints by year, e.g. 2526")
    register_url = models.URLField(max_length=500, blank=True)
    row_hash = models.CharField(max_length=64, blank=True)
    source_import = models.ForeignKey(
        RegisterImport, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="Last changed by"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["regulator", "registration_number"], name="directory_registration_unique_number"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration_number} {self.registered_name}"

    @property
    def regulator_name(self) -> str:
        return Regulator(self.regulator).label

    @property
    def url(self) -> str:
        if self.register_url:
            return self.register_url
        if self.regulator == Regulator.CARE_INSPECTORATE:
            return f"https://www.careinspectorate.com/index.php/care-services?detail={self.registration_number}"
        return f"https://www.cqc.org.uk/location/{self.registration_number}"

    def grade_list(self) -> list[dict[str, object]]:
        """Grades in the regulator's order, each with its label and the regulator's words."""
        from directory.registers.grades import grade_label, grade_order

        return [
            {
                "key": key,
                "label": grade_label(self.regulator, key),
                "grade": self.grades[key],
                "words": regulator_grade_words(self.regulator, self.grades[key]),
            }
            for key in grade_order(self.regulator)
            if key in self.grades
        ]

    def grading_is_stale(self, today: date | None = None) -> bool:
        """True when the latest grading is more than two years old."""
        if not self.graded_on:
            return False
        today = today or clock.today()
        return today - self.graded_on > GRADE_STALE_AFTER


class GradeChange(models.Model):
    """A grade that changed between two register files (what, old → new, from which file)."""

    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="grade_changes")
    register_import = models.ForeignKey(RegisterImport, on_delete=models.PROTECT, related_name="grade_changes")
    key = models.CharField(max_length=60)
    old_grade = models.PositiveSmallIntegerField(null=True, blank=True)
    new_grade = models.PositiveSmallIntegerField(null=True, blank=True)
    graded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "key"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(old_grade=models.F("new_grade")),
                name="directory_gradechange_changed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key}: {self.old_grade} → {self.new_grade}"


# --- Claims, edit history and freshness (the provider portal) -------------------


def claim_evidence_path(instance: ListingClaim, filename: str) -> str:
    # Evidence lives under MEDIA_ROOT, which is outside the web root and has no
    # MEDIA_URL: it is only ever served through a permission-checked view.
    return f"claims/{instance.code}/{filename}"


class ListingClaim(models.Model):
    """A request by a signed-in person to become the owner of an imported, unclaimed provider."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey("directory.Provider", on_delete=models.CASCADE, related_name="claims")
    service = models.ForeignKey("directory.Service", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    claimant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="listing_claims")
    job_title = models.CharField(max_length=120)
    message = models.TextField(blank=True)
    evidence = models.FileField(upload_to=claim_evidence_path)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "claimant"],
                condition=Q(status="pending"),
                name="directory_listingclaim_one_pending_per_claimant",
            ),
        ]

    def __str__(self) -> str:
        return f"Claim of {self.provider} by {self.claimant}"
