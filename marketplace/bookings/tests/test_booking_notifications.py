"""Booking transitions notify the other side through the outbox; nothing is lost while the broker is down."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from accounts.notifications.models import Notification, OutboxMessage
from accounts.notifications.tasks import notifications_redispatch
from carehub.testing.celery import celery_conf
from marketplace.bookings import services as bookings
from marketplace.models import Booking
from marketplace.tests.booking_world import request_hours
from marketplace.tests.factories import key

UNREACHABLE_BROKER = "redis://127.0.0.1:1/0"


@pytest.fixture
def eager() -> Iterator[None]:
    """Tasks run in this process (as without REDIS_URL), whatever the environment says."""
    with celery_conf(task_always_eager=True):
        yield


@pytest.fixture
def broker_down() -> Iterator[None]:
    with celery_conf(task_always_eager=False, broker_url=UNREACHABLE_BROKER):
        yield


def test_booking_request_notifies_provider_members(
    world: Any, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        booking = request_hours(world)
    members = {world.cast.provider_owner, world.cast.provider_staff}
    inbox = Notification.objects.filter(subject__startswith="New booking request")
    # The provider's members, and the person's carer (the person made the request and is not told).
    assert {n.user for n in inbox} == members | {world.cast.carer}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in members | {world.cast.carer})
    assert str(booking.code) in inbox.first().url


def test_booking_accept_notifies_the_person_side(
    world: Any, eager: None, django_capture_on_commit_callbacks: Any
) -> None:
    booking = request_hours(world)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        bookings.booking_accept(actor=world.cast.provider_owner, booking=booking, idempotency_key=key())
    assert {m.to[0] for m in mail.outbox} == {
        world.person_user.email,
        world.cast.carer.email,
        world.cast.provider_staff.email,
    }
    assert world.cast.outsider.notifications.count() == 0


def test_rolled_back_booking_sends_nothing(world: Any, eager: None, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError), transaction.atomic():
        request_hours(world)
        raise RuntimeError("a later step failed")
    assert not Booking.objects.exists()
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_booking_succeeds_with_the_broker_down_and_is_delivered_by_redispatch(
    world: Any, broker_down: None, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        booking = request_hours(world)
    assert callbacks  # the enqueue was attempted after commit, failed, and was swallowed
    booking.refresh_from_db()
    assert booking.status == Booking.Status.REQUESTED
    pending = OutboxMessage.objects.filter(delivered_at__isnull=True)
    assert pending.count() == 3
    assert mail.outbox == []

    # The broker comes back; beat's re-dispatch picks up what is older than its grace period.
    OutboxMessage.objects.update(created_at=timezone.now() - timedelta(minutes=5))
    with celery_conf(broker_url="memory://"):
        assert notifications_redispatch.apply().get() == 3
        assert len(mail.outbox) == 3
        assert notifications_redispatch.apply().get() == 0
    assert len(mail.outbox) == 3


@pytest.mark.redis
def test_booking_enqueues_delivery_on_the_real_broker(world: Any, django_capture_on_commit_callbacks: Any) -> None:
    """With Redis up, the committed booking's e-mails are published to the broker (and a worker delivers each once)."""
    import json

    import redis
    from django.conf import settings

    from accounts.notifications.tasks import notification_deliver

    client = redis.Redis.from_url(settings.REDIS_URL)
    with celery_conf(task_always_eager=False, broker_url=settings.REDIS_URL):
        before = client.llen("celery")
        with django_capture_on_commit_callbacks(execute=True):
            request_hours(world)
        published = [json.loads(raw) for raw in client.lrange("celery", 0, -1)]
    ours = [m for m in published if m["headers"]["task"] == "accounts.notifications_tasks.notification_deliver"]
    outbox_ids = {m["headers"]["argsrepr"] for m in ours}
    for raw in client.lrange("celery", 0, -1)[: len(published) - before]:
        client.lrem("celery", 1, raw)  # leave nothing behind for another run
    expected = {f"({pk},)" for pk in OutboxMessage.objects.values_list("pk", flat=True)}
    assert expected and expected <= outbox_ids
    # What the worker does with each message, twice over (a redelivered task): one e-mail each.
    for pk in OutboxMessage.objects.values_list("pk", flat=True):
        notification_deliver.apply(args=(pk,))
        notification_deliver.apply(args=(pk,))
    assert len(mail.outbox) == len(expected)
