"""Telling people about reviews, through the accounts inbox and e-mail outbox.

accounts.notifications.notify writes the in-app notification and the outbox e-mail in the
caller's transaction (a rolled-back change tells no one) and sends the e-mail after commit.
Reviews use the "message" kind, so the user's "e-mail me about new messages" preference
applies to review replies and moderation outcomes too.
"""

from __future__ import annotations

from accounts.models import User
from accounts.notifications.models import Notification
from accounts.notifications.services import notify


def tell(*, user_ids: list[int], subject: str, body: str, url: str, key: str) -> None:
    """Notify these users once each; `key` names the event so it is never e-mailed twice."""
    users = User.objects.filter(pk__in=user_ids, is_active=True)
    notify(users=users, kind=Notification.Kind.MESSAGE, subject=subject, body=body, url=url, key=key)
