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
