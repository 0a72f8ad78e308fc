"""Writes for reviews: submit, publish, moderate, report, reply, vote, withdraw, and the
rating aggregates that follow every publish and withdrawal.

Ranking score (ADR 7, docs/adr/0007-reviews-and-ranking.md): a Bayesian average of the overall
stars from the last 24 months, with the platform's mean as the prior worth PRIOR_WEIGHT
reviews, less one posterior standard error (SPREAD / sqrt(PRIOR_WEIGHT + n)). The plain
Bayesian average lets one 5-star review beat fifty averaging 4.6 whenever the platform
mean is 4.6 or more; the standard-error term makes thin evidence rank below plentiful
evidence of nearly the same quality (here: for any platform mean up to about 4.78).
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, F, Q, Sum
from django.urls import reverse

from accounts.models import PersonProfile, User
from accounts.notifications.models import Notification
from accounts.notifications.services import notify
from accounts.permissions import Action, can, require
from accounts.selectors import provider_member_users
from accounts.services import audit_record
from carehub import clock
from carehub.errors import Conflict, DomainError, NotPermitted
from directory.models import Service
from reviews.models import (
    ASPECTS,
    PROVIDER_PREVIEW,
    HelpfulVote,
    ModerationDecision,
    ProviderRating,
    ProviderReply,
    RatingFields,
    Report,
    Review,
    ServiceRating,
)
from reviews.moderation import review_check

PRIOR_WEIGHT = 10
SPREAD = 1.0
DEFAULT_PRIOR = 3.0  # before the platform has any reviews
RANKING_MONTHS = 24
REPEAT_WINDOW = timedelta(days=365)


class TooManyReviews(DomainError):
    status_code = 429
    code = "throttled"


def months_ago(today: date, months: int) -> date:
    """The first day of the month `months` before today's month."""
    index = today.year * 12 + today.month - 1 - months
    return date(index // 12, index % 12 + 1, 1)


def review_check_eligible(*, actor: User, service: Service, person: PersonProfile) -> None:
    """Raise NotPermitted unless actor may review service as, or for, person."""
    if not can(actor, Action.PERSON_VIEW, person):
        raise NotPermitted("You can only write a review for yourself or for someone you support.", field="person")
    if can(actor, Action.PROVIDER_MANAGE, service) or can(person.user, Action.PROVIDER_MANAGE, service):
        raise NotPermitted("People who work for a provider cannot review it. You can reply to reviews instead.")
    if service.status != Service.Status.PUBLISHED:
        raise NotPermitted("This service is not listed, so it cannot be reviewed.")


@transaction.atomic
def review_submit(
    *,
    actor: User,
    service: Service,
    person: PersonProfile,
    overall: int,
    relationship: str,
    experience_month: date,
    title: str = "",
    text: str = "",
    aspects: dict[str, int | None] | None = None,
    booking: Any = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> Review:
    """Submit a review; the automatic checks hold it for a moderator or queue it to be
    published after the provider's 72-hour preview.

    Raises NotPermitted (not the person or their carer; a provider's own staff),
    Conflict (already reviewed this booking, or within 12 months without one),
    TooManyReviews, DomainError (bad stars or month).
    """
    now = now or clock.now()
    review_check_eligible(actor=actor, service=service, person=person)
    aspects = {a: v for a, v in (aspects or {}).items() if a in ASPECTS}
    for name, value in [("overall", overall), *aspects.items()]:
        if value is not None and not (isinstance(value, int) and 1 <= value <= 5):
            raise DomainError("Choose from 1 to 5 stars.", field=name)
    month = experience_month.replace(day=1)
    today = clock.local_date(now)
    if month > today or month < months_ago(today, RANKING_MONTHS):
        raise DomainError("Choose a month in the last 2 years.", field="experience_month")
    if relationship not in Review.Relationship.values:
        raise DomainError("Choose how you know the service.", field="relationship")
    limit = settings.REVIEWS_MAX_PER_DAY
    if Review.objects.filter(author=actor, submitted_at__gte=now - timedelta(days=1)).count() >= limit:
        raise TooManyReviews(f"You can write up to {limit} reviews a day. Please try again tomorrow.")

    # Serialise reviews of one person: the 12-month and per-booking rules are read-then-write.
    PersonProfile.objects.select_for_update().filter(pk=person.pk).first()
    live = Review.objects.filter(person=person, service=service).exclude(
        status__in=[Review.Status.REJECTED, Review.Status.WITHDRAWN]
    )
    booking = booking if booking is not None else _unreviewed_completed_booking(person=person, service=service)
    if booking is not None:
        if booking.person_id != person.pk or booking.service_id != service.pk:
            raise NotPermitted("That booking is not for this person and service.", field="booking")
        if live.filter(booking=booking).exists():
            raise Conflict("You have already reviewed this booking.")
    elif live.filter(booking__isnull=True, submitted_at__gte=now - REPEAT_WINDOW).exists():
        raise Conflict("You have already reviewed this service in the last 12 months.")

    reasons = review_check(title=title, text=text)
    review = Review.objects.create(
        service=service,
        provider_id=service.provider_id,
        person=person,
        author=actor,
        booking=booking,
        verified=_booking_completed(booking),
        status=Review.Status.HELD if reasons else Review.Status.PENDING,
        overall=overall,
        title=title.strip(),
        text=text.strip(),
        relationship=relationship,
        experience_month=month,
        hold_reasons=reasons,
        submitted_at=now,
        publish_after=now + PROVIDER_PREVIEW,
        submitted_ip=ip,
        **aspects,
    )
    audit_record(actor=actor, action="review.submit", obj=review, status=review.status, hold_reasons=reasons)
    if review.status == Review.Status.PENDING:
        notify(
            users=provider_member_users(provider_id=service.provider_id),
            kind=Notification.Kind.REVIEW,
            subject=f"New review of {service.name}",
            body="A new review will be published in 72 hours. You can read it now and ask us to check it.",
            url=reverse("reviews:provider-list"),
            key=f"review:{review.code}:submitted",
        )
    return review


def _booking_completed(booking: Any) -> bool:
    from marketplace.models import Booking

    return booking is not None and booking.status == Booking.Status.COMPLETED


def _unreviewed_completed_booking(*, person: PersonProfile, service: Service) -> Any:
    """The person's latest completed booking of the service not reviewed yet, if any."""
    from marketplace.models import Booking

    reviewed = Review.objects.filter(booking__isnull=False).exclude(
        status__in=[Review.Status.REJECTED, Review.Status.WITHDRAWN]
    )
    return (
        Booking.objects.filter(person=person, service=service, status=Booking.Status.COMPLETED)
        .exclude(pk__in=reviewed.values("booking_id"))
        .order_by("-completed_at", "-pk")
        .first()
    )


# --- Publication and moderation ------------------------------------------------------------


def _publish(review: Review, now: datetime) -> None:
    review.status = Review.Status.PUBLISHED
    review.published_at = now
    review.save(update_fields=["status", "published_at"])
    _recount(review)


def _recount(review: Review) -> None:
    """Only the person's latest published review of a service counts; then refresh the aggregates."""
    published = Review.objects.filter(
        person_id=review.person_id, service_id=review.service_id, status=Review.Status.PUBLISHED
    )
    latest = published.order_by("-submitted_at", "-pk").values_list("pk", flat=True).first()
    published.exclude(pk=latest).filter(counts_in_rating=True).update(counts_in_rating=False)
    if latest is not None:
        Review.objects.filter(pk=latest).update(counts_in_rating=True)
    Review.objects.filter(
        pk=review.pk, status__in=[Review.Status.REMOVED, Review.Status.WITHDRAWN, Review.Status.REJECTED]
    ).update(counts_in_rating=False)
    rating_refresh(service_id=review.service_id, provider_id=review.provider_id)


@transaction.atomic
def review_publish(*, review_id: int, now: datetime | None = None) -> bool:
    """Publish a pending review whose 72-hour preview is over. Idempotent: False if it is not due."""
    now = now or clock.now()
    review = Review.objects.select_for_update().filter(pk=review_id).first()
    if review is None or review.status != Review.Status.PENDING or review.publish_after > now:
        return False
    _publish(review, now)
    audit_record(actor=None, action="review.publish", obj=review)
    notify(
        users=[review.author],
        kind=Notification.Kind.REVIEW,
        subject="Your review has been published",
        body="Thank you: your review is now on CareHub.",
        url=_review_url(review),
        key=f"review:{review.code}:published",
    )
    return True


def review_publish_due(*, now: datetime | None = None) -> int:
    """Publish every pending review whose preview is over, each in its own transaction."""
    now = now or clock.now()
    due = Review.objects.filter(status=Review.Status.PENDING, publish_after__lte=now).values_list("pk", flat=True)
    return sum(review_publish(review_id=pk, now=now) for pk in list(due))


def _review_url(review: Review) -> str:
    return reverse("reviews:review-detail", kwargs={"code": review.code})


@transaction.atomic
def review_flag_by_provider(*, actor: User, review: Review, reason: str) -> Review:
    """A provider member asks for a moderator to check a review before it is published."""
    require(actor, Action.PROVIDER_MANAGE, review)
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status != Review.Status.PENDING:
        raise Conflict("You can only ask us to check a review before it is published. Report it instead.")
    if not reason.strip():
        raise DomainError("Tell us why the review should be checked.", field="reason")
    review.status = Review.Status.HELD
    review.provider_flagged_at = clock.now()
    review.provider_flag_reason = reason.strip()
    review.save(update_fields=["status", "provider_flagged_at", "provider_flag_reason"])
    audit_record(actor=actor, action="review.provider_flag", obj=review, reason=review.provider_flag_reason)
    return review


@transaction.atomic
def review_report(*, actor: User, review: Review, reason: str, detail: str = "") -> Report:
    """Anyone signed in may report a published review; it joins the moderation queue."""
    if not actor.is_authenticated:
        raise NotPermitted("Sign in to report a review.")
    if review.status != Review.Status.PUBLISHED:
        raise Conflict("Only published reviews can be reported.")
    if reason not in Report.Reason.values:
        raise DomainError("Choose a reason.", field="reason")
    try:
        with transaction.atomic():
            report = Report.objects.create(review=review, reporter=actor, reason=reason, detail=detail.strip())
    except IntegrityError as exc:
        raise Conflict("You have already reported this review. A moderator will look at it.") from exc
    audit_record(actor=actor, action="review.report", obj=review, reason=reason)
    return report


_DECISIONS = {
    Review.Status.HELD: {ModerationDecision.Decision.APPROVE, ModerationDecision.Decision.REJECT},
    Review.Status.PUBLISHED: {ModerationDecision.Decision.KEEP, ModerationDecision.Decision.REMOVE},
}
_OUTCOME = {
    "approve": ("Your review has been approved", "A moderator checked your review and approved it."),
    "reject": ("Your review was not published", "A moderator checked your review and did not publish it."),
    "keep": ("Your review stays published", "A moderator checked a report about your review and kept it."),
    "remove": ("Your review was removed", "A moderator checked a report about your review and removed it."),
}


@transaction.atomic
def review_moderate(*, actor: User, review: Review, decision: str, reason: str, now: datetime | None = None) -> Review:
    """Record a moderator's decision on a held review (approve/reject) or a published,
    reported one (keep/remove), close its reports and tell the reviewer."""
    require(actor, Action.MODERATE)
    now = now or clock.now()
    review = Review.objects.select_for_update().get(pk=review.pk)
    if decision not in _DECISIONS.get(review.status, set()):
        raise Conflict("That decision does not apply to this review any more.", field="decision")
    if not reason.strip():
        raise DomainError("Give a reason for the decision; it is kept on record.", field="reason")
    before = review.status
    if decision == ModerationDecision.Decision.APPROVE:
        if review.publish_after <= now or review.provider_flagged_at is not None:
            _publish(review, now)
        else:  # still inside the provider's preview: publication stays on schedule
            review.status = Review.Status.PENDING
            review.save(update_fields=["status"])
    elif decision == ModerationDecision.Decision.REJECT:
        review.status = Review.Status.REJECTED
        review.save(update_fields=["status"])
    elif decision == ModerationDecision.Decision.REMOVE:
        review.status = Review.Status.REMOVED
        review.save(update_fields=["status"])
        _recount(review)
    review.reports.filter(status=Report.Status.OPEN).update(status=Report.Status.CLOSED)
    recorded = ModerationDecision.objects.create(
        review=review,
        moderator=actor,
        decision=decision,
        reason=reason.strip(),
        from_status=before,
        to_status=review.status,
        created_at=now,
    )
    audit_record(actor=actor, action=f"review.moderate.{decision}", obj=review, reason=reason.strip())
    subject, body = _OUTCOME[decision]
    notify(
        users=[review.author],
        kind=Notification.Kind.REVIEW,
        subject=subject,
        body=body,
        url=_review_url(review),
        key=f"review:{review.code}:decision:{recorded.pk}",
    )
    return review


@transaction.atomic
def review_withdraw(*, actor: User, review: Review) -> Review:
    """The author (or the person reviewed for) takes a review down; the rating follows."""
    if actor.pk != review.author_id and not PersonProfile.objects.filter(pk=review.person_id, user=actor).exists():
        raise NotPermitted("Only the person who wrote a review can withdraw it.")
    review = Review.objects.select_for_update().get(pk=review.pk)
    if review.status in (Review.Status.WITHDRAWN, Review.Status.REJECTED, Review.Status.REMOVED):
        raise Conflict("This review is not on CareHub.")
    review.status = Review.Status.WITHDRAWN
    review.save(update_fields=["status"])
    _recount(review)
    audit_record(actor=actor, action="review.withdraw", obj=review)
    return review


@transaction.atomic
def review_vote_helpful(*, actor: User, review: Review) -> bool:
    """One 'helpful' vote per user per published review. False if they had already voted."""
    if not actor.is_authenticated:
        raise NotPermitted("Sign in to say a review was helpful.")
    if review.status != Review.Status.PUBLISHED:
        raise Conflict("Only published reviews can be voted on.")
    if actor.pk == review.author_id:
        raise NotPermitted("You cannot vote on your own review.")
    try:
        with transaction.atomic():
            HelpfulVote.objects.create(review=review, user=actor)
    except IntegrityError:
        return False
    Review.objects.filter(pk=review.pk).update(helpful_count=F("helpful_count") + 1)
    return True


# --- Provider replies ---------------------------------------------------------------------


def _check_reply(text: str, tag: str) -> None:
    if not text.strip():
        raise DomainError("Enter your reply.", field="text")
    if tag not in ProviderReply.Tag.values:
        raise DomainError("Choose whether you made or plan a change.", field="tag")


@transaction.atomic
def reply_create(*, actor: User, review: Review, text: str, tag: str = "") -> ProviderReply:
    """The provider's one public reply to a published review; the reviewer is told."""
    require(actor, Action.PROVIDER_MANAGE, review)
    if review.status != Review.Status.PUBLISHED:
        raise Conflict("You can reply once the review is published.")
    _check_reply(text, tag)
    try:
        with transaction.atomic():
            reply = ProviderReply.objects.create(review=review, author=actor, text=text.strip(), tag=tag)
    except IntegrityError as exc:
        raise Conflict("This review already has a reply. You can change it for 24 hours.") from exc
    audit_record(actor=actor, action="review.reply", obj=review, tag=tag)
    notify(
        users=[review.author],
        kind=Notification.Kind.REVIEW,
        subject=f"{review.service.provider.name} replied to your review",
        body=reply.text[:500],
        url=_review_url(review),
        key=f"review:{review.code}:reply",
    )
    return reply


@transaction.atomic
def reply_update(
    *, actor: User, reply: ProviderReply, text: str, tag: str = "", now: datetime | None = None
) -> ProviderReply:
    """Change a reply within 24 hours of writing it."""
    require(actor, Action.PROVIDER_MANAGE, reply.review)
    now = now or clock.now()
    if not reply.editable_at(now):
        raise Conflict("Replies can only be changed in the 24 hours after they are posted.")
    _check_reply(text, tag)
    reply.text, reply.tag, reply.updated_at = text.strip(), tag, now
    reply.save(update_fields=["text", "tag", "updated_at"])
    audit_record(actor=actor, action="review.reply_update", obj=reply.review, tag=tag)
    return reply


# --- Aggregates ---------------------------------------------------------------------------


def rating_score(*, recent_sum: int, recent_count: int, prior: float) -> float | None:
    """Bayesian average with the platform mean as prior, less one posterior standard error."""
    if recent_count == 0:
        return None
    weight = PRIOR_WEIGHT + recent_count
    return (PRIOR_WEIGHT * prior + recent_sum) / weight - SPREAD / math.sqrt(weight)


def platform_mean() -> float:
    totals = ServiceRating.objects.aggregate(s=Sum("recent_sum"), n=Sum("recent_count"))
    return totals["s"] / totals["n"] if totals["n"] else DEFAULT_PRIOR


def _aggregate(reviews: Any, cutoff: date) -> dict[str, Any]:
    row = reviews.aggregate(
        review_count=Count("pk"),
        average=Avg("overall"),
        recent_count=Count("pk", filter=Q(experience_month__gte=cutoff)),
        recent_sum=Sum("overall", filter=Q(experience_month__gte=cutoff)),
        **{f"count_{s}": Count("pk", filter=Q(overall=s)) for s in range(1, 6)},
        **{a: Avg(a) for a in ASPECTS},
    )
    row["recent_sum"] = row["recent_sum"] or 0
    return row


def _write(rating: RatingFields, values: dict[str, Any], prior: float, now: datetime) -> None:
    for name, value in values.items():
        setattr(rating, name, value)
    rating.score = rating_score(recent_sum=rating.recent_sum, recent_count=rating.recent_count, prior=prior)
    rating.updated_at = now
    rating.save()


def rating_refresh(*, service_id: int, provider_id: int, today: date | None = None) -> None:
    """Rewrite one service's and its provider's aggregates from their counted reviews.

    Called inside the transaction that publishes or withdraws a review. Locks the two
    rating rows (service, then provider: always that order) so concurrent publishes
    of one service queue up instead of each missing the other's review.
    """
    now = clock.now()
    cutoff = months_ago(today or clock.local_date(now), RANKING_MONTHS)
    ServiceRating.objects.get_or_create(service_id=service_id)
    ProviderRating.objects.get_or_create(provider_id=provider_id)
    service_rating = ServiceRating.objects.select_for_update().get(service_id=service_id)
    provider_rating = ProviderRating.objects.select_for_update().get(provider_id=provider_id)
    counted = Review.objects.filter(status=Review.Status.PUBLISHED, counts_in_rating=True)
    service_values = _aggregate(counted.filter(service_id=service_id), cutoff)
    for name in ("recent_sum", "recent_count"):
        setattr(service_rating, name, service_values[name])
    service_rating.save(update_fields=["recent_sum", "recent_count"])
    prior = platform_mean()
    _write(service_rating, service_values, prior, now)
    _write(provider_rating, _aggregate(counted.filter(provider_id=provider_id), cutoff), prior, now)


def rating_rescore_all(*, today: date | None = None) -> int:
    """Nightly: refresh every rated service (reviews age out of the 24-month window) and
    rescore against today's platform mean. Works from the aggregate rows, one service at a time."""
    done = 0
    for service_id, provider_id in Service.objects.filter(rating_summary__isnull=False).values_list(
        "pk", "provider_id"
    ):
        with transaction.atomic():
            rating_refresh(service_id=service_id, provider_id=provider_id, today=today)
        done += 1
    prior = platform_mean()
    for model in (ServiceRating, ProviderRating):
        for rating in model.objects.filter(recent_count__gt=0):
            new = rating_score(recent_sum=rating.recent_sum, recent_count=rating.recent_count, prior=prior)
            model.objects.filter(pk=rating.pk).update(score=new)
    return done
