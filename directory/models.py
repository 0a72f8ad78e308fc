"""The directory: places (councils, postcodes), the category taxonomy,
providers and the services they list."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q


class Nation(models.TextChoices):
    ENGLAND = "england", "England"
    SCOTLAND = "scotland", "Scotland"
    WALES = "wales", "Wales"
    NORTHERN_IRELAND = "northern_ireland", "Northern Ireland"


class Council(models.Model):
    """A local authority, keyed by its GSS code (S12000046, E09000033...)."""

    gss_code = models.CharField(max_length=9, unique=True)
    name = models.CharField(max_length=200)
    nation = models.CharField(max_length=20, choices=Nation.choices)
    slug = models.SlugField(max_length=200, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Postcode(models.Model):
    """A geocoded postcode: a unit (G12 8QQ), or a derived sector (G12 8) or
    district (G12) centroid used when the unit is not known."""

    class Precision(models.TextChoices):
        UNIT = "unit", "Full postcode"
        SECTOR = "sector", "Postcode sector"
        DISTRICT = "district", "Postcode district"

    postcode = models.CharField(max_length=8, unique=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    council = models.ForeignKey(Council, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    precision = models.CharField(max_length=8, choices=Precision.choices, default=Precision.UNIT)
    source = models.CharField(max_length=40, blank=True)

    class Meta:
        indexes = [models.Index(fields=["latitude", "longitude"], name="directory_postcode_latlng")]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="directory_postcode_coordinates_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.postcode


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

    status = models.CharField(max_length=24, choices=Status.choices, default=Status.DRAFT)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["status", "latitude", "longitude"], name="directory_service_geo"),
            models.Index(fields=["status", "council"], name="directory_service_council"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(price_pence__isnull=True) | Q(price_pence__gte=0),
                name="directory_service_price_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__isnull=False, longitude__isnull=False),
                name="directory_service_lat_lng_together",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# --- Regulators' registers, claims and the provider portal (issue 4) ------------
# Kept in their own module; imported here so Django registers them with this app.
from directory.models_regulator import (  # noqa: E402, F401
    AvailabilityException,
    AvailabilityWindow,
    GradeChange,
    ListingClaim,
    RegisteredProvider,
    RegisterImport,
    RegisterImportError,
    Registration,
    Regulator,
    ServiceConfirmation,
    ServiceEdit,
    Weekday,
)

# --- Open Referral UK: where imported listings came from (issue 14) -------------
from directory.oruk.models import OrukRecord  # noqa: E402, F401

# --- Anonymous search log for commissioners' unmet-demand view (issue 9) --------
from directory.search_log import SearchLog  # noqa: E402, F401

# --- Vetting checks, evidence and each provider's outcome (issue 8) -------------
from directory.vetting_models import ProviderVetting, VettingCheck, VettingEvidence  # noqa: E402, F401
