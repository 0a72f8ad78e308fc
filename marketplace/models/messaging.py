"""Message threads between a person's side and a provider (issue 6).

A thread belongs to one person and one provider, about an enquiry (a
service, before any booking) or one booking. The person's side is the
person and carers linked with consent and the 'view' scope; the provider's
side is its members. Bodies are plain text: templates escape them.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

MAX_MESSAGE_LENGTH = 5000


class MessageThread(models.Model):
    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    person = models.ForeignKey("accounts.PersonProfile", on_delete=models.CASCADE, related_name="message_threads")
    provider = models.ForeignKey("directory.Provider", on_delete=models.CASCADE, related_name="message_threads")
    service = models.ForeignKey(
        "directory.Service", null=True, blank=True, on_delete=models.SET_NULL, related_name="message_threads"
    )
    booking = models.OneToOneField(
        "marketplace.Booking", null=True, blank=True, on_delete=models.CASCADE, related_name="thread"
    )
    subject = models.CharField(max_length=200)
    created_at = models.DateTimeField(default=timezone.now)
    last_message_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-last_message_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "service"],
                condition=Q(booking__isnull=True, service__isnull=False),
                name="marketplace_messagethread_one_enquiry_per_service",
            )
        ]

    def __str__(self) -> str:
        return self.subject


class Message(models.Model):
    thread = models.ForeignKey(MessageThread, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(max_length=MAX_MESSAGE_LENGTH)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"Message {self.pk} in {self.thread_id}"


class ThreadReadState(models.Model):
    """When each participant last read a thread: unread = newer messages by others."""

    thread = models.ForeignKey(MessageThread, on_delete=models.CASCADE, related_name="read_states")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    last_read_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="marketplace_threadreadstate_one_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} read {self.thread_id}"
