"""Provider replies: one per review, by the provider's members only, editable for 24 hours, reviewer told."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from carehub.errors import Conflict, DomainError, NotPermitted
from directory.tests.factories import make_service
from reviews import services
from reviews.models import ProviderReply
from reviews.tests.factories import make_published_review, make_review


@pytest.fixture
def review(cast):
    return make_published_review(service=make_service(provider=cast.provider), person=cast.person, actor=cast.carer)


@pytest.mark.parametrize("who", ["provider_owner", "provider_staff"])
def test_reply_create_by_a_provider_member_tells_the_reviewer(cast, review, who, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reply = services.reply_create(
            actor=getattr(cast, who), review=review, text="Thank you, we changed the rota.", tag="change_made"
        )
    assert (reply.tag, reply.get_tag_display()) == ("change_made", "Change made")
    assert [m.to[0] for m in mail.outbox] == [cast.carer.email]
    assert "replied" in mail.outbox[0].subject
    from accounts.notifications.models import Notification

    inbox = Notification.objects.filter(user=cast.carer).first()  # newest first: the reply after "published"
    assert "replied" in inbox.subject and inbox.url.endswith(f"/reviews/{review.code}/")


@pytest.mark.parametrize("who", ["outsider", "vetting_officer", "carer", "commissioner", "other_provider_member"])
def test_reply_create_refuses_anyone_outside_the_provider(cast, review, who):
    from accounts.tests.factories import make_provider_member

    actor = make_provider_member(provider=cast.other_provider) if who == "other_provider_member" else getattr(cast, who)
    with pytest.raises(NotPermitted):
        services.reply_create(actor=actor, review=review, text="Hello")
    assert not ProviderReply.objects.exists()


def test_reply_create_only_once(cast, review):
    services.reply_create(actor=cast.provider_owner, review=review, text="Thank you")
    with pytest.raises(Conflict):
        services.reply_create(actor=cast.provider_staff, review=review, text="Thanks again")
    assert ProviderReply.objects.count() == 1


def test_reply_create_refuses_an_unpublished_review_empty_text_and_unknown_tags(cast):
    pending = make_review(service=make_service(provider=cast.provider), person=cast.person)
    with pytest.raises(Conflict):
        services.reply_create(actor=cast.provider_owner, review=pending, text="Thanks")
    published = make_published_review(service=make_service(provider=cast.provider), person=cast.person)
    with pytest.raises(DomainError):
        services.reply_create(actor=cast.provider_owner, review=published, text="   ")
    with pytest.raises(DomainError):
        services.reply_create(actor=cast.provider_owner, review=published, text="Thanks", tag="fixed")
    assert not ProviderReply.objects.exists()


def test_reply_update_within_24_hours_and_not_after(cast, review):
    reply = services.reply_create(actor=cast.provider_owner, review=review, text="We will look into it")
    later = reply.created_at + timedelta(hours=23, minutes=59)
    services.reply_update(actor=cast.provider_staff, reply=reply, text="We changed it", tag="change_planned", now=later)
    reply.refresh_from_db()
    assert (reply.text, reply.tag) == ("We changed it", "change_planned")
    with pytest.raises(Conflict, match="24 hours"):
        services.reply_update(
            actor=cast.provider_owner, reply=reply, text="Too late", now=reply.created_at + timedelta(hours=24)
        )
    reply.refresh_from_db()
    assert reply.text == "We changed it"


def test_reply_update_refuses_outsiders(cast, review):
    reply = services.reply_create(actor=cast.provider_owner, review=review, text="Thanks")
    with pytest.raises(NotPermitted):
        services.reply_update(actor=cast.outsider, reply=reply, text="Hijacked")
