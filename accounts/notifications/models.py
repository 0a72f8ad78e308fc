"""The in-app inbox, notification preferences and the e-mail outbox (issue 6).

Imported by accounts/models.py so Django registers them with this app. A
change that notifies someone writes its Notification (the inbox) and its
OutboxMessage (the e-mail to send) in the same database transaction as the
change itself: a rolled-back change leaves neither, and a broker outage
leaves an undelivered OutboxMessage that a periodic task sends later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class NotificationPreference(models.Model):
    """Which notifications a user wants by e-mail. The in-app inbox always gets them."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_pref")
    email_bookings = models.BooleanField("E-mail me about bookings", default=True)
    email_messages = models.BooleanField("E-mail me about new messages", default=True)

    def __str__(self) -> str:
        return f"Notification preferences of {self.user_id}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        BOOKING = "booking", "Booking"
        MESSAGE = "message", "Message"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    subject = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "read_at"], name="accounts_notification_unread")]

    def __str__(self) -> str:
        return self.subject


class OutboxMessage(models.Model):
    """An e-mail to send. `key` is unique: the same intent is never queued
    twice, and delivery claims the row with a conditional update, so a task
    that runs twice sends one e-mail."""

    key = models.CharField(max_length=200, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.key
