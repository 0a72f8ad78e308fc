"""Moderation paths: automatic checks, the provider's 72-hour preview and flag, reports,
the moderator's recorded decisions, publication by the beat task, and telling the reviewer."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail

from accounts.models import AuditEvent
from carehub.errors import Conflict, DomainError, NotPermitted
from directory.tests.factories import make_service
from reviews import services
from reviews.models import ModerationDecision, Report, Review
from reviews.moderation import review_check
from reviews.tasks import reviews_publish_due_task
from reviews.tests.factories import make_published_review, make_review


@pytest.fixture
def service(cast):
    return make_service(provider=cast.provider)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("Rubbish.", "too_short"),
        ("The manager is an idiot and never listens to anyone at all.", "abusive"),
        ("Call me on 07700 900123 if you want to know more about it.", "phone"),
        ("Ring the office on 0141 496 0000 and ask for the manager please.", "phone"),
        ("Write to jane.doe@example.com if you want to hear the full story.", "email"),
        ("My mum lives at G12 8QQ and they were always late to arrive.", "personal"),
        ("Her CHI number 0101 501 234 was on the open care plan in the hall.", "personal"),
        ("See the full story at https://example.com/story for all the details.", "link"),
        ("Read more on www.example.org about how they treated my dad.", "link"),
    ],
)
def test_review_check_finds_what_must_be_held(text, reason):
    assert reason in review_check(title="", text=text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Kind, punctual staff who listened to what mum wanted. 5 stars from us, thank you!",
        "They came at 9.30 every day for 12 weeks and never missed a visit in 2024.",
    ],
)
def test_review_check_passes_ordinary_reviews(text):
    assert review_check(title="Great help", text=text) == []


def test_review_submit_holds_a_review_that_fails_the_checks(cast, service):
    review = make_review(service=service, person=cast.person, text="Phone me on 07700 900123 for the real story.")
    assert review.status == Review.Status.HELD
    assert review.hold_reasons == ["phone"]
    assert services.review_publish(review_id=review.pk, now=review.publish_after + timedelta(days=1)) is False


def test_review_pending_is_published_after_72_hours_by_the_beat_task(cast, service, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        review = make_review(service=service, person=cast.person)
    # The provider's members were told a review is coming.
    assert {m.to[0] for m in mail.outbox} == {cast.provider_owner.email, cast.provider_staff.email}
    assert services.review_publish_due(now=review.publish_after - timedelta(minutes=1)) == 0
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.review_publish_due(now=review.publish_after) == 1
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED and review.counts_in_rating
    assert [m.to[0] for m in mail.outbox] == [cast.person.user.email]
    assert services.review_publish_due(now=review.publish_after) == 0  # idempotent


def test_reviews_publish_due_task_publishes_due_reviews(cast, service):
    review = make_review(service=service, person=cast.person, now=Review().submitted_at - timedelta(hours=73))
    assert reviews_publish_due_task.delay().get() == 1
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED


def test_provider_member_can_ask_for_moderation_during_the_preview(cast, service):
    review = make_review(service=service, person=cast.person)
    services.review_flag_by_provider(actor=cast.provider_staff, review=review, reason="This is not our client.")
    review.refresh_from_db()
    assert review.status == Review.Status.HELD and review.provider_flagged_at
    assert services.review_publish_due(now=review.publish_after) == 0


@pytest.mark.parametrize("who", ["outsider", "person_user", "vetting_officer"])
def test_provider_flag_refuses_anyone_outside_the_provider(cast, service, who):
    review = make_review(service=service, person=cast.person)
    other_member = make_service(provider=cast.other_provider)  # noqa: F841 - another provider exists
    actor = cast.person.user if who == "person_user" else getattr(cast, who)
    with pytest.raises(NotPermitted):
        services.review_flag_by_provider(actor=actor, review=review, reason="Please check")


def test_provider_flag_refuses_a_published_review_and_an_empty_reason(cast, service):
    review = make_review(service=service, person=cast.person)
    with pytest.raises(DomainError):
        services.review_flag_by_provider(actor=cast.provider_owner, review=review, reason="  ")
    services.review_publish(review_id=review.pk, now=review.publish_after)
    with pytest.raises(Conflict):
        services.review_flag_by_provider(actor=cast.provider_owner, review=review, reason="Untrue")


def test_moderator_approves_a_held_review_and_the_reviewer_is_told(cast, service, django_capture_on_commit_callbacks):
    review = make_review(service=service, person=cast.person, actor=cast.carer, text="Call 07700 900123 now please.")
    with django_capture_on_commit_callbacks(execute=True):
        services.review_moderate(
            actor=cast.vetting_officer,
            review=review,
            decision="approve",
            reason="Office number, fine",
            now=review.publish_after,
        )
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED
    decision = ModerationDecision.objects.get(review=review)
    assert (decision.moderator, decision.from_status, decision.to_status) == (cast.vetting_officer, "held", "published")
    assert AuditEvent.objects.filter(action="review.moderate.approve", object_id=str(review.pk)).exists()
    assert [m.to[0] for m in mail.outbox] == [cast.carer.email]
    assert "approved" in mail.outbox[0].subject


def test_moderator_approval_inside_the_preview_keeps_the_schedule(cast, service):
    review = make_review(service=service, person=cast.person, text="Rubbish.")
    services.review_moderate(
        actor=cast.vetting_officer, review=review, decision="approve", reason="Short but fair", now=review.submitted_at
    )
    review.refresh_from_db()
    assert review.status == Review.Status.PENDING
    assert services.review_publish_due(now=review.publish_after) == 1


def test_moderator_rejects_a_held_review(cast, service, django_capture_on_commit_callbacks):
    review = make_review(service=service, person=cast.person, text="The manager is an idiot, a total idiot.")
    with django_capture_on_commit_callbacks(execute=True):
        services.review_moderate(actor=cast.vetting_officer, review=review, decision="reject", reason="Abusive")
    review.refresh_from_db()
    assert review.status == Review.Status.REJECTED
    assert "not published" in mail.outbox[-1].subject


@pytest.mark.parametrize("who", ["outsider", "provider_owner", "carer", "commissioner"])
def test_moderate_refuses_non_moderators(cast, service, who):
    review = make_review(service=service, person=cast.person, text="Rubbish.")
    with pytest.raises(NotPermitted):
        services.review_moderate(actor=getattr(cast, who), review=review, decision="reject", reason="x")
    assert not ModerationDecision.objects.exists()


def test_moderate_refuses_a_decision_that_does_not_fit_and_a_missing_reason(cast, service):
    review = make_review(service=service, person=cast.person, text="Rubbish.")
    with pytest.raises(Conflict):
        services.review_moderate(actor=cast.vetting_officer, review=review, decision="remove", reason="x")
    with pytest.raises(DomainError):
        services.review_moderate(actor=cast.vetting_officer, review=review, decision="reject", reason=" ")
    assert not ModerationDecision.objects.exists()


def test_anyone_signed_in_can_report_a_published_review_once(cast, service):
    review = make_published_review(service=service, person=cast.person)
    services.review_report(actor=cast.outsider, review=review, reason="false", detail="Never used them")
    services.review_report(actor=cast.provider_owner, review=review, reason="conflict")
    with pytest.raises(Conflict):
        services.review_report(actor=cast.outsider, review=review, reason="abusive")
    with pytest.raises(DomainError):
        services.review_report(actor=cast.other_person.user, review=review, reason="because")
    assert Report.objects.filter(review=review, status="open").count() == 2


def test_report_refuses_a_review_not_published(cast, service):
    review = make_review(service=service, person=cast.person)
    with pytest.raises(Conflict):
        services.review_report(actor=cast.outsider, review=review, reason="false")


def test_moderator_removes_a_reported_review_and_the_rating_follows(cast, service, django_capture_on_commit_callbacks):
    review = make_published_review(service=service, person=cast.person, overall=1)
    make_published_review(service=service, person=cast.other_person, overall=5)
    services.review_report(actor=cast.outsider, review=review, reason="false")
    with django_capture_on_commit_callbacks(execute=True):
        services.review_moderate(actor=cast.vetting_officer, review=review, decision="remove", reason="Not a client")
    review.refresh_from_db()
    assert review.status == Review.Status.REMOVED and not review.counts_in_rating
    assert not review.reports.filter(status="open").exists()
    service.rating_summary.refresh_from_db()
    assert (service.rating_summary.review_count, service.rating_summary.average) == (1, 5.0)
    assert "removed" in mail.outbox[-1].subject


def test_moderator_keeps_a_reported_review_and_closes_the_reports(cast, service):
    review = make_published_review(service=service, person=cast.person)
    services.review_report(actor=cast.outsider, review=review, reason="false")
    services.review_moderate(actor=cast.vetting_officer, review=review, decision="keep", reason="Fair comment")
    review.refresh_from_db()
    assert review.status == Review.Status.PUBLISHED
    assert not review.reports.filter(status="open").exists()


def test_withdraw_by_the_author_only_and_the_rating_follows(cast, service):
    review = make_published_review(service=service, person=cast.person, actor=cast.carer, overall=2)
    for who in (cast.outsider, cast.provider_owner):
        with pytest.raises(NotPermitted):
            services.review_withdraw(actor=who, review=review)
    services.review_withdraw(actor=cast.person.user, review=review)  # the person it is about may too
    service.rating_summary.refresh_from_db()
    assert service.rating_summary.review_count == 0
    assert service.rating_summary.score is None
    with pytest.raises(Conflict):
        services.review_withdraw(actor=cast.carer, review=review)


def test_helpful_vote_once_per_user_and_not_by_the_author(cast, service):
    review = make_published_review(service=service, person=cast.person)
    assert services.review_vote_helpful(actor=cast.outsider, review=review) is True
    assert services.review_vote_helpful(actor=cast.outsider, review=review) is False
    assert services.review_vote_helpful(actor=cast.provider_owner, review=review) is True
    with pytest.raises(NotPermitted):
        services.review_vote_helpful(actor=cast.person.user, review=review)
    review.refresh_from_db()
    assert review.helpful_count == 2
