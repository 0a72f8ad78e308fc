"""Builders for reviews: make_<thing>(**overrides)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.utils import timezone

from accounts.models import PersonProfile
from carehub import clock
from directory.models import Service
from marketplace.models import Booking
from marketplace.tests.factories import make_budget
from reviews import services
from reviews.models import Review


def this_month(now: datetime | None = None) -> date:
    """The first day of the UK month of `now` (default: the clock's)."""
    return clock.local_date(now or clock.now()).replace(day=1)


def make_completed_booking(*, person: PersonProfile, service: Service, **overrides: Any) -> Booking:
    """A booking already at 'completed' (the booking journey itself is the bookings issue's to test)."""
    now = timezone.now()
    fields: dict[str, Any] = {
        "kind": "one_off",
        "service": service,
        "provider": service.provider,
        "person": person,
        "budget": make_budget(person=person),
        "requested_by": person.user,
        "status": Booking.Status.COMPLETED,
        "quantity": 1,
        "unit_price_pence": 2000,
        "amount_pence": 2000,
        "price_unit": "visit",
        "delivered_at": now - timedelta(days=2),
        "completed_at": now - timedelta(days=1),
    }
    fields.update(overrides)
    return Booking.objects.create(**fields)


def make_review(*, service: Service, person: PersonProfile, **overrides: Any) -> Review:
    """A review through review_submit (so every rule applies); actor defaults to the person."""
    fields: dict[str, Any] = {
        "actor": person.user,
        "overall": 4,
        "relationship": Review.Relationship.SELF,
        "experience_month": this_month(overrides.get("now")),
        "text": "Kind, punctual staff who listened to what mum wanted.",
    }
    fields.update(overrides)
    return services.review_submit(service=service, person=person, **fields)


def make_published_review(*, service: Service, person: PersonProfile, **overrides: Any) -> Review:
    """Submitted, then published as the beat task would after the 72-hour preview."""
    review = make_review(service=service, person=person, **overrides)
    assert review.status == Review.Status.PENDING, review.hold_reasons
    services.review_publish(review_id=review.pk, now=review.publish_after)
    review.refresh_from_db()
    return review
