"""Aggregates and ranking: average, count, distribution and aspects per service and provider,
kept in step with publish and withdraw; the ranking score on a known fixture."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.tests.factories import make_person
from directory.tests.factories import make_service
from reviews import services
from reviews.models import ProviderRating, Review, ServiceRating
from reviews.services import months_ago, rating_score
from reviews.tests.factories import make_published_review


def _publish_many(service, stars: list[int], **overrides) -> None:
    for n in stars:
        make_published_review(service=service, person=make_person(), overall=n, **overrides)


def test_rating_aggregates_follow_publication(cast):
    service = make_service(provider=cast.provider)
    other = make_service(provider=cast.provider)
    make_published_review(service=service, person=cast.person, overall=5, aspects={"staff": 5, "value_for_money": 3})
    make_published_review(service=service, person=cast.other_person, overall=2, aspects={"staff": 4})
    make_published_review(service=other, person=cast.other_person, overall=4)
    rating = ServiceRating.objects.get(service=service)
    assert (rating.review_count, rating.average) == (2, 3.5)
    assert [(s, n) for s, n, _ in rating.distribution] == [(5, 1), (4, 0), (3, 0), (2, 1), (1, 0)]
    assert (rating.staff, rating.value_for_money, rating.reliability) == (4.5, 3.0, None)
    provider = ProviderRating.objects.get(provider=cast.provider)
    assert (provider.review_count, round(provider.average, 3)) == (3, round(11 / 3, 3))


def test_rating_ignores_reviews_not_published(cast):
    service = make_service(provider=cast.provider)
    services.review_submit(
        actor=cast.person.user,
        service=service,
        person=cast.person,
        overall=1,
        relationship="self",
        experience_month=timezone.localdate().replace(day=1),
    )
    assert not ServiceRating.objects.filter(service=service, review_count__gt=0).exists()


def test_rating_counts_only_the_last_24_months_for_the_score(cast):
    service = make_service(provider=cast.provider)
    oldest = months_ago(timezone.localdate(), 24)
    make_published_review(service=service, person=cast.person, overall=5, experience_month=oldest)
    rating = ServiceRating.objects.get(service=service)
    assert (rating.review_count, rating.recent_count) == (1, 1)
    # A year on, the experience is 36 months old: the nightly rescore drops it from the score only.
    services.rating_rescore_all(today=months_ago(timezone.localdate(), -12))
    rating.refresh_from_db()
    assert (rating.review_count, rating.recent_count, rating.score) == (1, 0, None)


def test_rating_score_one_five_star_review_does_not_beat_fifty_averaging_4_6(cast):
    one_review = make_service(provider=cast.provider, name="One review")
    fifty = make_service(provider=cast.other_provider, name="Fifty reviews")
    _publish_many(one_review, [5])
    _publish_many(fifty, [5] * 30 + [4] * 20)  # 230 / 50 = 4.6
    services.rating_rescore_all()
    a = ServiceRating.objects.get(service=one_review)
    b = ServiceRating.objects.get(service=fifty)
    assert (a.average, b.average) == (5.0, 4.6)
    assert b.score > a.score


def test_rating_score_on_a_known_fixture():
    # Platform mean 4.0: the prior is worth 10 reviews; less one standard error of 1 star / sqrt(10 + n).
    assert rating_score(recent_sum=5, recent_count=1, prior=4.0) == pytest.approx(45 / 11 - 1 / 11**0.5)
    assert rating_score(recent_sum=230, recent_count=50, prior=4.0) == pytest.approx(270 / 60 - 1 / 60**0.5)
    assert rating_score(recent_sum=0, recent_count=0, prior=4.0) is None
    # One 5-star does not beat fifty averaging 4.6 for any platform mean up to about 4.78 (above
    # that, 4.6 is itself well below average); a plain Bayesian average fails from a mean of 4.6.
    for prior in (1.0, 3.0, 4.0, 4.6, 4.75):
        assert rating_score(recent_sum=230, recent_count=50, prior=prior) > rating_score(
            recent_sum=5, recent_count=1, prior=prior
        )

    def plain(total: int, n: int, prior: float) -> float:
        return (10 * prior + total) / (10 + n)

    assert plain(5, 1, 4.6) > plain(230, 50, 4.6)


def test_rating_score_more_good_reviews_rank_higher(cast):
    names = {"many good": [5] * 8 + [4] * 2, "few good": [5, 5], "many poor": [2] * 10}
    made = {}
    for name, stars in names.items():
        made[name] = make_service(provider=cast.provider, name=name)
        _publish_many(made[name], stars)
    services.rating_rescore_all()
    order = list(ServiceRating.objects.order_by("-score").values_list("service__name", flat=True))
    assert order == ["many good", "few good", "many poor"]


def test_rating_refresh_is_per_service_not_over_all_reviews(cast, django_assert_max_num_queries):
    service = make_service(provider=cast.provider)
    _publish_many(service, [4, 5])
    review = Review.objects.filter(service=service).first()
    # The refresh reads one service's and one provider's rows, whatever the number of reviews elsewhere.
    with django_assert_max_num_queries(12):
        services.rating_refresh(service_id=review.service_id, provider_id=review.provider_id)
