"""The inbox and the e-mail outbox: preferences, idempotent delivery, re-dispatch."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from accounts.notifications import services as notifications
from accounts.notifications.models import Notification, NotificationPreference, OutboxMessage
from accounts.notifications.tasks import notification_deliver, notifications_redispatch
from accounts.tests import factories as af

pytestmark = pytest.mark.django_db


def send(users: list[Any], key: str = "event:1") -> None:
    notifications.notify(
        users=users, kind=Notification.Kind.BOOKING, subject="Booking accepted", body="Hello", url="/x/", key=key
    )


def test_notify_writes_inbox_and_outbox_once_per_user(django_capture_on_commit_callbacks: Any) -> None:
    user = af.make_user()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        send([user, user])
    assert Notification.objects.filter(user=user).count() == 1
    assert OutboxMessage.objects.get().key == f"event:1:{user.pk}"
    assert len(callbacks) == 1  # one enqueue step for the whole event


def test_notify_respects_email_preference() -> None:
    user = af.make_user()
    notifications.notification_preferences_set(actor=user, email_bookings=False, email_messages=True)
    send([user])
    assert Notification.objects.filter(user=user).count() == 1  # the inbox always gets it
    assert not OutboxMessage.objects.exists()


def test_outbox_delivery_run_twice_sends_one_email() -> None:
    user = af.make_user()
    with transaction.atomic():
        send([user])
    message = OutboxMessage.objects.get()
    OutboxMessage.objects.filter(pk=message.pk).update(delivered_at=None)  # as if the eager run had not happened
    mail.outbox.clear()
    assert notification_deliver.apply(args=(message.pk,)).get() is True
    assert notification_deliver.apply(args=(message.pk,)).get() is False
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [user.email]
    assert "/x/" in mail.outbox[0].body


def test_rolled_back_change_sends_nothing(django_capture_on_commit_callbacks: Any) -> None:
    user = af.make_user()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        send([user])
        raise RuntimeError("the change failed")
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_redispatch_sends_only_stale_undelivered_messages() -> None:
    user = af.make_user()
    stale = OutboxMessage.objects.create(
        key="a", user=user, subject="S", body="B", created_at=timezone.now() - timedelta(minutes=5)
    )
    OutboxMessage.objects.create(key="b", user=user, subject="S", body="B")  # its own task may still be on the way
    OutboxMessage.objects.create(
        key="c", user=user, subject="S", body="B", created_at=stale.created_at, delivered_at=timezone.now()
    )
    assert notifications_redispatch.apply().get() == 1
    assert notifications_redispatch.apply().get() == 0
    assert len(mail.outbox) == 1
    stale.refresh_from_db()
    assert stale.delivered_at is not None


def test_mark_all_read_touches_only_own_notifications() -> None:
    me, other = af.make_user(), af.make_user()
    send([me, other])
    assert notifications.notification_unread_count(user=me) == 1
    notifications.notification_mark_all_read(actor=me)
    assert notifications.notification_unread_count(user=me) == 0
    assert notifications.notification_unread_count(user=other) == 1


def test_preferences_default_to_email() -> None:
    pref = notifications.notification_preferences(af.make_user())
    assert (pref.email_bookings, pref.email_messages) == (True, True)
    assert not NotificationPreference.objects.exists()


def test_outbox_redelivery_after_a_lost_claim_keeps_the_message_id(cast: Any) -> None:
    """A worker killed after the mail server took the e-mail, before the claim committed:
    the row is delivered again, and the copy carries the same Message-ID (issue 16)."""
    notifications.notify(
        users=[cast.outsider], kind="booking", subject="Booking accepted", body="Yes", url="/b/", key="ev:mid"
    )
    message = OutboxMessage.objects.get(key=f"ev:mid:{cast.outsider.pk}")
    assert notifications.outbox_deliver(message.pk) is True
    OutboxMessage.objects.filter(pk=message.pk).update(delivered_at=None)  # the claim never committed
    assert notifications.outbox_deliver(message.pk) is True

    first, second = mail.outbox
    assert first.extra_headers["Message-ID"] == second.extra_headers["Message-ID"]
    assert first.extra_headers["Message-ID"].startswith(f"<outbox-{message.pk}-")
    assert "Message-ID: <outbox-" in first.message().as_string()
