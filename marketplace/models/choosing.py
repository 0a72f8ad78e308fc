"""Choosing care (issue 15): shortlists to compare and share, and saved searches with alerts.

A shortlist belongs to one signed-in user; before sign-in it lives in the session
(marketplace.choosing.services) and is merged in at sign-in. The carers a person
has granted 'view' can read the person's shortlist, and a share link (an
unguessable token the owner can revoke) shows it read-only to anyone holding it.

A saved search keeps the search's parameters and a snapshot of what matched when
it was last looked at; the alerts task compares the search now with the snapshot.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Shortlist(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shortlist")
    # Stored as given, not hashed (unlike invitations): the owner must be able to copy the
    # link again, and it shows only a list of public services. Empty: not shared.
    share_token = models.CharField(max_length=64, blank=True, default="")
    shared_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["share_token"],
                condition=~Q(share_token=""),  # nosec B106  # "no link", not a password
                name="marketplace_shortlist_share_token_unique",
            )
        ]

    def __str__(self) -> str:
        return f"Shortlist of {self.owner_id}"


class ShortlistItem(models.Model):
    shortlist = models.ForeignKey(Shortlist, on_delete=models.CASCADE, related_name="items")
    service = models.ForeignKey("directory.Service", on_delete=models.CASCADE, related_name="+")
    postcode = models.CharField(max_length=8, blank=True, help_text="The postcode searched when it was added")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [models.UniqueConstraint(fields=["shortlist", "service"], name="marketplace_shortlistitem_once")]

    def __str__(self) -> str:
        return f"{self.service_id} on {self.shortlist_id}"


class SavedSearch(models.Model):
    """A search to run again, with daily alerts about what is new in it.

    `query_string` is the results page's query string (postcode, radius and filters), so
    the saved search opens the same results page and runs the same search. `seen_service_ids` and
    `seen_vetted_ids` are what matched (and was vetted) at `checked_at`."""

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_searches")
    name = models.CharField(max_length=100)
    postcode = models.CharField(max_length=8)
    radius_miles = models.PositiveSmallIntegerField()
    query_string = models.CharField(max_length=1000)
    alerts = models.BooleanField(default=True)
    seen_service_ids = models.JSONField(default=list)
    seen_vetted_ids = models.JSONField(default=list)
    checked_at = models.DateTimeField(default=timezone.now)
    last_alerted_at = models.DateTimeField(null=True, blank=True)
    alert_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["alerts", "last_alerted_at"], name="marketplace_savedsearch_due")]

    def __str__(self) -> str:
        return self.name
