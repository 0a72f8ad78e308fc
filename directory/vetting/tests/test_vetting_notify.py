"""Vetting notices reach the provider's members through the notifications outbox, as 'vetting' notices."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from accounts.notifications.models import Notification
from accounts.notifications.services import notification_preferences_set
from accounts.tests.factories import make_provider_member
from directory.models import VettingEvidence
from directory.models.vetting import CheckKind
from directory.tests.factories import make_provider
from directory.tests.vetting_factories import make_evidence, make_insurance, make_vetted
from directory.vetting.services import vetting_check_run, vetting_evidence_decide, vetting_expire, vetting_remind

pytestmark = pytest.mark.django_db

TODAY = date(2026, 6, 1)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "uploads"


def _rejecting(cast: Any) -> Any:
    evidence = make_evidence(
        provider=cast.provider, kind=VettingEvidence.Kind.REFERENCE, review=VettingEvidence.Review.PENDING
    )
    return lambda: vetting_evidence_decide(
        actor=cast.vetting_officer, evidence=evidence, approve=False, reason="The referee did not sign it."
    )


def test_vetting_rejected_evidence_is_emailed_once_to_members_who_want_it(cast: Any, outbox_contract: Any) -> None:
    notification_preferences_set(actor=cast.provider_staff, email_listings=False)
    reject = _rejecting(cast)
    outbox_contract.rolled_back(reject)
    sent = outbox_contract.delivered_once(reject)
    assert [m.to for m in sent] == [[cast.provider_owner.email]]
    assert "The referee did not sign it." in sent[0].body
    inbox = Notification.objects.filter(subject__contains="was not accepted")
    assert {(n.user, n.kind) for n in inbox} == {
        (cast.provider_owner, Notification.Kind.VETTING),
        (cast.provider_staff, Notification.Kind.VETTING),  # the inbox always gets it
    }


def test_vetting_rejected_evidence_reaches_members_when_the_broker_lost_it(cast: Any, outbox_contract: Any) -> None:
    sent = outbox_contract.resent_after_broker_lost(_rejecting(cast))
    assert sorted(m.to[0] for m in sent) == sorted([cast.provider_owner.email, cast.provider_staff.email])


def _reminding(provider: Any) -> Any:
    make_insurance(provider, TODAY + timedelta(days=30))
    vetting_check_run(provider_id=provider.pk, kind=CheckKind.INSURANCE, today=TODAY)
    return lambda: vetting_remind(today=TODAY)


def test_vetting_reminder_is_emailed_once_through_the_outbox(outbox_contract: Any) -> None:
    provider = make_provider()
    owner = make_provider_member(provider=provider)
    remind = _reminding(provider)
    outbox_contract.rolled_back(remind)
    (sent,) = outbox_contract.delivered_once(remind)
    assert sent.to == [owner.email] and "runs out on 1 July 2026" in sent.subject
    assert vetting_remind(today=TODAY) == 0  # once per threshold


def test_vetting_reminder_arrives_after_the_broker_lost_it(outbox_contract: Any) -> None:
    provider = make_provider()
    owner = make_provider_member(provider=provider)
    (sent,) = outbox_contract.resent_after_broker_lost(_reminding(provider))
    assert sent.to == [owner.email]


def test_vetting_lost_mark_is_emailed_once_through_the_outbox(outbox_contract: Any) -> None:
    provider = make_provider()
    owner = make_provider_member(provider=provider)
    make_vetted(provider, TODAY)
    runs_out = VettingEvidence.objects.get(provider=provider, kind=VettingEvidence.Kind.INSURANCE).expires_on

    def expire() -> None:
        assert vetting_expire(today=runs_out) == 1

    outbox_contract.rolled_back(expire)
    (sent,) = outbox_contract.delivered_once(expire)
    assert sent.to == [owner.email] and "no longer shown as vetted" in sent.subject
    assert Notification.objects.get(user=owner).kind == Notification.Kind.VETTING
