"""Dated events and activities (day trips, groups, classes) run by providers or community groups."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q


class CommunityGroup(models.Model):
    """An organiser that is not a care provider (a lunch club, a walking group); staff create
    them in the admin and list their events there."""

    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)

    class Meta:
        app_label = "directory"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Event(models.Model):
    """One dated event. Organised by exactly one provider or community group."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    provider = models.ForeignKey(
        "directory.Provider", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    community_group = models.ForeignKey(
        CommunityGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    venue = models.CharField(max_length=255, help_text="The place's name and address")
    postcode = models.CharField(max_length=8)
    # Geocoded from the postcode when the event is saved, so the distance search runs in SQL.
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    cost_pence = models.BigIntegerField(default=0, help_text="0 for free")
    how_to_book = models.TextField(help_text="For example: phone 0141 496 0000, or just turn up")
    published = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "directory"
        ordering = ["starts_at", "id"]
        indexes = [
            models.Index(fields=["published", "ends_at"], name="directory_event_upcoming"),
            models.Index(fields=["latitude", "longitude"], name="directory_event_latlng"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="directory_event_ends_after_start"
            ),
            models.CheckConstraint(condition=Q(cost_pence__gte=0), name="directory_event_cost_not_negative"),
            models.CheckConstraint(
                condition=(Q(provider__isnull=False) & Q(community_group__isnull=True))
                | (Q(provider__isnull=True) & Q(community_group__isnull=False)),
                name="directory_event_one_organiser",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def organiser(self) -> models.Model:
        return self.provider or self.community_group  # type: ignore[return-value]
