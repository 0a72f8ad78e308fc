"""Reviews API: public reads of published reviews and ratings, writes with permissions on
every endpoint, 400 (never 500) for bad input, throttling per account and per IP."""

from __future__ import annotations

import uuid

import pytest
from django.core.cache import cache
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import ScopedRateThrottle

from directory.models import Service
from directory.tests.factories import make_service
from reviews import services
from reviews.models import ProviderReply, Report, Review
from reviews.tests.factories import make_published_review, make_review, this_month


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def service(cast):
    return make_service(provider=cast.provider)


def _as(api: APIClient, user) -> APIClient:
    api.force_authenticate(user)
    return api


def _body(target, **overrides) -> dict:
    body = {
        "service": str(target.code),
        "overall": 4,
        "staff": 5,
        "relationship": "self",
        "experience_month": this_month().isoformat(),
        "text": "Reliable, friendly and always on time for dad.",
    }
    body.update(overrides)
    return body


def test_review_list_is_public_and_only_published(api, cast, service):
    published = make_published_review(service=service, person=cast.person, title="Shown")
    make_review(service=service, person=cast.other_person, title="Pending")
    services.reply_create(actor=cast.provider_owner, review=published, text="Thanks", tag="change_planned")
    response = api.get(reverse("reviews-api:review-list"), {"service": str(service.code)})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["title"] for r in results] == ["Shown"]
    assert results[0]["reply"]["tag"] == "change_planned"
    assert "author" not in results[0] and "person" not in results[0]
    by_provider = api.get(reverse("reviews-api:review-list"), {"provider": str(cast.provider.code)}).json()
    assert [r["title"] for r in by_provider["results"]] == ["Shown"]


@pytest.mark.parametrize(
    "params",
    [{}, {"service": "not-a-uuid"}, {"service": str(uuid.uuid4()), "provider": str(uuid.uuid4())}, {"sort": "x"}],
)
def test_review_list_bad_filters_are_400(api, params):
    assert api.get(reverse("reviews-api:review-list"), params).status_code == 400


def test_review_list_unknown_service_is_404(api, db):
    assert api.get(reverse("reviews-api:review-list"), {"service": str(uuid.uuid4())}).status_code == 404


def test_review_create_by_the_person_and_by_a_carer(api, cast, service):
    response = _as(api, cast.person.user).post(reverse("reviews-api:review-list"), _body(service), format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending" and response.json()["aspects"]["staff"] == 5
    other = make_service()
    body = _body(other, person=str(cast.person.code), relationship="family")
    assert _as(api, cast.carer).post(reverse("reviews-api:review-list"), body, format="json").status_code == 201
    assert Review.objects.count() == 2


def test_review_create_needs_sign_in(api, service):
    response = api.post(reverse("reviews-api:review-list"), _body(service), format="json")
    assert response.status_code == 401
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [("provider_owner", 400), ("provider_staff", 400), ("outsider", 400), ("vetting_officer", 400)],
)
def test_review_create_refuses_accounts_without_a_person_or_for_someone_elses(api, cast, service, who, status):
    response = _as(api, getattr(cast, who)).post(reverse("reviews-api:review-list"), _body(service), format="json")
    assert response.status_code == status
    # ...and for someone else's person:
    body = _body(service, person=str(cast.person.code))
    assert _as(api, getattr(cast, who)).post(reverse("reviews-api:review-list"), body, format="json").status_code == 403
    assert not Review.objects.exists()


def test_review_create_refuses_an_unknown_person_exactly_like_someone_elses(api, cast, service):
    client = _as(api, cast.outsider)
    url = reverse("reviews-api:review-list")
    unknown = client.post(url, _body(service, person=str(uuid.uuid4())), format="json")
    someone_elses = client.post(url, _body(service, person=str(cast.person.code)), format="json")
    assert unknown.status_code == someone_elses.status_code == 403
    assert unknown.json() == someone_elses.json()
    assert unknown.json()["person"] == ["You can only write a review for yourself or for someone you support."]
    assert not Review.objects.exists()


@pytest.mark.parametrize(
    ("params", "detail"),
    [
        ({"service": "draft"}, "No such service."),
        ({"service": "unknown"}, "No such service."),
        ({"provider": "unknown"}, "No such provider."),
    ],
)
def test_review_list_and_ratings_are_404_for_unknown_or_unlisted_services(api, cast, params, detail):
    draft = make_service(provider=cast.provider, status=Service.Status.DRAFT)
    codes = {"draft": str(draft.code), "unknown": str(uuid.uuid4())}
    ((kind, which),) = params.items()
    listed = api.get(reverse("reviews-api:review-list"), {kind: codes[which]})
    rating = api.get(reverse(f"reviews-api:{kind}-rating", kwargs={"code": codes[which]}))
    assert listed.status_code == rating.status_code == 404
    assert listed.json()["detail"] == rating.json()["detail"] == detail


@pytest.mark.parametrize(
    "overrides",
    [
        {"overall": 6},
        {"overall": "five"},
        {"staff": 0},
        {"relationship": "boss"},
        {"experience_month": "2001-01-01"},
        {"experience_month": "soon"},
        {"service": "nope"},
        {"service": str(uuid.uuid4())},
        {"text": "x" * 5001},
    ],
)
def test_review_create_bad_input_is_400_and_writes_nothing(api, cast, service, overrides):
    response = _as(api, cast.person.user).post(
        reverse("reviews-api:review-list"), _body(service, **overrides), format="json"
    )
    assert response.status_code == 400
    assert not Review.objects.exists()


def test_review_create_twice_is_409(api, cast, service):
    client = _as(api, cast.person.user)
    assert client.post(reverse("reviews-api:review-list"), _body(service), format="json").status_code == 201
    assert client.post(reverse("reviews-api:review-list"), _body(service), format="json").status_code == 409


def test_review_create_throttled_per_account(api, cast, monkeypatch):
    monkeypatch.setitem(ScopedRateThrottle.THROTTLE_RATES, "reviews", "2/hour")
    client = _as(api, cast.carer)
    codes = []
    for _ in range(3):
        body = _body(make_service(), person=str(cast.person.code), relationship="family")
        codes.append(client.post(reverse("reviews-api:review-list"), body, format="json").status_code)
    assert codes == [201, 201, 429]
    assert Review.objects.count() == 2


def test_review_create_throttled_per_ip_across_accounts(api, cast, monkeypatch):
    from reviews.api.views import ReviewsIpThrottle

    monkeypatch.setitem(ReviewsIpThrottle.THROTTLE_RATES, "reviews_ip", "2/hour")
    codes = []
    for user, person in [(cast.person.user, cast.person), (cast.carer, cast.person), (cast.other_person.user, None)]:
        body = _body(make_service(), **({"person": str(person.code)} if person else {}))
        codes.append(_as(api, user).post(reverse("reviews-api:review-list"), body, format="json").status_code)
    assert codes == [201, 201, 429]


def test_review_detail_visibility(api, cast, service):
    pending = make_review(service=service, person=cast.person)
    url = reverse("reviews-api:review-detail", kwargs={"code": pending.code})
    assert api.get(url).status_code == 404
    assert _as(api, cast.outsider).get(url).status_code == 404
    assert _as(api, cast.provider_staff).get(url).status_code == 200
    assert _as(api, cast.person.user).get(url).status_code == 200


def test_reply_api_provider_only_then_edit(api, cast, service):
    review = make_published_review(service=service, person=cast.person)
    url = reverse("reviews-api:review-reply", kwargs={"code": review.code})
    assert _as(api, cast.outsider).post(url, {"text": "Hi"}, format="json").status_code == 403
    assert _as(api, cast.provider_owner).patch(url, {"text": "Hi"}, format="json").status_code == 404
    assert _as(api, cast.provider_owner).post(url, {"text": ""}, format="json").status_code == 400
    response = _as(api, cast.provider_owner).post(url, {"text": "Thanks", "tag": "change_made"}, format="json")
    assert response.status_code == 201 and response.json()["editable"] is True
    assert _as(api, cast.provider_staff).post(url, {"text": "Again"}, format="json").status_code == 409
    assert _as(api, cast.provider_staff).patch(url, {"text": "Edited"}, format="json").status_code == 200
    assert ProviderReply.objects.get().text == "Edited"


def test_report_helpful_and_withdraw_api(api, cast, service):
    review = make_published_review(service=service, person=cast.person)
    report = reverse("reviews-api:review-report", kwargs={"code": review.code})
    assert api.post(report, {"reason": "false"}, format="json").status_code == 401
    assert _as(api, cast.outsider).post(report, {"reason": "nope"}, format="json").status_code == 400
    assert _as(api, cast.outsider).post(report, {"reason": "false"}, format="json").status_code == 201
    assert _as(api, cast.outsider).post(report, {"reason": "false"}, format="json").status_code == 409
    assert Report.objects.count() == 1
    helpful = reverse("reviews-api:review-helpful", kwargs={"code": review.code})
    assert _as(api, cast.outsider).post(helpful).json() == {"counted": True, "helpful_count": 1}
    assert _as(api, cast.outsider).post(helpful).json() == {"counted": False, "helpful_count": 1}
    withdraw = reverse("reviews-api:review-withdraw", kwargs={"code": review.code})
    assert _as(api, cast.provider_owner).post(withdraw).status_code == 403
    assert _as(api, cast.person.user).post(withdraw).json()["status"] == "withdrawn"


def test_provider_flag_api(api, cast, service):
    review = make_review(service=service, person=cast.person)
    url = reverse("reviews-api:review-provider-flag", kwargs={"code": review.code})
    assert _as(api, cast.outsider).post(url, {"reason": "x"}, format="json").status_code == 404  # cannot see it
    assert _as(api, cast.provider_staff).post(url, {}, format="json").status_code == 400
    assert _as(api, cast.provider_staff).post(url, {"reason": "Not ours"}, format="json").json()["status"] == "held"


def test_moderation_api_for_moderators_only(api, cast, service):
    review = make_review(service=service, person=cast.person, text="Email me at a@b.com about it please")
    queue = reverse("reviews-api:moderation-queue")
    decide = reverse("reviews-api:moderation-decision", kwargs={"code": review.code})
    for who in ("outsider", "provider_owner", "carer"):
        assert _as(api, getattr(cast, who)).get(queue).status_code == 403
        assert _as(api, getattr(cast, who)).post(decide, {"decision": "approve", "reason": "x"}).status_code == 404
    mod = _as(api, cast.vetting_officer)
    assert mod.get(queue).json()["results"][0]["hold_reasons"] == ["email"]
    assert mod.post(decide, {"decision": "keep", "reason": "x"}, format="json").status_code == 409
    assert mod.post(decide, {"decision": "approve"}, format="json").status_code == 400
    response = mod.post(decide, {"decision": "approve", "reason": "Fine"}, format="json")
    assert response.status_code == 201


def test_rating_api_public(api, cast, service):
    url = reverse("reviews-api:service-rating", kwargs={"code": service.code})
    assert api.get(url).json()["count"] == 0 and api.get(url).json()["average"] is None
    make_published_review(service=service, person=cast.person, overall=4, aspects={"reliability": 3})
    make_published_review(service=service, person=cast.other_person, overall=5)
    body = api.get(url).json()
    assert (body["average"], body["count"], body["distribution"]["5"], body["aspects"]["reliability"]) == (
        4.5,
        2,
        1,
        3.0,
    )
    provider = api.get(reverse("reviews-api:provider-rating", kwargs={"code": cast.provider.code})).json()
    assert provider["count"] == 2
    assert api.get(reverse("reviews-api:service-rating", kwargs={"code": uuid.uuid4()})).status_code == 404


def test_openapi_schema_includes_reviews(api):
    response = api.get(reverse("api-schema"))
    assert response.status_code == 200
    assert b"/api/v1/reviews/" in response.content
