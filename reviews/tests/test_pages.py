"""Review pages: the service page's section, the write form (GOV.UK error summary, nothing
written on bad input), permissions on every page, escaping of review text, the form's flood guard."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.urls import reverse

from directory.tests.factories import make_service
from reviews import services
from reviews.models import HelpfulVote, ProviderReply, Report, Review
from reviews.tests.factories import make_completed_booking, make_published_review, make_review, this_month


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def service(cast):
    return make_service(provider=cast.provider, name="Kelvin Home Support")


def _detail(service) -> str:
    return reverse("directory:service-detail", kwargs={"code": service.code})


def _write(service) -> str:
    return reverse("reviews:review-write", kwargs={"code": service.code})


def _form(**overrides) -> dict:
    data = {
        "overall": "5",
        "relationship": "self",
        "experience_month": this_month().strftime("%Y-%m"),
        "title": "Lovely carers",
        "text": "They always arrived on time and took time to chat with mum.",
        "staff": "5",
    }
    data.update(overrides)
    return data


def test_service_page_shows_the_rating_apart_from_regulator_grades_and_replies(client, cast, service):
    review = make_published_review(service=service, person=cast.person, overall=4, title="Good team")
    services.reply_create(actor=cast.provider_owner, review=review, text="Thanks, rota fixed.", tag="change_made")
    html = client.get(_detail(service)).content.decode()
    assert "Reviews from people who used this service" in html
    assert "separate from the regulator" in html
    assert "4.0 out of 5" in html and "from 1 review" in html
    assert "Good team" in html and "Thanks, rota fixed." in html and "Change made" in html
    assert "Verified booking" not in html


def test_service_page_sorts_newest_or_most_helpful(client, cast, service):
    old = make_published_review(service=service, person=cast.person, title="Older but helpful")
    make_published_review(service=service, person=cast.other_person, title="Newer")
    services.review_vote_helpful(actor=cast.outsider, review=old)
    newest = client.get(_detail(service)).content.decode()
    helpful = client.get(_detail(service), {"sort": "helpful"}).content.decode()
    assert newest.index("Newer") < newest.index("Older but helpful")
    assert helpful.index("Older but helpful") < helpful.index("Newer")


def test_service_page_escapes_review_text_and_replies(client, cast, service):
    review = make_published_review(
        service=service,
        person=cast.person,
        title='<img src=x onerror="alert(1)">',
        text="<script>alert('xss')</script> they were lovely to us",
    )
    services.reply_create(actor=cast.provider_owner, review=review, text="<b onclick=alert(2)>thanks</b>")
    html = client.get(_detail(service)).content.decode()
    assert "<script>alert('xss')</script>" not in html
    assert "&lt;script&gt;alert(&#x27;xss&#x27;)&lt;/script&gt;" in html
    assert '<img src=x onerror="alert(1)">' not in html and "&lt;img src=x" in html
    assert "<b onclick" not in html and "&lt;b onclick=alert(2)&gt;" in html


def test_write_review_needs_sign_in(client, service):
    response = client.get(_write(service))
    assert response.status_code == 302 and "/accounts/" in response["Location"]


def test_write_review_by_the_person_then_shown_as_pending(client, cast, service):
    client.force_login(cast.person.user)
    response = client.post(_write(service), _form())
    review = Review.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reviews:review-detail", kwargs={"code": review.code})
    assert (review.person, review.overall, review.staff, review.status) == (cast.person, 5, 5, "pending")
    page = client.get(response["Location"]).content.decode()
    assert "Waiting to be published" in page


def test_write_review_by_a_carer_chooses_the_person(client, cast, service):
    client.force_login(cast.carer)
    page = client.get(_write(service)).content.decode()
    assert cast.person.display_name in page
    response = client.post(_write(service), _form(person=str(cast.person.code), relationship="family"))
    assert response.status_code == 302
    assert Review.objects.get().author == cast.carer


def test_write_review_after_a_completed_booking_shows_verified_booking(client, cast, service):
    make_completed_booking(person=cast.person, service=service)
    client.force_login(cast.person.user)
    response = client.post(_write(service), _form(), follow=True)
    assert "Verified booking" in response.content.decode()


def test_write_review_with_missing_answers_shows_the_error_summary_and_writes_nothing(client, cast, service):
    client.force_login(cast.person.user)
    response = client.post(_write(service), _form(overall="", experience_month="1999-01"))
    html = response.content.decode()
    assert response.status_code == 400
    assert "There is a problem" in html
    assert 'href="#id_overall_0"' in html and "Choose an overall rating from 1 to 5 stars" in html
    assert 'href="#id_experience_month"' in html
    assert not Review.objects.exists()


@pytest.mark.parametrize("value", ["9", "abc", "-1"])
def test_write_review_with_bad_stars_is_a_form_error(client, cast, service, value):
    client.force_login(cast.person.user)
    response = client.post(_write(service), _form(overall=value, staff=value))
    assert response.status_code == 400
    assert not Review.objects.exists()


def test_write_review_refuses_a_person_the_user_does_not_support(client, cast, service):
    client.force_login(cast.carer)
    response = client.post(_write(service), _form(person=str(cast.other_person.code)))
    assert response.status_code == 400
    assert not Review.objects.exists()


@pytest.mark.parametrize("who", ["provider_owner", "provider_staff"])
def test_write_review_refuses_the_providers_own_staff(client, cast, service, who):
    from accounts.tests.factories import make_person

    user = getattr(cast, who)
    make_person(user=user)  # even when they also use care
    client.force_login(user)
    response = client.post(_write(service), _form())
    assert response.status_code == 400
    assert "cannot review it" in response.content.decode()
    assert not Review.objects.exists()
    assert "Write a review" not in client.get(_detail(service)).content.decode()


def test_write_review_refuses_an_account_that_is_not_a_person_or_carer(client, cast, service):
    client.force_login(cast.outsider)
    assert client.get(_write(service)).status_code == 403
    assert client.post(_write(service), _form()).status_code == 403
    assert not Review.objects.exists()


def test_write_review_a_second_time_in_12_months_is_a_form_error(client, cast, service):
    make_review(service=service, person=cast.person)
    client.force_login(cast.person.user)
    response = client.post(_write(service), _form())
    assert response.status_code == 400
    assert "last 12 months" in response.content.decode()


@override_settings(REVIEWS_FORM_MAX_PER_IP_HOUR=2, REVIEWS_MAX_PER_DAY=50)
def test_write_review_form_limits_a_flood_from_one_ip(client, cast):
    client.force_login(cast.carer)
    for _ in range(2):
        assert client.post(_write(make_service()), _form(person=str(cast.person.code))).status_code == 302
    response = client.post(_write(make_service()), _form(person=str(cast.person.code)))
    assert response.status_code == 400
    assert "Too many reviews" in response.content.decode()
    assert Review.objects.count() == 2


def test_review_detail_pending_only_for_the_people_involved(client, cast, service):
    review = make_review(service=service, person=cast.person, actor=cast.carer)
    url = reverse("reviews:review-detail", kwargs={"code": review.code})
    for user, status in [
        (None, 404),
        (cast.outsider, 404),
        (cast.other_person.user, 404),
        (cast.carer, 200),
        (cast.person.user, 200),
        (cast.provider_staff, 200),
        (cast.vetting_officer, 200),
    ]:
        client.logout()
        if user:
            client.force_login(user)
        assert client.get(url).status_code == status, user


def test_helpful_vote_page_one_per_user(client, cast, service):
    review = make_published_review(service=service, person=cast.person)
    url = reverse("reviews:review-helpful", kwargs={"code": review.code})
    assert client.post(url).status_code == 302 and not HelpfulVote.objects.exists()  # to sign in
    client.force_login(cast.outsider)
    client.post(url)
    client.post(url)
    review.refresh_from_db()
    assert review.helpful_count == 1
    assert client.get(url).status_code == 405


def test_report_page(client, cast, service):
    review = make_published_review(service=service, person=cast.person)
    url = reverse("reviews:review-report", kwargs={"code": review.code})
    client.force_login(cast.outsider)
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400 and "There is a problem" in response.content.decode()
    assert client.post(url, {"reason": "false", "detail": "Never a client"}).status_code == 302
    assert Report.objects.get().reporter == cast.outsider


def test_reply_page_only_for_the_providers_members(client, cast, service):
    review = make_published_review(service=service, person=cast.person)
    url = reverse("reviews:review-reply", kwargs={"code": review.code})
    from accounts.tests.factories import make_provider_member

    for user in (cast.outsider, cast.person.user, make_provider_member(provider=cast.other_provider)):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url, {"text": "x"}).status_code == 404
    client.force_login(cast.provider_staff)
    assert client.post(url, {"text": ""}).status_code == 400
    assert client.post(url, {"text": "Thank you", "tag": "change_planned"}).status_code == 302
    assert client.post(url, {"text": "Thank you again", "tag": ""}).status_code == 302  # an edit
    reply = ProviderReply.objects.get()
    assert (reply.text, reply.tag) == ("Thank you again", "")


def test_provider_preview_list_and_flag(client, cast, service):
    review = make_review(service=service, person=cast.person, title="Brand new")
    client.force_login(cast.provider_staff)
    assert "Brand new" in client.get(reverse("reviews:provider-list")).content.decode()
    url = reverse("reviews:provider-flag", kwargs={"code": review.code})
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Not our client"}).status_code == 302
    review.refresh_from_db()
    assert review.status == Review.Status.HELD
    client.force_login(cast.outsider)
    assert "Brand new" not in client.get(reverse("reviews:provider-list")).content.decode()
    assert client.get(url).status_code == 404


def test_moderation_pages_only_for_moderators(client, cast, service):
    review = make_review(service=service, person=cast.person, text="Call 07700 900123 for details")
    queue = reverse("reviews:moderation-queue")
    decide = reverse("reviews:moderation-decide", kwargs={"code": review.code})
    for user in (cast.outsider, cast.provider_owner, cast.person.user):
        client.force_login(user)
        assert client.get(queue).status_code == 404
        assert client.post(decide, {"decision": "approve", "reason": "x"}).status_code == 404
    client.force_login(cast.vetting_officer)
    assert "phone" in client.get(queue).content.decode()
    response = client.post(decide, {"decision": "remove", "reason": "x"})  # not a choice for a held review
    assert response.status_code == 400 and "There is a problem" in response.content.decode()
    assert client.post(decide, {"decision": "reject", "reason": "Personal details"}).status_code == 302
    review.refresh_from_db()
    assert review.status == Review.Status.REJECTED


def test_service_page_query_count_does_not_grow_with_reviews(client, cast, service):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.tests.factories import make_person

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(_detail(service)).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(cast.outsider)
    for _ in range(2):
        review = make_published_review(service=service, person=make_person())
        services.reply_create(actor=cast.provider_owner, review=review, text="Thanks")
    few = count()
    for _ in range(6):
        review = make_published_review(service=service, person=make_person(), aspects={"staff": 3})
        services.reply_create(actor=cast.provider_owner, review=review, text="Thanks")
    assert count() == few
