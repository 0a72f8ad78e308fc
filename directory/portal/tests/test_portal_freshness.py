"""Freshness reminders: providers are asked to confirm listings every 6 months (Celery beat),
through the notifications outbox."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.notifications.models import Notification
from accounts.notifications.services import notification_preferences_set
from directory.models import Service, ServiceConfirmation
from directory.portal.services import listing_freshness_remind
from directory.portal.tasks import listing_freshness_remind_task
from directory.tests.factories import make_service

pytestmark = pytest.mark.django_db


def _age(service: Service, days: int) -> None:
    Service.objects.filter(pk=service.pk).update(created_at=timezone.now() - timedelta(days=days))


def _stale_and_fresh_listings(cast: Any) -> Service:
    stale = make_service(provider=cast.provider, name="Old listing")
    _age(stale, 400)
    ServiceConfirmation.objects.create(service=stale, confirmed_at=timezone.now() - timedelta(days=190))
    fresh = make_service(provider=cast.provider, name="Fresh listing")
    _age(fresh, 400)
    ServiceConfirmation.objects.create(service=fresh, confirmed_at=timezone.now() - timedelta(days=10))
    unclaimed = make_service(provider=cast.other_provider, name="Nobody to remind")  # no members
    _age(unclaimed, 400)
    return stale


def test_portal_freshness_reminds_members_of_stale_listings_once(
    cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    stale = _stale_and_fresh_listings(cast)

    with django_capture_on_commit_callbacks(execute=True):
        assert listing_freshness_remind_task.delay().get() == 1

    assert sorted(m.to[0] for m in mail.outbox) == sorted([cast.provider_owner.email, cast.provider_staff.email])
    assert all("Old listing" in m.body and "Fresh listing" not in m.body for m in mail.outbox)
    assert Notification.objects.filter(kind=Notification.Kind.LISTING).count() == 2  # and in each member's inbox
    with django_capture_on_commit_callbacks(execute=True):
        assert listing_freshness_remind_task.delay().get() == 0  # not again within 30 days
    assert len(mail.outbox) == 2
    stale.refresh_from_db()
    assert stale.status == Service.Status.PUBLISHED  # flagged, never hidden


def test_portal_freshness_reminder_is_emailed_once_through_the_outbox(cast: Any, outbox_contract: Any) -> None:
    _stale_and_fresh_listings(cast)
    notification_preferences_set(actor=cast.provider_staff, email_listings=False)  # the inbox only
    outbox_contract.rolled_back(listing_freshness_remind)
    sent = outbox_contract.delivered_once(listing_freshness_remind)
    assert [m.to for m in sent] == [[cast.provider_owner.email]]
    assert sent[0].subject == f"Please confirm your CareHub listings for {cast.provider.name}"


def test_portal_freshness_reminder_arrives_after_the_broker_lost_it(cast: Any, outbox_contract: Any) -> None:
    _stale_and_fresh_listings(cast)
    sent = outbox_contract.resent_after_broker_lost(listing_freshness_remind)
    assert sorted(m.to[0] for m in sent) == sorted([cast.provider_owner.email, cast.provider_staff.email])


def test_portal_freshness_does_not_remind_about_new_or_unpublished_listings(cast: Any) -> None:
    make_service(provider=cast.provider, name="Brand new")
    draft = make_service(provider=cast.provider, name="Old draft", status=Service.Status.DRAFT)
    _age(draft, 400)

    assert listing_freshness_remind_task.delay().get() == 0
    assert mail.outbox == []


def test_portal_freshness_runs_on_the_beat_schedule() -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE["directory-listing-freshness-reminders"]

    assert schedule["task"] == listing_freshness_remind_task.name
