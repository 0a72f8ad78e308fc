"""Review notices (a new review for the provider, replies and decisions for the reviewer) go through
the notifications outbox as 'review' notices, under the 'reviews and replies' e-mail choice."""

from __future__ import annotations

from typing import Any

import pytest

from accounts.notifications.models import Notification
from accounts.notifications.services import notification_preferences_set
from directory.tests.factories import make_service
from reviews import services
from reviews.tests.factories import make_published_review, make_review

pytestmark = pytest.mark.django_db


def test_review_submitted_is_emailed_once_to_the_providers_members(cast: Any, outbox_contract: Any) -> None:
    service = make_service(provider=cast.provider)
    notification_preferences_set(actor=cast.provider_staff, email_reviews=False)
    notification_preferences_set(actor=cast.provider_owner, email_messages=False)  # not the choice for reviews

    def submit() -> None:
        make_review(service=service, person=cast.person)

    outbox_contract.rolled_back(submit)
    sent = outbox_contract.delivered_once(submit)
    assert [m.to for m in sent] == [[cast.provider_owner.email]]
    assert sent[0].subject == f"New review of {service.name}"
    kinds = set(Notification.objects.filter(subject__startswith="New review").values_list("user", "kind"))
    assert kinds == {(cast.provider_owner.pk, "review"), (cast.provider_staff.pk, "review")}


def test_review_submitted_reaches_the_provider_when_the_broker_lost_it(cast: Any, outbox_contract: Any) -> None:
    service = make_service(provider=cast.provider)
    sent = outbox_contract.resent_after_broker_lost(lambda: make_review(service=service, person=cast.person))
    assert sorted(m.to[0] for m in sent) == sorted([cast.provider_owner.email, cast.provider_staff.email])


def _replying(cast: Any) -> Any:
    review = make_published_review(service=make_service(provider=cast.provider), person=cast.person, actor=cast.carer)
    return lambda: services.reply_create(actor=cast.provider_owner, review=review, text="Thank you for telling us.")


def test_review_reply_is_emailed_once_to_the_reviewer(cast: Any, outbox_contract: Any) -> None:
    reply = _replying(cast)
    outbox_contract.rolled_back(reply)
    (sent,) = outbox_contract.delivered_once(reply)
    assert sent.to == [cast.carer.email] and "replied to your review" in sent.subject
    assert "Thank you for telling us." in sent.body


def test_review_reply_reaches_the_reviewer_when_the_broker_lost_it(cast: Any, outbox_contract: Any) -> None:
    (sent,) = outbox_contract.resent_after_broker_lost(_replying(cast))
    assert sent.to == [cast.carer.email]


def test_review_reply_is_not_emailed_to_a_reviewer_who_turned_review_emails_off(
    cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core import mail

    reply = _replying(cast)
    notification_preferences_set(actor=cast.carer, email_reviews=False)
    with django_capture_on_commit_callbacks(execute=True):
        reply()
    assert mail.outbox == []
    assert Notification.objects.filter(user=cast.carer, subject__contains="replied").exists()
