"""Reads for reviews: published lists for everyone, scoped views for authors, providers and moderators."""

from __future__ import annotations

from typing import Any, TypedDict

from django.db.models import Count, Exists, Min, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from accounts.models import CarerLink, PersonProfile, User
from accounts.permissions import Action, can, require
from accounts.selectors import person_for_user, provider_ids_for_member
from carehub.errors import DomainError, NotFound, NotPermitted
from directory.models import Provider, Service
from reviews.models import ModerationDecision, ProviderRating, ProviderReply, Report, Review, ServiceRating

SORTS = {"newest": ["-published_at", "-pk"], "helpful": ["-helpful_count", "-published_at", "-pk"]}
SECTION_SIZE = 20  # reviews shown on a service's page


class ReviewSection(TypedDict):
    rating: ServiceRating | None
    reviews: list[Review]
    is_provider_member: bool


def review_list_published(
    *, service: Service | None = None, provider: Provider | None = None, sort: str = "newest"
) -> QuerySet[Review]:
    """Published reviews of a service or a provider, with their replies, newest or most helpful first."""
    qs = Review.objects.filter(status=Review.Status.PUBLISHED).select_related("reply", "service__provider")
    if service is not None:
        qs = qs.filter(service=service)
    if provider is not None:
        qs = qs.filter(provider=provider)
    return qs.order_by(*SORTS.get(sort, SORTS["newest"]))


def review_section_for_user(*, user: Any, service: Service, sort: str = "newest") -> ReviewSection:
    """The reviews panel on a service's page: people's rating, the first published reviews, and
    whether the viewer works for the provider (they may reply, not review)."""
    signed_in = getattr(user, "is_authenticated", False)
    return {
        "rating": service_rating(service=service),
        "reviews": list(review_list_published(service=service, sort=sort)[:SECTION_SIZE]),
        "is_provider_member": bool(signed_in and can(user, Action.PROVIDER_MANAGE, service)),
    }


def _visible_to(user: Any) -> Q:
    visible = Q(status=Review.Status.PUBLISHED)
    if not getattr(user, "is_authenticated", False):
        return visible
    visible |= Q(author=user) | Q(person__user=user)
    visible |= Q(
        provider__in=provider_ids_for_member(user=user),
        status__in=[Review.Status.PENDING, Review.Status.HELD],
    )
    return visible


def review_get_for_user(*, user: Any, code: Any) -> Review:
    """One review: published ones for everyone; others for their author, the person, the provider's
    members (pending and held) and moderators. NotFound otherwise, so nothing leaks."""
    qs = Review.objects.select_related("service__provider", "provider", "reply", "person")
    if not can(user, Action.MODERATE):
        qs = qs.filter(_visible_to(user))
    review = qs.filter(code=code).first()
    if review is None:
        raise NotFound("No such review.")
    return review


def review_list_for_provider_member(*, user: User) -> QuerySet[Review]:
    """Reviews of every provider the user works for, including those in the 72-hour preview."""
    providers = provider_ids_for_member(user=user)
    return (
        Review.objects.filter(provider__in=providers)
        .exclude(status__in=[Review.Status.WITHDRAWN, Review.Status.REJECTED])
        .select_related("service__provider", "reply")
        .order_by("-submitted_at", "-pk")
    )


def moderation_queue(*, user: User) -> QuerySet[Review]:
    """Held reviews and published reviews with open reports, longest waiting first. Moderators only."""
    require(user, Action.MODERATE)
    open_reports = Report.objects.filter(review=OuterRef("pk"), status=Report.Status.OPEN)
    return (
        Review.objects.filter(Q(status=Review.Status.HELD) | Q(Exists(open_reports), status=Review.Status.PUBLISHED))
        .select_related("service", "provider")
        .annotate(
            open_report_count=Count("reports", filter=Q(reports__status=Report.Status.OPEN)),
            # "Sent" for a reported review is when the oldest open report came, not when the review did.
            first_report_at=Min("reports__created_at", filter=Q(reports__status=Report.Status.OPEN)),
        )
        # Oldest first by when it came to the queue: the report's date for a reported review.
        .order_by(Coalesce("first_report_at", "submitted_at"), "pk")
    )


def reply_for_review(*, review: Review) -> ProviderReply | None:
    """The provider's reply to a review the caller has already looked up for the user; None before one."""
    return ProviderReply.objects.filter(review=review).first()


def report_list_open(*, review: Review) -> QuerySet[Report]:
    """Reports a moderator has not dealt with yet, oldest first."""
    return review.reports.filter(status=Report.Status.OPEN).order_by("created_at")


def moderation_decision_list(*, review: Review) -> QuerySet[ModerationDecision]:
    """Moderators' earlier decisions on a review, newest first."""
    return review.decisions.select_related("moderator").order_by("-created_at")


def service_get_published(*, code: Any) -> Service:
    """A listed service, whose reviews and rating anyone may read. NotFound for drafts too."""
    service = Service.objects.filter(code=code, status=Service.Status.PUBLISHED).first()
    if service is None:
        raise NotFound("No such service.")
    return service


def service_get_to_review(*, code: Any) -> Service:
    """The service a review is written about, in any state: review_submit says why an unlisted
    one cannot be reviewed. An unknown code is a mistake in the input (400), not a missing page."""
    service = Service.objects.filter(code=code).first()
    if service is None:
        raise DomainError("No such service.", field="service")
    return service


def provider_get(*, code: Any) -> Provider:
    """A provider, whose published reviews and rating anyone may read."""
    provider = Provider.objects.filter(code=code).first()
    if provider is None:
        raise NotFound("No such provider.")
    return provider


def person_get_for_reviewer(*, user: User, code: Any = None) -> PersonProfile:
    """The person a review is written for: by code, someone the user may act for; without one,
    the user themself. An unknown code and someone else's are refused alike (403), so the
    answer does not say which people exist."""
    if code is None:
        person = person_for_user(user=user)
        if person is None:
            raise DomainError("Say which person you are writing for.", field="person")
        return person
    person = PersonProfile.objects.select_related("user").filter(code=code).first()
    if person is None or not can(user, Action.PERSON_VIEW, person):
        raise NotPermitted("You can only write a review for yourself or for someone you support.", field="person")
    return person


def people_user_can_review_for(*, user: User) -> QuerySet[PersonProfile]:
    """The person the user is, and the people they support as an active carer."""
    return (
        PersonProfile.objects.filter(
            Q(user=user)
            | Q(carer_links__carer=user, carer_links__status=CarerLink.Status.ACTIVE, carer_links__can_view=True)
        )
        .select_related("user")
        .distinct()
        .order_by("pk")
    )


def service_rating(*, service: Service) -> ServiceRating | None:
    return ServiceRating.objects.filter(service=service, review_count__gt=0).first()


def provider_rating(*, provider: Provider) -> ProviderRating | None:
    return ProviderRating.objects.filter(provider=provider, review_count__gt=0).first()


def rating_summary(rating: ServiceRating | ProviderRating | None) -> dict[str, Any]:
    """The rating as plain data for the API; zero counts when there are no reviews yet."""
    if rating is None or not rating.review_count:
        rating = ServiceRating()
    return _summary(rating)


def _summary(rating: ServiceRating | ProviderRating) -> dict[str, Any]:
    return {
        "average": round(rating.average, 2) if rating.average is not None else None,
        "count": rating.review_count,
        "distribution": {str(s): n for s, n, _ in rating.distribution},
        "aspects": {
            a: (round(getattr(rating, a), 2) if getattr(rating, a) is not None else None)
            for a in ("quality_of_care", "staff", "communication", "reliability", "value_for_money")
        },
        "score": round(rating.score, 3) if rating.score is not None else None,
        "recent_count": rating.recent_count,
    }
