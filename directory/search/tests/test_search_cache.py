"""The search API's answer cache: same answer, fewer queries, never stale after a change."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.models import Postcode, Service
from directory.search.cache import search_cache_version
from directory.tests.factories import make_service

URL = "/api/v1/services/?postcode=G12%208QQ&radius_miles=5"


@pytest.fixture
def world(db):
    Postcode.objects.create(postcode="G12 8QQ", latitude=55.8733, longitude=-4.2923, precision="unit")
    return make_service(name="Near", latitude=55.8740, longitude=-4.2900)


def _names(client, url=URL):
    return [r["name"] for r in client.get(url).json()["results"]]


def is_search_query(sql: str) -> bool:
    # On PostgreSQL the search's statements are prepared: EXECUTE search_count (…) and so on.
    return "directory_service" in sql or "EXECUTE search_" in sql


def test_repeated_search_is_answered_from_the_cache(client, world):
    first = client.get(URL).json()
    with CaptureQueriesContext(connection) as queries:
        second = client.get(URL).json()
    assert second == first
    # Only the anonymous search-log write remains; no lookup, count or listing query.
    assert not [q for q in queries.captured_queries if is_search_query(q["sql"])]


def test_different_parameters_are_cached_separately(client, world):
    assert _names(client) == ["Near"]
    assert _names(client, URL + "&q=nothing-matches") == []


def test_editing_a_service_makes_cached_answers_stale(client, world, django_capture_on_commit_callbacks):
    assert _names(client) == ["Near"]
    with django_capture_on_commit_callbacks(execute=True):
        world.name = "Renamed"
        world.save()
    assert _names(client) == ["Renamed"]


def test_unpublishing_hides_the_service_at_once(client, world, django_capture_on_commit_callbacks):
    assert _names(client) == ["Near"]
    with django_capture_on_commit_callbacks(execute=True):
        world.status = Service.Status.DRAFT
        world.save()
    assert _names(client) == []


def test_a_new_service_appears_at_once(client, world, django_capture_on_commit_callbacks):
    assert _names(client) == ["Near"]
    with django_capture_on_commit_callbacks(execute=True):
        make_service(name="Also near", latitude=55.8741, longitude=-4.2901)
    assert sorted(_names(client)) == ["Also near", "Near"]


def test_changing_categories_bumps_the_version_now_and_at_commit(world, django_capture_on_commit_callbacks):
    from directory.models import Category

    before = search_cache_version()
    with django_capture_on_commit_callbacks(execute=True):
        world.categories.add(Category.objects.first())
        assert search_cache_version() == before + 1
    assert search_cache_version() == before + 2


def test_cache_can_be_switched_off(client, world, settings):
    settings.SEARCH_CACHE_SECONDS = 0
    client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        client.get(URL)
    assert [q for q in queries.captured_queries if is_search_query(q["sql"])]


def test_bad_input_is_never_cached(client, world):
    assert client.get("/api/v1/services/?postcode=NOT-A-POSTCODE").status_code == 400
    assert client.get("/api/v1/services/?postcode=NOT-A-POSTCODE").status_code == 400


def test_postcode_lookup_is_answered_from_the_cache(client, world):
    first = client.get("/api/v1/postcodes/G12%208QQ/").json()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/postcodes/g128qq/").json() == first
    assert queries.captured_queries == []


def test_postcode_unknown_is_not_cached(client, world):
    assert client.get("/api/v1/postcodes/EH1%201YZ/").status_code == 404
    Postcode.objects.create(postcode="EH1 1YZ", latitude=55.95, longitude=-3.19, precision="unit")
    assert client.get("/api/v1/postcodes/EH1%201YZ/").status_code == 200


def test_postcode_import_bumps_the_version(db):
    from directory.geo.postcode_import import ImportResult, postcode_rows_merge

    before = search_cache_version()
    rows = [("ZE1 0AA", 60.15, -1.15, None, "unit", "test")]
    postcode_rows_merge(rows_chunks=iter([rows]), result=ImportResult())
    assert search_cache_version() > before


def test_an_answer_from_the_cache_is_the_fresh_answer_byte_for_byte(client, world):
    # The API's answers are cached as their JSON (not pickled): read back, every kind of value a
    # result holds (register entry and grades, vetting dates, ratings, decimals, prices, types of
    # care) is written exactly as it was the first time.
    from django.apps import apps

    from directory.models import ProviderVetting
    from directory.tests.factories import category, make_provider
    from directory.tests.register_fixtures import make_registration

    here = {"latitude": 55.8741, "longitude": -4.2901}
    make_registration(make_service(name="Graded", **here), grades={"support_wellbeing": 3, "staff_team": 5})
    rated = make_service(name="Rated", service_radius_miles="2.5", categories=[category("personal-care")], **here)
    apps.get_model("reviews", "ServiceRating").objects.create(service=rated, review_count=3, average=4.25, score=3.9)
    vetted = make_provider(name="Checked Ltd")
    ProviderVetting.objects.create(
        provider=vetted,
        vetted_at="2026-09-01T12:00:00+00:00",
        valid_until=None,
        checks=[{"kind": "insurance", "label": "Public liability insurance", "checked_on": "2026-08-30"}],
    )
    make_service(name="Vetted ‘quoted’ \u2028", provider=vetted, price_pence=None, price_on_request=True, **here)
    fresh = client.get(URL)
    with CaptureQueriesContext(connection) as queries:
        cached = client.get(URL)
    assert not [q for q in queries.captured_queries if is_search_query(q["sql"])]
    assert cached.content == fresh.content
    rows = {row["name"]: row for row in fresh.json()["results"]}
    assert rows["Graded"]["regulator"]["grades"] and rows["Rated"]["rating"]["score"] == 3.9
    assert rows["Rated"]["delivery"]["service_radius_miles"] == 2.5
    assert rows["Vetted ‘quoted’ \u2028"]["vetting"]["checks"][0]["checked_on"] == "2026-08-30"


def test_an_answer_json_cannot_hold_is_cached_as_it_is(db):
    from directory.search.cache import search_cache_get_or_compute

    computed = []

    def compute():
        computed.append(1)
        return {"body": {1: "a key that is not a string"}}

    for _ in range(2):
        answer = search_cache_get_or_compute(scope="test", params=[("q", "x")], compute=compute, as_json=True)
        assert answer == {"body": {1: "a key that is not a string"}}
    assert computed == [1]


def test_an_answer_read_back_from_its_json_renders_as_the_answer_did(db):
    # Whatever an answer holds (times, decimals, lazy translations, UUIDs, tuples), the renderer
    # writes the answer read back from the cache exactly as it wrote the answer itself.
    import uuid
    from datetime import UTC, datetime
    from decimal import Decimal

    from django.utils.translation import gettext_lazy

    from carehub.renderers import JSONRenderer
    from directory.search.cache import search_cache_get_or_compute

    answer = {
        "at": datetime(2026, 9, 1, 12, 30, 5, 250, tzinfo=UTC),
        "price": Decimal("12.50"),
        "label": gettext_lazy("Home"),
        "id": uuid.UUID(int=7),
        "pair": (1, 2.5),
    }
    first = search_cache_get_or_compute(scope="test", params=[], compute=lambda: answer, as_json=True)
    again = search_cache_get_or_compute(scope="test", params=[], compute=lambda: {}, as_json=True)
    assert again != first  # read back from JSON: no longer the same Python values
    assert JSONRenderer().render(again) == JSONRenderer().render(first)
