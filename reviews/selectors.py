"""Reads for reviews: published lists for everyone, scoped views for authors, providers and moderators."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet

from accounts.models import PersonProfile, User
from accounts.permissions import Action, can, require
from accounts.selectors import provider_ids_for_member
from carehub.errors import NotFound
from directory.models import Provider, Service
from reviews.models import ProviderRating, Report, Review, ServiceRating

SORTS = {"newest": ["-published_at", "-pk"], "helpful": ["-helpful_count", "-published_at", "-pk"]}


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
    """Held reviews and published reviews with open reports, oldest first. Moderators only."""
    require(user, Action.MODERATE)
    open_reports = Report.objects.filter(review=OuterRef("pk"), status=Report.Status.OPEN)
    return (
        Review.objects.filter(Q(status=Review.Status.HELD) | Q(Exists(open_reports), status=Review.Status.PUBLISHED))
        .select_related("service", "provider")
        .annotate(open_report_count=Count("reports", filter=Q(reports__status=Report.Status.OPEN)))
        .order_by("submitted_at", "pk")
    )


def people_user_can_review_for(*, user: User) -> QuerySet[PersonProfile]:
    """The person the user is, and the people they support as an active carer."""
    return (
        PersonProfile.objects.filter(
            Q(user=user) | Q(carer_links__carer=user, carer_links__status="active", carer_links__can_view=True)
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
