"""Demo reviews for `manage.py seed_demo`: Alex's verified review of the completed booking
with Priya's reply, and a few reviews by demo-only reviewers so ratings show. Submitted and
published through the review services, replayed at the times they happened (after the
provider's 72-hour preview). Idempotent: each reviewer is skipped once they have a review."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from accounts.demo import DEMO_USERS, demo_person
from accounts.models import PersonProfile, User
from carehub import clock
from carehub.demo import replay_clock
from directory.models import Service
from marketplace.models import Booking
from reviews import services
from reviews.models import PROVIDER_PREVIEW, ProviderReply, Review


@dataclass
class DemoReview:
    days_ago: int
    overall: int
    relationship: str
    title: str
    text: str
    aspects: dict[str, int | None]


def _publish(
    *, actor: User, person: PersonProfile, service: Service, at: datetime, review: DemoReview, booking: Booking | None
) -> Review:
    with replay_clock(at):
        submitted = services.review_submit(
            actor=actor,
            service=service,
            person=person,
            overall=review.overall,
            relationship=review.relationship,
            experience_month=clock.today().replace(day=1),
            title=review.title,
            text=review.text,
            aspects=review.aspects,
            booking=booking,
        )
    # Published once the provider's preview is over, as the publishing task does; a review
    # still inside it (a booking completed in the last few days) waits for that task.
    publish_at = at + PROVIDER_PREVIEW + timedelta(minutes=5)
    if publish_at <= clock.now():
        with replay_clock(publish_at):
            services.review_publish(review_id=submitted.pk)
        submitted.refresh_from_db()
    return submitted


OTHERS = {
    ("rhona.fraser@example.com", "Rhona Fraser", "G11 6PA"): [
        (
            "kelvin",
            DemoReview(
                150, 4, Review.Relationship.FAMILY, "Reliable help for my mum",
                "The carers are kind and on time. Once a visit was moved at short notice, but they phoned "
                "to explain and sent someone else.",
                {"quality_of_care": 4, "staff": 5, "communication": 3, "reliability": 4, "value_for_money": 4},
            ),
        ),
        (
            "day_centre",
            DemoReview(
                60, 5, Review.Relationship.FAMILY, "Mum looks forward to Tuesdays",
                "Warm welcome, good lunches and the minibus picks her up at the door.",
                {"quality_of_care": 5, "staff": 5, "communication": 5, "reliability": 5, "value_for_money": 5},
            ),
        ),
    ],
    ("tom.baird@example.com", "Tom Baird", "G13 1AA"): [
        (
            "personal_assistant",
            DemoReview(
                90, 5, Review.Relationship.SELF, "Ailsa makes my week work",
                "Flexible, patient and good company. She helped me sort out my direct payment paperwork too.",
                {"quality_of_care": 5, "staff": None, "communication": 5, "reliability": 5, "value_for_money": 5},
            ),
        ),
        (
            "day_centre",
            DemoReview(
                35, 4, Review.Relationship.SELF, "Friendly, a bit busy at lunch",
                "Great activities and staff. Lunchtimes can be noisy when it is full.",
                {"quality_of_care": 4, "staff": 5, "communication": 4, "reliability": 4, "value_for_money": 4},
            ),
        ),
    ],
}  # fmt: skip

ALEX_REVIEW = DemoReview(
    0, 5, Review.Relationship.SELF, "Kind, careful and on time",
    "Jenny arrived on the dot, helped me shower without any fuss and made a proper lunch. "
    "They read my notes about large print too.",
    {"quality_of_care": 5, "staff": 5, "communication": 4, "reliability": 5, "value_for_money": 4},
)  # fmt: skip


@transaction.atomic
def seed(*, listings: dict[str, Service], owner: User) -> list[Review]:
    made = []
    alex = PersonProfile.objects.filter(user__email__iexact=DEMO_USERS["person"][0]).select_related("user").first()
    booking = (
        Booking.objects.filter(person=alex, status=Booking.Status.COMPLETED).order_by("completed_at").first()
        if alex is not None
        else None
    )
    if booking is not None and not Review.objects.filter(person=alex).exists():
        review = _publish(
            actor=alex.user, person=alex, service=booking.service, at=booking.completed_at + timedelta(hours=20),
            review=ALEX_REVIEW, booking=booking,
        )  # fmt: skip
        if review.status == Review.Status.PUBLISHED and not ProviderReply.objects.filter(review=review).exists():
            with replay_clock(review.published_at + timedelta(hours=3)):
                services.reply_create(
                    actor=owner, review=review,
                    text="Thank you, Alex. Jenny was delighted to read this. See you next week!",
                )  # fmt: skip
        made.append(review)
    now = clock.now()
    for (email, name, postcode), reviews in OTHERS.items():
        person = demo_person(email=email, full_name=name, postcode=postcode)
        if Review.objects.filter(person=person).exists():
            continue
        for key, review in reviews:
            made.append(
                _publish(
                    actor=person.user,
                    person=person,
                    service=listings[key],
                    at=now - timedelta(days=review.days_ago),
                    review=review,
                    booking=None,
                )  # fmt: skip
            )
    return made
