import json

import pytest
from django.db import connection
from django.urls import reverse
from geopy.distance import great_circle
from rest_framework.request import Request
from rest_framework.response import Response

from directory.models import Category, Service
from directory.search.api import ServiceSearchApi
from directory.search.api_rows import search_api_rows
from directory.search.taxonomy import search_taxonomy
from directory.search.tests.garbage import request_garbage
from directory.tests.factories import category, make_council, make_postcode, make_provider, make_service

URL = "/api/v1/services/"
G12_8QQ = (55.871751, -4.28836)


@pytest.fixture
def glasgow(db):
    council = make_council(name="Glasgow City", gss_code="S12000046", slug="glasgow-city-2014")
    make_postcode("G12 8QQ", *G12_8QQ, council=council)
    make_postcode("G12 8", 55.875097, -4.287462, council=council)


def test_service_search_api_url_is_under_api_v1():
    assert reverse("directory-api:service-search") == URL


def test_service_search_api_returns_paginated_results_with_distances(client, glasgow):
    p = great_circle(miles=2).destination(G12_8QQ, 90)
    provider = make_provider(name="Kelvin Companions")
    service = make_service(
        name="Help at home",
        provider=provider,
        latitude=p.latitude,
        longitude=p.longitude,
        postcode="G12 9AA",
        price_pence=2450,
        price_unit="hour",
        categories=[category("personal-care")],
    )
    response = client.get(URL, {"postcode": "g128qq"})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 1
    [result] = body["results"]
    assert result["id"] == str(service.code)
    assert result["provider"] == {"id": str(provider.code), "name": "Kelvin Companions"}
    assert result["categories"] == [{"slug": "personal-care", "name": "Personal care"}]
    assert result["postcode"] == "G12 9AA"
    assert result["distance_miles"] == 2.0
    assert result["distance_km"] == round(2 * 1.609344, 2)
    assert result["price"] == {"pence": 2450, "unit": "hour", "on_request": False, "display": "£24.50 per hour"}
    assert result["rating"] is None and result["regulator"] is None and result["vetting"] is None
    assert result["url"] == f"/services/{service.code}/"


def test_service_search_api_accepts_lat_and_lng(client, db):
    make_service(name="Here", latitude=G12_8QQ[0], longitude=G12_8QQ[1])
    body = client.get(URL, {"lat": G12_8QQ[0], "lng": G12_8QQ[1], "radius_miles": "0.5"}).json()
    assert [r["name"] for r in body["results"]] == ["Here"]
    assert body["results"][0]["distance_miles"] == 0.0


def test_service_search_api_hides_drafts_and_other_statuses(client, glasgow):
    for status in Service.Status:
        make_service(name=status.value, status=status, latitude=G12_8QQ[0], longitude=G12_8QQ[1])
    body = client.get(URL, {"postcode": "G12 8QQ"}).json()
    assert [r["name"] for r in body["results"]] == ["published"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"postcode": "G12 8QC"}, "postcode"),
        ({"postcode": "G12 8QQ", "radius_miles": "51"}, "radius_miles"),
        ({"postcode": "G12 8QQ", "radius_miles": "0"}, "radius_miles"),
        ({"postcode": "G12 8QQ", "radius_miles": "-3"}, "radius_miles"),
        ({"postcode": "G12 8QQ", "radius_miles": "five"}, "radius_miles"),
        ({"postcode": "G12 8QQ", "radius_miles": "nan"}, "radius_miles"),
        ({"lat": "91", "lng": "0"}, "lat"),
        ({"lat": "55", "lng": "-181"}, "lng"),
        ({"lat": "x", "lng": "0"}, "lat"),
        ({"lat": "55"}, "lng"),
        ({"postcode": "G12 8QQ", "lat": "55", "lng": "-4"}, "postcode"),
        ({"postcode": "G12 8QQ", "page_size": "101"}, "page_size"),
        ({"postcode": "G12 8QQ", "page_size": "0"}, "page_size"),
        ({"postcode": "G12 8QQ", "page": "0"}, "page"),
        ({"postcode": "G12 8QQ", "ordering": "price; drop"}, "ordering"),
        ({"postcode": "G12 8QQ", "delivery": "teleport"}, "delivery"),
        ({"postcode": "G12 8QQ", "min_grade": "7"}, "min_grade"),
        ({"postcode": "G12 8QQ", "max_price": "-1"}, "max_price"),
        ({"postcode": "G12 8QQ", "category": "not a slug!"}, "category"),
        ({"postcode": "AB10 1AA"}, "postcode"),  # well-formed, but not known even by district
    ],
)
def test_service_search_api_refuses_bad_parameters_with_field_errors(client, glasgow, params, field):
    response = client.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_service_search_api_paginates_with_page_and_page_size(client, glasgow):
    for i in range(25):
        make_service(name=f"S{i:02d}", latitude=G12_8QQ[0], longitude=G12_8QQ[1])
    first = client.get(URL, {"postcode": "G12 8QQ", "ordering": "name"}).json()
    assert first["count"] == 25
    assert len(first["results"]) == 20
    assert first["previous"] is None and "page=2" in first["next"]
    second = client.get(URL, {"postcode": "G12 8QQ", "ordering": "name", "page": 2}).json()
    assert [r["name"] for r in second["results"]] == [f"S{i:02d}" for i in range(20, 25)]
    assert second["next"] is None
    small = client.get(URL, {"postcode": "G12 8QQ", "ordering": "name", "page_size": 10, "page": 3}).json()
    assert [r["name"] for r in small["results"]] == [f"S{i:02d}" for i in range(20, 25)]
    assert client.get(URL, {"postcode": "G12 8QQ", "page": 9}).status_code == 404


def test_service_search_api_repeats_category_and_filters(client, glasgow):
    here = {"latitude": G12_8QQ[0], "longitude": G12_8QQ[1]}
    make_service(name="Home", categories=[category("care-homes")], **here)
    make_service(name="Ride", categories=[category("transport")], **here)
    make_service(name="Art", categories=[category("arts-and-culture")], **here)
    body = client.get(URL + "?postcode=G12+8QQ&category=care-homes&category=transport&ordering=name").json()
    assert [r["name"] for r in body["results"]] == ["Home", "Ride"]


def test_service_search_api_has_no_n_plus_one(client, glasgow, django_assert_num_queries):
    categories = [category("care-homes"), category("transport")]
    for i in range(3):
        make_service(name=f"A{i}", latitude=G12_8QQ[0], longitude=G12_8QQ[1], categories=categories)
    # postcode lookup, the count, one page of ids, their rows, their categories' ids; on PostgreSQL
    # the page's rows and their categories' ids come with its ids, in one statement. The categories'
    # names come from the taxonomy, read once per search cache version (which each new service
    # bumps). A search first: PostgreSQL's statements are prepared once per connection.
    statements = 3 if connection.vendor == "postgresql" else 5
    client.get(URL, {"postcode": "G12 8QQ", "radius_miles": "2"})
    search_taxonomy()
    with django_assert_num_queries(statements):
        assert client.get(URL, {"postcode": "G12 8QQ"}).json()["count"] == 3
    for i in range(20):
        make_service(name=f"B{i}", latitude=G12_8QQ[0], longitude=G12_8QQ[1], categories=categories)
    search_taxonomy()
    with django_assert_num_queries(statements):
        assert len(client.get(URL, {"postcode": "G12 8QQ"}).json()["results"]) == 20


def test_search_rows_name_their_types_of_care_in_display_order_even_when_the_taxonomy_is_older(glasgow):
    parent = category("personal-care")
    later = Category.objects.create(name="Bathing", slug="bathing", parent=parent, position=9)
    first = Category.objects.create(name="Washing", slug="washing", parent=parent, position=1)
    service = make_service(name="Home help", latitude=G12_8QQ[0], longitude=G12_8QQ[1], categories=[later, first])
    assert search_api_rows([(service.pk, 0.0)])[0]["categories"] == [
        {"slug": "washing", "name": "Washing"},
        {"slug": "bathing", "name": "Bathing"},
    ]
    # Renamed: the next search says so.
    later.name = "Bathing and showering"
    later.save()
    assert [c["name"] for c in search_api_rows([(service.pk, 0.0)])[0]["categories"]] == [
        "Washing",
        "Bathing and showering",
    ]
    # Added without a signal (as raw SQL would): the rows read the taxonomy again rather than drop it.
    search_taxonomy()
    (new,) = Category.objects.bulk_create([Category(name="Dressing", slug="dressing", parent=parent, position=5)])
    Service.categories.through.objects.bulk_create([Service.categories.through(service=service, category=new)])
    assert [c["slug"] for c in search_api_rows([(service.pk, 0.0)])[0]["categories"]] == [
        "washing",
        "dressing",
        "bathing",
    ]


def test_service_search_api_answer_has_the_keys_its_schema_documents(client, glasgow):
    schema = client.get(reverse("api-schema"), {"format": "json"}).json()
    ref = schema["paths"][URL]["get"]["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    documented = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]
    assert set(client.get(URL, {"postcode": "G12 8QQ"}).json()) == set(documented)


@pytest.mark.parametrize(
    "query",
    [
        "postcode=G12+8QQ",
        "postcode=g128qq&radius_miles=25",
        "postcode=%20G12%208QQ%20&radius_miles=0.1",
        "postcode=G12 8QQ&radius_miles=50&ordering=rating&page=3&page_size=100",
        "postcode=G12 8QQ&ordering=name&page=1",
        "postcode=G12 8QQ&ordering=price&page_size=7",
        "postcode=G12 8QQ&radius_miles=7.125",
    ],
)
def test_common_search_query_reads_common_queries_as_the_serializer_does(query):
    from django.http import QueryDict

    from directory.search.api import ServiceSearchApi, common_search_query

    serializer = ServiceSearchApi.InputSerializer(data=QueryDict(query))
    assert serializer.is_valid(), serializer.errors
    assert common_search_query(QueryDict(query)) == dict(serializer.validated_data)


@pytest.mark.parametrize(
    "query",
    [
        # Not the common query, or not valid: the serializer decides (and words the error).
        "postcode=G12 8QC",
        "postcode=",
        "postcode=G12 8QQ&radius_miles=0.05",
        "postcode=G12 8QQ&radius_miles=50.001",
        "postcode=G12 8QQ&radius_miles=1e1",
        "postcode=G12 8QQ&radius_miles=nan",
        "postcode=G12 8QQ&radius_miles=",
        "postcode=G12 8QQ&ordering=",
        "postcode=G12 8QQ&ordering=nearest",
        "postcode=G12 8QQ&page=0",
        "postcode=G12 8QQ&page=-1",
        "postcode=G12 8QQ&page=1.5",
        "postcode=G12 8QQ&page_size=101",
        "postcode=G12 8QQ&page_size=0",
        "postcode=G12 8QQ&postcode=G1 1AA",
        "postcode=G12 8QQ&category=personal-care",
        "postcode=G12 8QQ&vetted=true",
        "postcode=G12 8QQ&lat=55.8",
        "postcode=G12%208QQ%20%20%20%20%20%20%20%20%20%20%20%20",
        "radius_miles=5",
        "",
    ],
)
def test_common_search_query_leaves_the_rest_to_the_serializer(query):
    from django.http import QueryDict

    from directory.search.api import ServiceSearchApi, common_search_query

    params = QueryDict(query)
    serializer = ServiceSearchApi.InputSerializer(data=params)
    fast = common_search_query(params)
    if serializer.is_valid():
        # The fast reading may decline a valid query (the serializer then reads it), never differ.
        assert fast is None or fast == dict(serializer.validated_data)
    else:
        assert fast is None, serializer.errors


def test_common_search_query_reads_the_queries_people_send():
    from django.http import QueryDict

    from directory.search.api import common_search_query

    assert common_search_query(QueryDict("postcode=g128qq&radius_miles=25&page=2")) == {
        "postcode": "G12 8QQ",
        "radius_miles": 25.0,
        "page": 2,
        "category": [],
        "client_group": [],
        "vetted": None,
        "ordering": "distance",
    }


@pytest.mark.parametrize("query", [{}, {"postcode": "G12 8QQ"}, {"postcode": "G12 8QQ", "ordering": "name"}])
def test_service_search_api_answers_an_enormous_page_number_with_a_404(client, glasgow, query):
    make_service(name="Only", latitude=G12_8QQ[0], longitude=G12_8QQ[1])
    response = client.get(URL, query | {"page": "22062506532701554606080"})  # found by drill 6's fuzzing
    assert response.status_code == 404


def test_a_search_leaves_its_answer_to_be_freed_with_its_response_not_in_reference_cycles(glasgow):
    """carehub.api.FreedWhenRendered: the view, DRF's request and response and the page of results
    are freed by reference counting as the response is, not left for the cyclic garbage collector."""
    for i in range(3):
        make_service(name=f"Near {i}", latitude=G12_8QQ[0], longitude=G12_8QQ[1])
    status, body, garbage = request_garbage(URL, {"postcode": "G12 8QQ"})
    assert status.startswith("200") and json.loads(body)["count"] == 3
    assert not [o for o in garbage if isinstance(o, (Response, Request, ServiceSearchApi))]
    assert not [o for o in garbage if isinstance(o, dict) and "distance_miles" in o]  # a result row
