"""Notifications: the in-app inbox now, e-mail through an outbox (issue 6).

`notify` runs inside the caller's transaction. It writes the inbox rows and
one OutboxMessage per e-mail to send, then asks Celery to deliver each one
*after commit* (a rolled-back change sends nothing). If the broker is down
the enqueue fails quietly: the undelivered row stays, and the periodic
`notifications_redispatch` task delivers it later. Delivery claims the row
with a conditional update, so two deliveries of one message send one e-mail.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F, QuerySet

from accounts.models import User
from accounts.notifications.models import Notification, NotificationPreference, OutboxMessage
from carehub import clock

logger = logging.getLogger(__name__)

EMAIL_PREFERENCE = {Notification.Kind.BOOKING: "email_bookings", Notification.Kind.MESSAGE: "email_messages"}


def notification_preferences(user: User) -> NotificationPreference:
    pref = NotificationPreference.objects.filter(user=user).first()
    return pref or NotificationPreference(user=user)


def notification_preferences_set(*, actor: User, email_bookings: bool, email_messages: bool) -> NotificationPreference:
    pref, _ = NotificationPreference.objects.update_or_create(
        user=actor, defaults={"email_bookings": email_bookings, "email_messages": email_messages}
    )
    return pref


def notify(*, users: Iterable[User], kind: str, subject: str, body: str, url: str, key: str) -> list[Notification]:
    """Notify each user (once, even if listed twice) in the inbox, and by e-mail if they want it.

    `key` identifies the event (for example "booking:<code>:accepted"); with
    the user it makes the outbox's unique delivery key.
    """
    seen: set[int] = set()
    created = []
    to_send: list[int] = []
    for user in users:
        if user.pk in seen or not user.is_active:
            continue
        seen.add(user.pk)
        created.append(
            Notification.objects.create(user=user, kind=kind, subject=subject[:200], body=body, url=url[:300])
        )
        if not getattr(notification_preferences(user), EMAIL_PREFERENCE[kind]):
            continue
        message, made = OutboxMessage.objects.get_or_create(
            key=f"{key}:{user.pk}"[:200],
            defaults={"user": user, "subject": subject[:200], "body": f"{body}\n\n{_absolute(url)}\n"},
        )
        if made:
            to_send.append(message.pk)
    if to_send:
        # robust: a broker failure must not fail the request that already committed.
        transaction.on_commit(lambda: outbox_dispatch_many(to_send), robust=True)
    return created


def _absolute(url: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{url}"


def outbox_dispatch(outbox_id: int) -> bool:
    """Enqueue delivery. Returns False (and leaves the row for the re-dispatch) if the broker is unreachable."""
    from accounts.notifications.tasks import notification_deliver

    try:
        notification_deliver.apply_async((outbox_id,), retry=False)
    except Exception:  # kombu raises OperationalError or socket errors; all mean "try later"
        logger.warning("Could not enqueue outbox message %s; the re-dispatch task will send it", outbox_id)
        return False
    return True


def outbox_dispatch_many(outbox_ids: list[int]) -> int:
    """Enqueue several; stop at the first broker failure (one timeout per request, not one per e-mail)."""
    for done, outbox_id in enumerate(outbox_ids):
        if not outbox_dispatch(outbox_id):
            return done
    return len(outbox_ids)


def outbox_deliver(outbox_id: int) -> bool:
    """Send one outbox e-mail, at most once. Returns True if this call sent it."""
    message = OutboxMessage.objects.select_related("user").filter(pk=outbox_id).first()
    if message is None or message.delivered_at is not None:
        return False
    with transaction.atomic():
        # The claim: only one delivery can move delivered_at from NULL. If the
        # mail server fails, the claim rolls back and the task retries.
        claimed = OutboxMessage.objects.filter(pk=outbox_id, delivered_at__isnull=True).update(
            delivered_at=clock.now(), attempts=F("attempts") + 1
        )
        if claimed != 1:
            return False
        EmailMessage(
            subject=message.subject, body=message.body, to=[message.user.email],
            headers={"Message-ID": outbox_message_id(message)},
        ).send()  # fmt: skip
    return True


def outbox_message_id(message: OutboxMessage) -> str:
    """The same Message-ID on every attempt: if a worker dies after the mail server took the
    e-mail but before the claim commits, the re-sent copy is recognisably the same message
    (mail servers and clients drop repeats of a Message-ID). SMTP itself cannot be exactly once."""
    digest = hashlib.sha256(message.key.encode()).hexdigest()[:24]
    return f"<outbox-{message.pk}-{digest}@{urlsplit(settings.SITE_URL).hostname or 'carehub'}>"


def outbox_undelivered(*, older_than: datetime | None = None) -> QuerySet[OutboxMessage]:
    cutoff = older_than or clock.now() - timedelta(seconds=settings.NOTIFICATIONS_REDISPATCH_AFTER_SECONDS)
    return OutboxMessage.objects.filter(delivered_at__isnull=True, created_at__lte=cutoff)


def notification_list_for_user(*, user: User) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def notification_unread_count(*, user: User) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notification_mark_all_read(*, actor: User) -> int:
    return Notification.objects.filter(user=actor, read_at__isnull=True).update(read_at=clock.now())
