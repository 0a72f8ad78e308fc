"""The category taxonomy, providers and the services they list; a listing's
availability, edit history and freshness confirmations."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Cast
from django.utils import timezone

from directory.models.places import Council, Postcode

# A provider's cancellation rule: notice of up to a week, a late charge of 0-100% of the price.
DEFAULT_FREE_CANCELLATION_HOURS = 24
MAX_FREE_CANCELLATION_HOURS = 168
# Latitude bands of the radius search's index (directory_service_geo_band): 1/50 degree each.
LATITUDE_BANDS_PER_DEGREE = 50


def cancellation_rule_text(free_hours: int, late_percent: int) -> str:
    """The rule in words, as people read it before booking and before cancelling."""
    if late_percent == 0:
        return "You can cancel at any time at no cost."
    charge = "the full price" if late_percent == 100 else f"{late_percent}% of the price"
    return f"Free to cancel until {free_hours} hours before it starts. If you cancel later, you pay {charge}."


class Category(models.Model):
    """A two-level taxonomy: top-level categories and their subcategories."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class ClientGroup(models.Model):
    """Who a service is for (older people, adults with learning disabilities, children...)."""

    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Provider(models.Model):
    """An organisation or individual that provides care and support."""

    class Kind(models.TextChoices):
        ORGANISATION = "organisation", "Organisation"
        INDIVIDUAL = "individual", "Individual (for example a personal assistant)"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(max_length=255)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.ORGANISATION)
    description = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    """A listing: one service a provider offers, where and for how much."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        PUBLISHED = "published", "Published"
        SUSPENDED = "suspended", "Suspended"
        NO_LONGER_REGISTERED = "no_longer_registered", "No longer registered"

    class PriceUnit(models.TextChoices):
        HOUR = "hour", "per hour"
        VISIT = "visit", "per visit"
        DAY = "day", "per day"
        WEEK = "week", "per week"
        NIGHT = "night", "per night"
        ITEM = "item", "per item"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="services")
    name = models.CharField(max_length=255)
    description = models.TextField(blank=True)
    categories = models.ManyToManyField(Category, blank=True, related_name="services")
    client_groups = models.ManyToManyField(ClientGroup, blank=True, related_name="services")

    delivered_at_location = models.BooleanField(default=True, help_text="At the provider's own premises")
    delivered_at_home = models.BooleanField(default=False, help_text="At the person's home")
    delivered_remotely = models.BooleanField(default=False, help_text="Online or by phone")
    service_radius_miles = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="How far from its base it visits people at home",
    )

    address_line_1 = models.CharField(max_length=255, blank=True)
    address_line_2 = models.CharField(max_length=255, blank=True)
    town = models.CharField(max_length=120, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    location_precision = models.CharField(max_length=8, choices=Postcode.Precision.choices, blank=True)
    council = models.ForeignKey(Council, null=True, blank=True, on_delete=models.SET_NULL, related_name="services")

    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)

    price_pence = models.BigIntegerField(null=True, blank=True)
    price_unit = models.CharField(max_length=8, choices=PriceUnit.choices, blank=True)
    price_on_request = models.BooleanField(default=False)
    # The provider's cancellation rule, shown before booking and copied onto each booking
    # (marketplace Booking), so a later change never applies to bookings already made.
    free_cancellation_hours = models.PositiveIntegerField(default=DEFAULT_FREE_CANCELLATION_HOURS)
    late_cancellation_percent = models.PositiveSmallIntegerField(default=100)

    status = models.CharField(max_length=24, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            # Covering on PostgreSQL (INCLUDE): the radius search's first step reads ids, names and
            # positions from the index alone, never the table (ADR 3, issue 13). On SQLite the id is
            # the rowid and INCLUDE is ignored.
            models.Index(
                fields=["status", "latitude", "longitude"], include=["id", "name"], name="directory_service_geo_cover"
            ),
            # The radius search's first step (directory.search.selectors): latitude cut into bands
            # 1/50 degree (1.4 miles) tall, longitude ordered within each, so a search reads one short
            # range of the index per band its box crosses, not every service in a strip of the country
            # as tall as its box (a third as many index entries at 5 miles in a city; issue 13).
            models.Index(
                F("status"),
                Cast(F("latitude") * LATITUDE_BANDS_PER_DEGREE, models.IntegerField()),
                F("longitude"),
                F("latitude"),
                # Key columns, not INCLUDE (SQLite has no INCLUDE): ids and names read from the index alone.
                F("id"),
                F("name"),
                name="directory_service_geo_band",
            ),
            # Counting a search's circle (directory.search.selectors._count_only on PostgreSQL):
            # published services only, and only what the count reads (band, longitude, latitude),
            # so each entry is small: the count's reading of the index costs two thirds as much.
            models.Index(
                Cast(F("latitude") * LATITUDE_BANDS_PER_DEGREE, models.IntegerField()),
                F("longitude"),
                F("latitude"),
                condition=Q(status="published"),
                name="directory_service_geo_count",
            ),
            models.Index(fields=["status", "council"], name="directory_service_council"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(price_pence__isnull=True) | Q(price_pence__gte=0),
                name="directory_service_price_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(free_cancellation_hours__lte=MAX_FREE_CANCELLATION_HOURS),
                name="directory_service_free_cancellation_hours_range",
            ),
            models.CheckConstraint(
                condition=Q(late_cancellation_percent__lte=100),
                name="directory_service_late_cancellation_percent_range",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="directory_service_lat_lng_together",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def cancellation_rule(self) -> str:
        return cancellation_rule_text(self.free_cancellation_hours, self.late_cancellation_percent)


class ServiceEdit(models.Model):
    """One changed field of a listing or provider profile: who, when, old → new."""

    provider = models.ForeignKey("directory.Provider", on_delete=models.CASCADE, related_name="edits")
    service = models.ForeignKey(
        "directory.Service", null=True, blank=True, on_delete=models.CASCADE, related_name="edits"
    )
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    field = models.CharField(max_length=80)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.field}: {self.old_value} → {self.new_value}"


class ServiceConfirmation(models.Model):
    """The provider confirmed that a listing's details are still right."""

    service = models.ForeignKey("directory.Service", on_delete=models.CASCADE, related_name="confirmations")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    confirmed_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-confirmed_at"]

    def __str__(self) -> str:
        return f"{self.service_id} confirmed {self.confirmed_at:%Y-%m-%d}"


# --- Weekly availability and exceptions (the provider portal) --------------------


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class AvailabilityWindow(models.Model):
    """A weekly window when a listing is usually available (the marketplace derives bookable slots from these)."""

    service = models.ForeignKey("directory.Service", on_delete=models.CASCADE, related_name="availability")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    starts_at = models.TimeField()
    ends_at = models.TimeField()

    class Meta:
        ordering = ["weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=models.F("starts_at")), name="directory_window_ends_after"),
            models.CheckConstraint(condition=Q(weekday__lte=6), name="directory_window_weekday_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"


class AvailabilityException(models.Model):
    """A date when the usual weekly availability does not apply: closed, or open at other times."""

    service = models.ForeignKey("directory.Service", on_delete=models.CASCADE, related_name="availability_exceptions")
    date = models.DateField()
    is_closed = models.BooleanField(default=True)
    starts_at = models.TimeField(null=True, blank=True)
    ends_at = models.TimeField(null=True, blank=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["service", "date"], name="directory_exception_one_per_date"),
            models.CheckConstraint(
                condition=Q(is_closed=True, starts_at__isnull=True, ends_at__isnull=True)
                | Q(is_closed=False, ends_at__gt=models.F("starts_at")),
                name="directory_exception_closed_or_hours",
            ),
        ]

    def __str__(self) -> str:
        if self.is_closed:
            return f"{self.date:%-d %B %Y}: closed"
        return f"{self.date:%-d %B %Y}: {self.starts_at:%H:%M}–{self.ends_at:%H:%M}"
