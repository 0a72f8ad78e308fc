"""Issue 18, item 8: facts the review pages showed wrongly."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from directory.tests.factories import make_service
from reviews import services
from reviews.models import Report, Review
from reviews.tests.factories import make_completed_booking, make_published_review, make_review, this_month


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def service(cast):
    return make_service(provider=cast.provider, name="Kelvin Home Support")


def _write(service) -> str:
    return reverse("reviews:review-write", kwargs={"code": service.code})


def _form(**overrides) -> dict:
    return {
        "overall": "5",
        "relationship": "family",
        "experience_month": this_month().strftime("%Y-%m"),
        "title": "Lovely carers",
        "text": "They always arrived on time and took time to chat with mum.",
        **overrides,
    }


def test_review_form_preselects_the_only_person_a_carer_may_review_for(client, cast, service):
    client.force_login(cast.carer)
    html = client.get(_write(service)).content.decode()
    assert re.search(rf'value="{cast.person.code}"[^>]* checked', html)


def test_carer_review_of_a_booking_they_made_for_the_person_is_verified(client, cast, service):
    make_completed_booking(person=cast.person, service=service, requested_by=cast.carer)
    client.force_login(cast.carer)
    response = client.post(_write(service), _form(person=str(cast.person.code)), follow=True)
    assert Review.objects.get().verified is True
    assert "Verified booking" in response.content.decode()


def test_review_says_used_the_service_once(client, cast, service):
    make_published_review(service=service, person=cast.person, relationship="self")
    html = client.get(reverse("directory:service-detail", kwargs={"code": service.code})).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "used the service, used the service" not in text.lower()
    assert f"Used the service in {this_month():%B %Y}" in text


def test_review_by_family_says_who_wrote_it(client, cast, service):
    make_published_review(service=service, person=cast.person, relationship="family", actor=cast.carer)
    html = client.get(reverse("directory:service-detail", kwargs={"code": service.code})).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert f"Written by a family member or carer, about care in {this_month():%B %Y}" in text


def test_helpful_count_is_not_in_the_row_of_actions(client, cast, service):
    make_published_review(service=service, person=cast.person)
    html = client.get(reverse("directory:service-detail", kwargs={"code": service.code})).content.decode()
    group = html.split('<div class="govuk-button-group">', 1)[1].split("</div>", 1)[0]
    assert "found this helpful" not in group
    assert "0 people found this helpful" in html


def test_moderation_queue_sent_is_when_the_report_was_sent(client, cast, service):
    review = make_published_review(service=service, person=cast.person)
    Review.objects.filter(pk=review.pk).update(submitted_at=timezone.now() - timedelta(days=35))
    services.review_report(actor=cast.outsider, review=review, reason=Report.Reason.values[0], detail="")
    client.force_login(cast.vetting_officer)
    html = client.get(reverse("reviews:moderation-queue")).content.decode()
    assert f"{timezone.localdate():%-d %b %Y}" in html
    assert f"{timezone.localdate() - timedelta(days=35):%-d %b %Y}" not in html


def test_held_review_sent_is_when_the_review_was_submitted(client, cast, service):
    review = make_review(service=service, person=cast.person, text="Call me on 07700 900123")
    client.force_login(cast.vetting_officer)
    html = client.get(reverse("reviews:moderation-queue")).content.decode()
    if review.status == Review.Status.HELD:
        assert f"{timezone.localtime(review.submitted_at):%-d %b %Y}" in html


def test_moderation_queue_puts_the_longest_waiting_first(client, cast, service, time_machine):
    old_review = make_published_review(service=service, person=cast.person, title="Old review")
    Review.objects.filter(pk=old_review.pk).update(submitted_at=timezone.now() - timedelta(days=35))
    other = make_service(provider=cast.other_provider, name="Forth Support")
    waiting = make_published_review(service=other, person=cast.person, title="Reported first")
    services.review_report(actor=cast.outsider, review=waiting, reason=Report.Reason.values[0], detail="")
    time_machine.move_to(timezone.now() + timedelta(hours=2))
    services.review_report(actor=cast.outsider, review=old_review, reason=Report.Reason.values[0], detail="")
    client.force_login(cast.vetting_officer)
    html = client.get(reverse("reviews:moderation-queue")).content.decode()
    assert html.index("Forth Support") < html.index("Kelvin Home Support")
