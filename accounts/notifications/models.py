"""The in-app inbox, notification preferences and the e-mail outbox.

Imported by accounts/models.py so Django registers them with this app. A
change that notifies someone writes its Notification (the inbox) and its
OutboxMessage (the e-mail to send) in the same database transaction as the
change itself: a rolled-back change leaves neither, and a broker outage
leaves an undelivered OutboxMessage that a periodic task sends later. Every
e-mail CareHub sends about people's care, money and providers goes this way
(accounts.notifications.services.notify); ADR 6 lists the one exception.
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
    email_reviews = models.BooleanField("E-mail me about reviews and replies", default=True)
    email_budget_alerts = models.BooleanField("E-mail me budget alerts", default=True)
    email_listings = models.BooleanField("E-mail me about my provider's listings and vetting", default=True)

    def __str__(self) -> str:
        return f"Notification preferences of {self.user_id}"


class Notification(models.Model):
    class Kind(models.TextChoices):
        """What a notification is about; it decides which e-mail preference applies
        (services.EMAIL_PREFERENCE). ACCOUNT notices are always e-mailed."""

        BOOKING = "booking", "Booking"
        MESSAGE = "message", "Message"
        REVIEW = "review", "Review"
        BUDGET = "budget", "Budget alert"
        VETTING = "vetting", "Vetting"
        LISTING = "listing", "Listing"
        ACCOUNT = "account", "Account"
        SEARCH = "search", "Saved search alert"

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
    that runs twice sends one e-mail.

    The recipient is a user (whose current address is used at delivery) or,
    for someone with no account yet (a provider invitation), an address.
    Delivery empties the body: the outbox is a queue, not an archive, and an
    invitation's body holds a link that grants access."""

    key = models.CharField(max_length=200, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    to_email = models.EmailField(blank=True, default="")
    subject = models.CharField(max_length=200)
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    attempts = models.PositiveIntegerField(default=0)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(user__isnull=False, to_email="") | (models.Q(user__isnull=True) & ~models.Q(to_email=""))
                ),
                name="accounts_outboxmessage_one_recipient",
            )
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def recipient(self) -> str:
        return self.user.email if self.user_id else self.to_email
