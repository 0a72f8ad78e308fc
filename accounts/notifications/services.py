"""Notifications: the in-app inbox and every e-mail, through one outbox.

`notify` is the one way out for an e-mail to a person or a provider. It runs
inside the caller's transaction: it writes the inbox rows and one
OutboxMessage per e-mail to send, then asks Celery to deliver them *after
commit* (a rolled-back change sends nothing). If the broker is down the
enqueue fails quietly: the undelivered row stays, and the periodic
`notifications_redispatch` task delivers it later. Delivery claims the row
with a conditional update, so two deliveries of one message send one e-mail.

A recipient is a user (inbox + e-mail if their preference for the kind says
so) or, for someone with no account yet, an address (e-mail only). Password
reset e-mails are the one exception: Django's reset view sends them itself,
because a reset link in a table would let anyone who reads the table take the
account over (ADR 6).
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

Kind = Notification.Kind
# The preference that decides whether a kind is also e-mailed; None: always e-mailed
# (notices about someone's own account, which they cannot get any other way).
EMAIL_PREFERENCE: dict[str, str | None] = {
    Kind.BOOKING: "email_bookings",
    Kind.MESSAGE: "email_messages",
    Kind.REVIEW: "email_reviews",
    Kind.BUDGET: "email_budget_alerts",
    Kind.VETTING: "email_listings",
    Kind.LISTING: "email_listings",
    Kind.ACCOUNT: None,
    # Each saved search has its own alerts switch and a one-click unsubscribe link in every
    # alert, so no account-wide preference: turning a search's alerts off stops both.
    Kind.SEARCH: None,
}
PREFERENCE_FIELDS = ("email_bookings", "email_messages", "email_reviews", "email_budget_alerts", "email_listings")


def notification_preferences(user: User) -> NotificationPreference:
    pref = NotificationPreference.objects.filter(user=user).first()
    return pref or NotificationPreference(user=user)


def notification_preferences_set(*, actor: User, **choices: bool) -> NotificationPreference:
    """Save the user's e-mail choices (any of PREFERENCE_FIELDS; those not given stay as they were)."""
    unknown = set(choices) - set(PREFERENCE_FIELDS)
    if unknown:
        raise TypeError(f"Unknown notification preferences: {', '.join(sorted(unknown))}")
    pref, _ = NotificationPreference.objects.update_or_create(user=actor, defaults=choices)
    return pref


def _wants_email(user: User, kind: str) -> bool:
    field = EMAIL_PREFERENCE[kind]
    return field is None or getattr(notification_preferences(user), field)


def notify(
    *,
    kind: str,
    subject: str,
    body: str,
    key: str,
    users: Iterable[User] = (),
    addresses: Iterable[str] = (),
    url: str = "",
) -> list[Notification]:
    """Tell people about one event, in the caller's transaction; returns the inbox rows written.

    Each active user (once, even if listed twice) gets an inbox row, and an
    e-mail if their preference for `kind` allows it. Each address gets an
    e-mail only: use it for someone with no account yet, such as the invitee
    of a provider invitation. `key` identifies the event (for example
    "booking:<code>:accepted"); with the recipient it makes the outbox's
    unique delivery key, so the same event is never e-mailed twice. `url` is
    a path on this site, linked from the inbox and the e-mail.
    """
    if kind not in EMAIL_PREFERENCE:
        raise ValueError(f"Unknown notification kind: {kind}")
    text = f"{body}\n\n{_absolute(url)}\n" if url else f"{body}\n"
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
        if _wants_email(user, kind):
            to_send += _outbox_write(key=f"{key}:{user.pk}", user=user, subject=subject, body=text)
    for address in sorted({a.strip().lower() for a in addresses if a.strip()}):
        # The address is hashed into the key: an address can be longer than the key column.
        digest = hashlib.sha256(address.encode()).hexdigest()[:24]
        to_send += _outbox_write(key=f"{key}:to:{digest}", to_email=address, subject=subject, body=text)
    if to_send:
        # robust: a broker failure must not fail the request that already committed.
        transaction.on_commit(lambda: outbox_dispatch_many(to_send), robust=True)
    return created


def _outbox_write(*, key: str, subject: str, body: str, user: User | None = None, to_email: str = "") -> list[int]:
    """Queue one e-mail; returns its id to dispatch, or nothing when this key was queued before."""
    message, made = OutboxMessage.objects.get_or_create(
        key=key[:200], defaults={"user": user, "to_email": to_email, "subject": subject[:200], "body": body}
    )
    return [message.pk] if made else []


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
        # mail server fails, the claim (and the emptied body) rolls back and the task retries.
        claimed = OutboxMessage.objects.filter(pk=outbox_id, delivered_at__isnull=True).update(
            delivered_at=clock.now(), attempts=F("attempts") + 1, body=""
        )
        if claimed != 1:
            return False
        EmailMessage(
            subject=message.subject, body=message.body, to=[message.recipient],
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
