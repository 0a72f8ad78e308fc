"""Who may review what, and when: eligibility, the one-review rules, verified bookings, input checks."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import override_settings

from accounts.tests import factories as af
from carehub import clock
from carehub.errors import Conflict, DomainError, NotPermitted
from directory.models import Service
from directory.tests.factories import make_service
from reviews.models import Review
from reviews.services import TooManyReviews, months_ago
from reviews.tests.factories import make_completed_booking, make_published_review, make_review, this_month


@pytest.fixture
def service(cast):
    return make_service(provider=cast.provider, name="Kelvin Home Support")


def test_review_submit_by_the_person(cast, service):
    review = make_review(service=service, person=cast.person, overall=5, aspects={"staff": 4})
    assert review.status == Review.Status.PENDING
    assert review.author == cast.person.user
    assert review.provider == cast.provider
    assert review.publish_after == review.submitted_at + timedelta(hours=72)
    assert review.verified is False


def test_review_submit_by_a_carer_on_behalf_of_the_person(cast, service):
    review = make_review(service=service, person=cast.person, actor=cast.carer, relationship="family")
    assert (review.author, review.person) == (cast.carer, cast.person)


@pytest.mark.parametrize("who", ["outsider", "provider_owner", "provider_staff", "commissioner"])
def test_review_submit_refuses_people_who_are_not_the_person_or_their_carer(cast, service, who):
    with pytest.raises(NotPermitted):
        make_review(service=service, person=cast.person, actor=getattr(cast, who))
    assert not Review.objects.exists()


def test_review_submit_refuses_a_carer_whose_link_has_ended(cast, service):
    ended = af.make_user()
    af.make_carer_link(carer=ended, person=cast.person, active=False)
    with pytest.raises(NotPermitted):
        make_review(service=service, person=cast.person, actor=ended)


@pytest.mark.parametrize("role", ["owner", "staff"])
def test_review_submit_refuses_the_providers_own_staff_even_as_a_person_who_uses_care(cast, service, role):
    staff_person = af.make_person()
    from accounts.models import ProviderMembership

    ProviderMembership.objects.create(user=staff_person.user, provider=cast.provider, role=role)
    with pytest.raises(NotPermitted, match="work for a provider"):
        make_review(service=service, person=staff_person)
    # ...but they may review another provider's service.
    assert make_review(service=make_service(provider=cast.other_provider), person=staff_person).pk


def test_review_submit_refuses_an_unpublished_service(cast):
    draft = make_service(provider=cast.provider, status=Service.Status.DRAFT)
    with pytest.raises(NotPermitted):
        make_review(service=draft, person=cast.person)


def test_review_submit_one_per_twelve_months_without_a_booking(cast, service):
    first = make_review(service=service, person=cast.person)
    with pytest.raises(Conflict, match="last 12 months"):
        make_review(service=service, person=cast.person, actor=cast.carer)
    later = make_review(service=service, person=cast.person, now=first.submitted_at + timedelta(days=366))
    assert later.pk != first.pk
    # Another person, or the same person on another service, is not affected.
    assert make_review(service=service, person=cast.other_person).pk
    assert make_review(service=make_service(provider=cast.provider), person=cast.person).pk


def test_review_submit_again_after_withdrawing(cast, service):
    from reviews.services import review_withdraw

    first = make_review(service=service, person=cast.person)
    review_withdraw(actor=cast.person.user, review=first)
    assert make_review(service=service, person=cast.person).pk


def test_review_submit_after_a_completed_booking_is_verified(cast, service):
    booking = make_completed_booking(person=cast.person, service=service)
    review = make_review(service=service, person=cast.person)
    assert review.booking == booking
    assert review.verified is True


def test_review_submit_one_per_booking_and_a_new_booking_allows_another(cast, service):
    make_completed_booking(person=cast.person, service=service)
    make_review(service=service, person=cast.person)
    # The booking is reviewed; with no other booking the 12-month rule applies to a plain review...
    second = make_review(service=service, person=cast.person)
    assert second.booking is None and not second.verified
    with pytest.raises(Conflict):
        make_review(service=service, person=cast.person)
    # ...and a new completed booking allows a new, verified review.
    make_completed_booking(person=cast.person, service=service)
    assert make_review(service=service, person=cast.person).verified


def test_review_submit_refuses_a_booking_reviewed_twice(cast, service):
    booking = make_completed_booking(person=cast.person, service=service)
    make_review(service=service, person=cast.person, booking=booking)
    with pytest.raises(Conflict, match="already reviewed this booking"):
        make_review(service=service, person=cast.person, booking=booking, actor=cast.carer)


def test_review_submit_refuses_someone_elses_booking(cast, service):
    booking = make_completed_booking(person=cast.other_person, service=service)
    with pytest.raises(NotPermitted):
        make_review(service=service, person=cast.person, booking=booking)


def test_review_submit_a_booking_not_completed_is_not_verified(cast, service):
    make_completed_booking(person=cast.person, service=service, status="delivered", completed_at=None)
    review = make_review(service=service, person=cast.person)
    assert review.booking is None and review.verified is False


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"overall": 0}, "overall"),
        ({"overall": 6}, "overall"),
        ({"staff": 9}, "staff"),
        ({"relationship": "landlord"}, "relationship"),
        # Months are worked out from the clock when the test runs, not when it is collected.
        ({"experience_month": lambda today: clock.month_start(today, 1)}, "experience_month"),
        ({"experience_month": lambda today: months_ago(today, 25)}, "experience_month"),
    ],
)
def test_review_submit_refuses_bad_input_and_writes_nothing(cast, service, overrides, field):
    overrides = {k: v(clock.today()) if callable(v) else v for k, v in overrides.items()}
    aspects = {"staff": overrides.pop("staff")} if "staff" in overrides else None
    with pytest.raises(DomainError) as excinfo:
        make_review(service=service, person=cast.person, aspects=aspects, **overrides)
    assert excinfo.value.field == field
    assert not Review.objects.exists()


@override_settings(REVIEWS_MAX_PER_DAY=3)
def test_review_submit_throttles_a_flood_from_one_account(cast):
    for _ in range(3):
        make_review(service=make_service(), person=cast.person, actor=cast.carer)
    with pytest.raises(TooManyReviews):
        make_review(service=make_service(), person=cast.person, actor=cast.carer)
    assert Review.objects.count() == 3


def test_review_submit_a_later_review_replaces_the_earlier_in_the_rating(cast, service):
    first = make_published_review(service=service, person=cast.person, overall=2)
    later = make_published_review(
        service=service, person=cast.person, overall=5, now=first.submitted_at + timedelta(days=366)
    )
    first.refresh_from_db()
    assert (first.counts_in_rating, later.counts_in_rating) == (False, True)
    rating = service.rating_summary
    rating.refresh_from_db()
    assert (rating.review_count, rating.average) == (1, 5.0)
    assert later.experience_month == this_month(later.submitted_at)


@pytest.mark.parametrize(
    ("now", "month", "allowed"),
    [
        # 00:30 BST on 1 May is 23:30 UTC on 30 April: May is this month in the UK.
        (datetime(2027, 4, 30, 23, 30, tzinfo=UTC), date(2027, 5, 1), True),
        (datetime(2027, 4, 30, 22, 30, tzinfo=UTC), date(2027, 5, 1), False),  # 23:30 BST on 30 April
        # On 29 February 2028 "the last 2 years" starts on 1 February 2026.
        (datetime(2028, 2, 29, 12, tzinfo=UTC), date(2026, 2, 1), True),
        (datetime(2028, 2, 29, 12, tzinfo=UTC), date(2026, 1, 1), False),
        (datetime(2027, 1, 1, 0, 30, tzinfo=UTC), date(2027, 1, 1), True),  # just after new year
        (datetime(2026, 12, 31, 23, 30, tzinfo=UTC), date(2027, 1, 1), False),  # just before it
    ],
)
def test_review_experience_month_follows_the_uk_calendar(cast, service, now, month, allowed):
    if allowed:
        review = make_review(service=service, person=cast.person, experience_month=month, now=now)
        assert review.experience_month == month
    else:
        with pytest.raises(DomainError, match="last 2 years"):
            make_review(service=service, person=cast.person, experience_month=month, now=now)
