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


# --- Kinds and preferences ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "preference"),
    [
        (Notification.Kind.BOOKING, "email_bookings"),
        (Notification.Kind.MESSAGE, "email_messages"),
        (Notification.Kind.REVIEW, "email_reviews"),
        (Notification.Kind.BUDGET, "email_budget_alerts"),
        (Notification.Kind.VETTING, "email_listings"),
        (Notification.Kind.LISTING, "email_listings"),
    ],
)
def test_notify_emails_a_kind_only_when_its_preference_is_on(kind: str, preference: str) -> None:
    wants, declines = af.make_user(), af.make_user()
    notifications.notification_preferences_set(actor=declines, **{preference: False})
    notifications.notify(users=[wants, declines], kind=kind, subject="S", body="B", url="/x/", key="event:1")
    assert Notification.objects.filter(kind=kind).count() == 2  # the inbox always gets it
    assert list(OutboxMessage.objects.values_list("user", flat=True)) == [wants.pk]


def test_notify_always_emails_account_notices() -> None:
    user = af.make_user()
    notifications.notification_preferences_set(actor=user, **dict.fromkeys(notifications.PREFERENCE_FIELDS, False))
    notifications.notify(users=[user], kind=Notification.Kind.ACCOUNT, subject="S", body="B", key="claim:1")
    assert OutboxMessage.objects.get().user == user


def test_notify_refuses_an_unknown_kind() -> None:
    with pytest.raises(ValueError, match="Unknown notification kind"):
        notifications.notify(users=[af.make_user()], kind="gossip", subject="S", body="B", key="k")
    assert not Notification.objects.exists()


def test_notification_preferences_set_keeps_choices_not_given() -> None:
    user = af.make_user()
    notifications.notification_preferences_set(actor=user, email_reviews=False)
    pref = notifications.notification_preferences_set(actor=user, email_bookings=False)
    assert (pref.email_bookings, pref.email_messages, pref.email_reviews) == (False, True, False)
    with pytest.raises(TypeError):
        notifications.notification_preferences_set(actor=user, email_everything=True)


# --- Addresses without an account ---------------------------------------------------------


def invite(address: str = "New.Person@Example.com ", key: str = "invitation:1") -> list[Notification]:
    return notifications.notify(
        addresses=[address, address.strip().lower()],
        kind=Notification.Kind.ACCOUNT,
        subject="You have been invited",
        body="Accept within 7 days:",
        url="/accounts/invitations/secret-token/",
        key=key,
    )


def test_notify_to_an_address_writes_one_outbox_row_and_no_inbox_row() -> None:
    assert invite() == []
    assert not Notification.objects.exists()
    message = OutboxMessage.objects.get()
    assert (message.user, message.to_email, message.recipient) == (None, "new.person@example.com", message.to_email)
    assert message.key.startswith("invitation:1:to:")
    invite()  # the same event again: no second e-mail
    assert OutboxMessage.objects.count() == 1


def test_notify_to_an_address_follows_the_outbox_contract(outbox_contract: Any, settings: Any) -> None:
    settings.SITE_URL = "https://carehub.example/"
    outbox_contract.rolled_back(invite)
    (sent,) = outbox_contract.delivered_once(invite)
    assert sent.to == ["new.person@example.com"]
    assert sent.body == "Accept within 7 days:\n\nhttps://carehub.example/accounts/invitations/secret-token/\n"
    (again,) = outbox_contract.resent_after_broker_lost(lambda: invite(key="invitation:2"))
    assert again.to == ["new.person@example.com"]


def test_outbox_delivery_empties_the_body_of_the_sent_row(django_capture_on_commit_callbacks: Any) -> None:
    """The outbox is a queue, not an archive: an invitation's link must not stay in the table."""
    with django_capture_on_commit_callbacks(execute=True):
        invite()
    message = OutboxMessage.objects.get()
    assert message.delivered_at is not None and message.body == ""
    assert "secret-token" in mail.outbox[0].body


def test_outbox_row_names_exactly_one_recipient() -> None:
    from django.db import IntegrityError

    user = af.make_user()
    for fields in ({"user": user, "to_email": "a@example.com"}, {"user": None, "to_email": ""}):
        with pytest.raises(IntegrityError), transaction.atomic():
            OutboxMessage.objects.create(key=f"k{fields['to_email']}", subject="S", body="B", **fields)


def test_notify_to_users_follows_the_outbox_contract(outbox_contract: Any) -> None:
    people = [af.make_user(), af.make_user()]
    outbox_contract.rolled_back(lambda: send(people))
    sent = outbox_contract.delivered_once(lambda: send(people))
    assert sorted(m.to[0] for m in sent) == sorted(u.email for u in people)
    sent = outbox_contract.resent_after_broker_lost(lambda: send(people, key="event:2"))
    assert sorted(m.to[0] for m in sent) == sorted(u.email for u in people)
