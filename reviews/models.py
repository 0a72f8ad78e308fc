"""Reviews of services by the people who used them (or their carers), provider replies,
reports and moderation decisions, and the rating aggregates search ranks by.

A review's life: submitted → automatic checks → ``pending`` (the provider sees it for
72 hours, then a beat task publishes it) or ``held`` (waiting for a moderator) →
``published``, ``rejected``, ``removed`` (after a report) or ``withdrawn`` (by its author).
Aggregates (`ServiceRating`, `ProviderRating`) are rewritten for one service and its
provider in the same transaction as every publish or withdrawal (see services.rating_refresh).
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from carehub import clock

PROVIDER_PREVIEW = timedelta(hours=72)
REPLY_EDIT_WINDOW = timedelta(hours=24)
ASPECTS = ("quality_of_care", "staff", "communication", "reliability", "value_for_money")
ASPECT_LABELS = {
    "quality_of_care": "Quality of care",
    "staff": "Staff",
    "communication": "Communication",
    "reliability": "Reliability",
    "value_for_money": "Value for money",
}


def _stars(name: str, *, required: bool = False) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(ASPECT_LABELS.get(name, name), null=not required, blank=not required)


class Review(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be published"
        HELD = "held", "Held for moderation"
        PUBLISHED = "published", "Published"
        REJECTED = "rejected", "Not published"
        REMOVED = "removed", "Removed after a report"
        WITHDRAWN = "withdrawn", "Withdrawn by the reviewer"

    class Relationship(models.TextChoices):
        SELF = "self", "I used the service"
        FAMILY = "family", "Family member or carer"
        FRIEND = "friend", "Friend"
        PROFESSIONAL = "professional", "Professional"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey("directory.Service", on_delete=models.CASCADE, related_name="reviews")
    provider = models.ForeignKey("directory.Provider", on_delete=models.CASCADE, related_name="reviews")
    person = models.ForeignKey("accounts.PersonProfile", on_delete=models.CASCADE, related_name="reviews")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews_written")
    booking = models.ForeignKey(
        "marketplace.Booking", null=True, blank=True, on_delete=models.SET_NULL, related_name="reviews"
    )
    verified = models.BooleanField(default=False, help_text="Follows a completed CareHub booking")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    overall = _stars("overall", required=True)
    quality_of_care = _stars("quality_of_care")
    staff = _stars("staff")
    communication = _stars("communication")
    reliability = _stars("reliability")
    value_for_money = _stars("value_for_money")
    title = models.CharField(max_length=120, blank=True)
    text = models.TextField(max_length=5000, blank=True)
    relationship = models.CharField(max_length=12, choices=Relationship.choices)
    experience_month = models.DateField(help_text="First day of the month of the experience")
    hold_reasons = models.JSONField(default=list, blank=True)
    # Only the person's latest published review of a service counts in its rating.
    counts_in_rating = models.BooleanField(default=False)
    helpful_count = models.PositiveIntegerField(default=0)
    submitted_at = models.DateTimeField(default=timezone.now)
    publish_after = models.DateTimeField()
    published_at = models.DateTimeField(null=True, blank=True)
    provider_flagged_at = models.DateTimeField(null=True, blank=True)
    provider_flag_reason = models.CharField(max_length=1000, blank=True)
    submitted_ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(overall__gte=1, overall__lte=5), name="reviews_review_overall_1_5"),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{a}__isnull": True}) | Q(**{f"{a}__gte": 1, f"{a}__lte": 5}),
                    name=f"reviews_review_{a}_1_5",
                )
                for a in ASPECTS
            ),
            # One live review per booking (the 12-month rule without a booking is checked in the service).
            models.UniqueConstraint(
                fields=["person", "service", "booking"],
                condition=Q(booking__isnull=False) & ~Q(status__in=["rejected", "withdrawn"]),
                name="reviews_review_one_per_booking",
            ),
        ]
        indexes = [
            models.Index(fields=["service", "status", "-published_at"], name="reviews_service_status"),
            models.Index(fields=["status", "publish_after"], name="reviews_status_publish_after"),
            models.Index(fields=["person", "service"], name="reviews_person_service"),
        ]

    def __str__(self) -> str:
        return f"{self.overall}★ for {self.service_id} by person {self.person_id} ({self.status})"

    @property
    def aspects(self) -> list[tuple[str, int]]:
        return [(ASPECT_LABELS[a], getattr(self, a)) for a in ASPECTS if getattr(self, a)]


class ProviderReply(models.Model):
    """The provider's one public reply to a review, editable for 24 hours."""

    class Tag(models.TextChoices):
        NONE = "", "No change"
        CHANGE_MADE = "change_made", "Change made"
        CHANGE_PLANNED = "change_planned", "Change planned"

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="reply")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=3000)
    tag = models.CharField(max_length=16, choices=Tag.choices, blank=True, default=Tag.NONE)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"Reply to {self.review_id}"

    def editable_at(self, now: timezone.datetime | None = None) -> bool:
        return (now or clock.now()) < self.created_at + REPLY_EDIT_WINDOW


class Report(models.Model):
    """Someone's report that a published review breaks the rules."""

    class Reason(models.TextChoices):
        FALSE = "false", "It is untrue or not about this service"
        PERSONAL = "personal", "It contains personal details"
        ABUSIVE = "abusive", "It is abusive or discriminatory"
        CONFLICT = "conflict", "It was written by someone with a conflict of interest"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=10, choices=Reason.choices)
    detail = models.TextField(max_length=2000, blank=True)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["review", "reporter"], condition=Q(status="open"), name="reviews_report_one_open_per_user"
            )
        ]

    def __str__(self) -> str:
        return f"Report on {self.review_id}: {self.reason}"


class ModerationDecision(models.Model):
    """A moderator's recorded decision on a held or reported review."""

    class Decision(models.TextChoices):
        APPROVE = "approve", "Publish"
        REJECT = "reject", "Do not publish"
        KEEP = "keep", "Keep published (reports closed)"
        REMOVE = "remove", "Remove from the site"

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="decisions")
    moderator = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=8, choices=Decision.choices)
    reason = models.TextField(max_length=2000)
    from_status = models.CharField(max_length=10)
    to_status = models.CharField(max_length=10)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.decision} on {self.review_id}"


class HelpfulVote(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="helpful_votes")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["review", "user"], name="reviews_helpfulvote_one_per_user")]

    def __str__(self) -> str:
        return f"{self.user_id} found {self.review_id} helpful"


class RatingFields(models.Model):
    """Counted published reviews summed up: what the pages show and search ranks by."""

    review_count = models.PositiveIntegerField(default=0)
    average = models.FloatField(null=True, blank=True)
    count_1 = models.PositiveIntegerField(default=0)
    count_2 = models.PositiveIntegerField(default=0)
    count_3 = models.PositiveIntegerField(default=0)
    count_4 = models.PositiveIntegerField(default=0)
    count_5 = models.PositiveIntegerField(default=0)
    quality_of_care = models.FloatField(null=True, blank=True)
    staff = models.FloatField(null=True, blank=True)
    communication = models.FloatField(null=True, blank=True)
    reliability = models.FloatField(null=True, blank=True)
    value_for_money = models.FloatField(null=True, blank=True)
    # The ranking window (experience in the last 24 months) and its score.
    recent_count = models.PositiveIntegerField(default=0)
    recent_sum = models.PositiveIntegerField(default=0)
    score = models.FloatField(null=True, blank=True, db_index=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True

    @property
    def distribution(self) -> list[tuple[int, int, int]]:
        """(stars, count, whole percent) from 5 stars down to 1."""
        total = self.review_count or 1
        counts = [(s, getattr(self, f"count_{s}")) for s in range(5, 0, -1)]
        return [(s, n, round(100 * n / total)) for s, n in counts]

    @property
    def aspects(self) -> list[tuple[str, float]]:
        return [(ASPECT_LABELS[a], getattr(self, a)) for a in ASPECTS if getattr(self, a) is not None]


class ServiceRating(RatingFields):
    service = models.OneToOneField("directory.Service", on_delete=models.CASCADE, related_name="rating_summary")

    def __str__(self) -> str:
        return f"Rating of service {self.service_id}"


class ProviderRating(RatingFields):
    provider = models.OneToOneField("directory.Provider", on_delete=models.CASCADE, related_name="rating_summary")

    def __str__(self) -> str:
        return f"Rating of provider {self.provider_id}"
