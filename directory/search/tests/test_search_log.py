"""The anonymous search log: every first page of a postcode search is recorded with the
district, council, type of care, radius, result count and day, and nothing personal."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from accounts.tests import factories as af
from directory.models import SearchLog
from directory.search.log import search_log_record
from directory.tests.factories import category, make_council, make_postcode, make_service

G12_8QQ = (55.871751, -4.28836)
PAGE = "/search/"
API = "/api/v1/services/"


@pytest.fixture
def glasgow(db: Any) -> Any:
    council = make_council(name="Glasgow City", gss_code="S12000046", slug="glasgow-city-2014")
    make_postcode("G12 8QQ", *G12_8QQ, council=council)
    make_postcode("G12 8", 55.875097, -4.287462, council=council)
    return council


def test_search_log_page_records_district_category_radius_and_count(
    client: Client, glasgow: Any, django_capture_on_commit_callbacks: Any
) -> None:
    make_service(name="Near", latitude=G12_8QQ[0], longitude=G12_8QQ[1], categories=[category("personal-care")])
    client.force_login(af.make_user(email="searcher@example.com", full_name="Sue Searcher"))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(
            PAGE, {"postcode": "g12 8qq", "radius_miles": 3, "category": ["help-at-home", "transport"]}
        )
    assert response.status_code == 200
    rows = list(SearchLog.objects.order_by("category_id").values())
    assert [r["category_id"] for r in rows] == [category("help-at-home").pk, category("transport").pk]
    assert [r["result_count"] for r in rows] == [1, 1]
    for row in rows:
        # Exactly these fields: no user, no session, no full postcode, no IP, no time of day.
        assert set(row) == {
            "id",
            "district",
            "council_id",
            "category_id",
            "radius_miles",
            "result_count",
            "searched_on",
        }
        assert row["district"] == "G12"
        assert row["council_id"] == glasgow.pk
        assert row["radius_miles"] == Decimal("3.0")
        assert row["searched_on"] == timezone.localdate()
        assert "8QQ" not in str(row.values())


def test_search_log_api_records_a_search_with_no_results(
    client: Client, glasgow: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(API, {"postcode": "G12 8QQ", "radius_miles": 10}).status_code == 200
    row = SearchLog.objects.get()
    assert (row.district, row.category_id, row.result_count, row.radius_miles) == ("G12", None, 0, Decimal("10.0"))


def test_search_log_not_recorded_for_later_pages_coordinates_or_bad_input(
    client: Client, glasgow: Any, django_capture_on_commit_callbacks: Any
) -> None:
    for i in range(25):
        make_service(name=f"S{i}", latitude=G12_8QQ[0], longitude=G12_8QQ[1])
    with django_capture_on_commit_callbacks(execute=True):
        assert client.get(PAGE, {"postcode": "G12 8QQ", "page": 2}).status_code == 200
        assert client.get(API, {"postcode": "G12 8QQ", "page": 2}).status_code == 200
        assert client.get(API, {"lat": G12_8QQ[0], "lng": G12_8QQ[1]}).status_code == 200
        assert client.get(PAGE, {"postcode": "not a postcode"}).status_code == 400
    assert SearchLog.objects.count() == 0


def test_search_log_failure_never_breaks_the_search(
    client: Client, glasgow: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.db import DatabaseError

    failing = mock.patch("directory.search.log._insert", side_effect=DatabaseError("disk full"))
    with failing, django_capture_on_commit_callbacks(execute=True):
        response = client.get(API, {"postcode": "G12 8QQ"})
    assert response.status_code == 200
    assert SearchLog.objects.count() == 0


def test_search_log_record_ignores_unknown_category_and_place(db: Any, django_capture_on_commit_callbacks: Any) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        search_log_record(postcode="ZE1 0AA", radius_miles=5, result_count=0, categories=["no-such-care"])
    row = SearchLog.objects.get()
    assert (row.district, row.council_id, row.category_id) == ("ZE1", None, None)
