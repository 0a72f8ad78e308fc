"""Freshness reminders: providers are asked to confirm listings every 6 months (Celery beat)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from directory.models import Service, ServiceConfirmation
from directory.portal.tasks import listing_freshness_remind_task
from directory.tests.factories import make_service

pytestmark = pytest.mark.django_db


def _age(service: Service, days: int) -> None:
    Service.objects.filter(pk=service.pk).update(created_at=timezone.now() - timedelta(days=days))


def test_portal_freshness_reminds_members_of_stale_listings_once(cast: Any) -> None:
    stale = make_service(provider=cast.provider, name="Old listing")
    _age(stale, 400)
    ServiceConfirmation.objects.create(service=stale, confirmed_at=timezone.now() - timedelta(days=190))
    fresh = make_service(provider=cast.provider, name="Fresh listing")
    _age(fresh, 400)
    ServiceConfirmation.objects.create(service=fresh, confirmed_at=timezone.now() - timedelta(days=10))
    unclaimed = make_service(provider=cast.other_provider, name="Nobody to remind")  # no members
    _age(unclaimed, 400)

    assert listing_freshness_remind_task.delay().get() == 1

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == sorted([cast.provider_owner.email, cast.provider_staff.email])
    assert "Old listing" in message.body and "Fresh listing" not in message.body
    assert listing_freshness_remind_task.delay().get() == 0  # not again within 30 days
    assert len(mail.outbox) == 1
    stale.refresh_from_db()
    assert stale.status == Service.Status.PUBLISHED  # flagged, never hidden


def test_portal_freshness_does_not_remind_about_new_or_unpublished_listings(cast: Any) -> None:
    make_service(provider=cast.provider, name="Brand new")
    draft = make_service(provider=cast.provider, name="Old draft", status=Service.Status.DRAFT)
    _age(draft, 400)

    assert listing_freshness_remind_task.delay().get() == 0
    assert mail.outbox == []


def test_portal_freshness_runs_on_the_beat_schedule() -> None:
    schedule = settings.CELERY_BEAT_SCHEDULE["directory-listing-freshness-reminders"]

    assert schedule["task"] == listing_freshness_remind_task.name
