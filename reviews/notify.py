"""Telling people about their reviews: an adapter, so the services do not care how.

E-mail through Django's send_mail, sent after the change commits (never for a rolled-back
change); tests replace nothing here and read django.core.mail.outbox.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from accounts.models import User


def _send(user_id: int, subject: str, body: str) -> None:
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is not None:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=[user.email])


def tell(*, user_id: int, subject: str, body: str, url: str) -> None:
    """Queue a message to one user, sent once the current transaction commits."""
    site = getattr(settings, "SITE_URL", "").rstrip("/")
    full = f"{body}\n\n{site}{url}\n"
    transaction.on_commit(lambda: _send(user_id, subject, full), robust=True)
