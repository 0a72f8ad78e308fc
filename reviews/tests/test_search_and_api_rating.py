"""The directory's search ranks by the reviews' score (ordering=rating) and shows the rating."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.tests.factories import make_person
from directory.search.selectors import service_search
from directory.tests.factories import make_service
from reviews.services import rating_rescore_all
from reviews.tests.factories import make_published_review


@pytest.fixture
def ranked(cast):
    """Three services at the same place: fifty averaging 4.6, one 5-star, and none."""
    fifty = make_service(provider=cast.provider, name="Fifty reviews")
    one = make_service(provider=cast.other_provider, name="One review")
    unrated = make_service(provider=cast.other_provider, name="A unrated")
    for stars in [5] * 30 + [4] * 20:
        make_published_review(service=fifty, person=make_person(), overall=stars)
    make_published_review(service=one, person=make_person(), overall=5)
    rating_rescore_all()
    return fifty, one, unrated


def test_service_search_orders_by_rating_score_with_unrated_last(ranked):
    names = [s.name for s in service_search(ordering="rating")]
    assert names == ["Fifty reviews", "One review", "A unrated"]
    # By name, the unrated one comes first: the ordering really is the score's.
    assert [s.name for s in service_search(ordering="name")][0] == "A unrated"


def test_service_search_api_returns_the_rating_and_orders_by_it(client, ranked):
    params = {"lat": 55.8733, "lng": -4.2923, "ordering": "rating"}
    response = client.get(reverse("directory-api:service-search"), params)
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["name"] for r in results] == ["Fifty reviews", "One review", "A unrated"]
    assert results[0]["rating"]["average"] == 4.6 and results[0]["rating"]["count"] == 50
    assert results[0]["rating"]["score"] > results[1]["rating"]["score"]
    assert results[2]["rating"] is None


def test_search_results_page_shows_ratings_and_sorts_by_them(client, ranked):
    from directory.tests.factories import make_postcode

    make_postcode("G12 8QQ", 55.8733, -4.2923)
    url = reverse("directory:search")
    response = client.get(url, {"postcode": "G12 8QQ", "ordering": "rating"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Fifty reviews") < html.index("One review") < html.index("A unrated")
    assert "4.6 out of 5 (50 reviews)" in html
    assert "No reviews yet" in html
    assert 'value="rating"' in html  # the form offers "sort by rating"
