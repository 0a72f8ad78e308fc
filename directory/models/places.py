"""Places: councils (by GSS code) and geocoded postcodes (units, sectors and districts)."""

from __future__ import annotations

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
