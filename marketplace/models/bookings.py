"""Bookings, their hourly slots and their history (issue 6).

Imported by marketplace/models.py so Django registers them with this app.
A booking's money lives in the ledger: `commitment` is the hold made when it
was requested (marketplace.services.budget_commit), released on decline or
cancellation and settled on completion.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

# The rule's wording lives with the listing it is set on; bookings show the copy they keep.
from directory.models.listings import cancellation_rule_text

DEFAULT_FREE_CANCELLATION_HOURS = 24
AUTO_COMPLETE_AFTER = timedelta(days=7)


class Booking(models.Model):
    """One booking of one service for one person: a one-off quantity, or a run of hourly slots."""

    class Status(models.TextChoices):
        REQUESTED = "requested", "Waiting for the provider"
        ACCEPTED = "accepted", "Accepted"
        SCHEDULED = "scheduled", "Scheduled"
        DELIVERED = "delivered", "Delivered: waiting for confirmation"
        COMPLETED = "completed", "Completed"
        DECLINED = "declined", "Declined"
        CANCELLED = "cancelled", "Cancelled"
        DISPUTED = "disputed", "Disputed"

    class Kind(models.TextChoices):
        ONE_OFF = "one_off", "One-off"
        HOURLY = "hourly", "Hourly slots"

    OPEN_STATUSES = (Status.REQUESTED, Status.ACCEPTED, Status.SCHEDULED)

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    service = models.ForeignKey("directory.Service", on_delete=models.PROTECT, related_name="bookings")
    provider = models.ForeignKey("directory.Provider", on_delete=models.PROTECT, related_name="bookings")
    person = models.ForeignKey("accounts.PersonProfile", on_delete=models.PROTECT, related_name="bookings")
    budget = models.ForeignKey("marketplace.Budget", on_delete=models.PROTECT, related_name="bookings")
    commitment = models.OneToOneField(
        "marketplace.Commitment", null=True, blank=True, on_delete=models.PROTECT, related_name="booking"
    )
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.REQUESTED)
    quantity = models.PositiveIntegerField(help_text="Hours for hourly bookings; visits, days or items otherwise")
    unit_price_pence = models.BigIntegerField()
    amount_pence = models.BigIntegerField()
    price_unit = models.CharField(max_length=8)
    starts_at = models.DateTimeField(null=True, blank=True)
    ends_at = models.DateTimeField(null=True, blank=True)
    note = models.TextField(blank=True, max_length=2000)
    # The cancellation rule shown before booking, copied so a later change to the listing never applies.
    free_cancellation_hours = models.PositiveIntegerField(default=DEFAULT_FREE_CANCELLATION_HOURS)
    late_cancellation_percent = models.PositiveSmallIntegerField(default=100)
    status_reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    plan = models.ForeignKey(
        "marketplace.RecurringPlan", null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )

    class Meta:
        ordering = ["starts_at", "pk"]
        indexes = [
            models.Index(fields=["person", "status"], name="marketplace_booking_person"),
            models.Index(fields=["provider", "status"], name="marketplace_booking_provider"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=1), name="marketplace_booking_quantity_positive"),
            models.CheckConstraint(condition=Q(amount_pence__gt=0), name="marketplace_booking_amount_positive"),
            models.CheckConstraint(
                condition=Q(late_cancellation_percent__lte=100), name="marketplace_booking_late_percent_valid"
            ),
            models.CheckConstraint(
                condition=Q(ends_at__isnull=True) | Q(ends_at__gt=models.F("starts_at")),
                name="marketplace_booking_ends_after_start",
            ),
            models.UniqueConstraint(
                fields=["plan", "starts_at"],
                condition=Q(plan__isnull=False),
                name="marketplace_booking_one_per_plan_visit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service} for {self.person} ({self.get_status_display()})"

    @property
    def cancellation_rule(self) -> str:
        return cancellation_rule_text(self.free_cancellation_hours, self.late_cancellation_percent)

    def is_free_to_cancel(self, now: datetime) -> bool:
        if self.starts_at is None:
            return True
        return now <= self.starts_at - timedelta(hours=self.free_cancellation_hours)

    @property
    def is_open(self) -> bool:
        return self.status in self.OPEN_STATUSES


class BookingSlot(models.Model):
    """One booked hour of an hourly service. The partial unique index on
    (service, starts_at) among active slots is what stops double booking,
    under parallel requests, on PostgreSQL and SQLite alike."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="slots")
    service = models.ForeignKey("directory.Service", on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["service", "starts_at"], condition=Q(active=True), name="marketplace_bookingslot_one_per_hour"
            )
        ]

    def __str__(self) -> str:
        return f"{self.service} {self.starts_at:%Y-%m-%d %H:%M}"


class BookingEvent(models.Model):
    """The history of a booking: who moved it from which status to which, when, and why."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    from_status = models.CharField(max_length=10, blank=True)
    to_status = models.CharField(max_length=10)
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_status or 'new'} → {self.to_status}"


class RecurringPlan(models.Model):
    """Regular care, for example three visits a week for twelve weeks.

    The whole plan is shown as planned future spend, but money is committed
    week by week: a beat task turns the coming week's visits into ordinary
    bookings (each committed from the budget and accepted by the provider).
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ENDED = "ended", "Ended"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    service = models.ForeignKey("directory.Service", on_delete=models.PROTECT, related_name="recurring_plans")
    provider = models.ForeignKey("directory.Provider", on_delete=models.PROTECT, related_name="recurring_plans")
    person = models.ForeignKey("accounts.PersonProfile", on_delete=models.PROTECT, related_name="recurring_plans")
    budget = models.ForeignKey("marketplace.Budget", on_delete=models.PROTECT, related_name="recurring_plans")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    weekdays = models.CharField(max_length=20, help_text="Comma-separated weekday numbers, Monday = 0")
    time_of_day = models.TimeField()
    hours = models.PositiveSmallIntegerField(default=1, help_text="Hours per visit (hourly services); else 1")
    visit_price_pence = models.BigIntegerField()
    starts_on = models.DateField()
    weeks = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(weeks__gte=1, weeks__lte=52), name="marketplace_recurringplan_weeks_range"
            ),
            models.CheckConstraint(condition=Q(visit_price_pence__gt=0), name="marketplace_recurringplan_price"),
        ]

    def __str__(self) -> str:
        return f"{self.service} for {self.person}: {self.visits_per_week} a week for {self.weeks} weeks"

    @property
    def weekday_numbers(self) -> list[int]:
        return sorted(int(d) for d in self.weekdays.split(",") if d != "")

    @property
    def visits_per_week(self) -> int:
        return len(self.weekday_numbers)

    @property
    def ends_on(self) -> date:
        return self.starts_on + timedelta(weeks=self.weeks) - timedelta(days=1)

    @property
    def total_pence(self) -> int:
        return self.visit_dates_count * self.visit_price_pence

    @property
    def visit_dates_count(self) -> int:
        return len(self.visit_dates())

    def visit_dates(self) -> list[date]:
        days = set(self.weekday_numbers)
        span = (self.ends_on - self.starts_on).days + 1
        return [
            self.starts_on + timedelta(days=i)
            for i in range(span)
            if (self.starts_on + timedelta(days=i)).weekday() in days
        ]
