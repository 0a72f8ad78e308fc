"""The nightly vetting tasks read the UK date: at 00:05 BST on 1 April the UTC date is still
31 March, and evidence that runs out on 1 April must expire then, not a day late."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from accounts.notifications.models import Notification
from accounts.tests.factories import make_provider_member
from directory.models import VettingCheck
from directory.models.vetting import CheckKind
from directory.tests.factories import make_provider
from directory.tests.vetting_factories import make_insurance
from directory.vetting.services import vetting_check_run
from directory.vetting.tasks import vetting_expire_task, vetting_remind_task


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def insured_until(expires_on: date, checked_on: date) -> Any:
    provider = make_provider()
    make_provider_member(provider=provider)
    make_insurance(provider, expires_on)
    vetting_check_run(provider_id=provider.pk, kind=CheckKind.INSURANCE, today=checked_on)
    return provider


def current_status(provider: Any) -> str:
    return VettingCheck.objects.get(provider=provider, kind=CheckKind.INSURANCE, is_current=True).status


def test_nightly_expiry_at_0005_bst_uses_the_uk_date(db: None, time_machine: Any) -> None:
    provider = insured_until(date(2027, 4, 1), checked_on=date(2027, 1, 4))
    time_machine.move_to(utc(2027, 3, 31, 22, 55))  # 23:55 BST on 31 March: still in date
    vetting_expire_task()
    assert current_status(provider) == VettingCheck.Status.PASSED
    time_machine.move_to(utc(2027, 3, 31, 23, 5))  # 00:05 BST on 1 April (UTC says 31 March)
    vetting_expire_task()
    assert current_status(provider) == VettingCheck.Status.EXPIRED


def test_reminder_30_days_before_counts_29_february(db: None, time_machine: Any) -> None:
    provider = insured_until(date(2028, 3, 30), checked_on=date(2028, 1, 4))
    time_machine.move_to(utc(2028, 2, 28, 9))  # 31 days left: nothing yet
    vetting_remind_task()
    assert not Notification.objects.filter(user__provider_memberships__provider=provider).exists()
    time_machine.move_to(utc(2028, 2, 29, 9))  # 30 days left, counting the leap day
    vetting_remind_task()
    assert Notification.objects.filter(
        user__provider_memberships__provider=provider, subject__contains="runs out on 30 March 2028"
    ).exists()
