"""The ORUK read endpoints: open to everyone, CORS on every answer, responses valid against the
standard's own schemas, the mapping of CareHub's facts, filters, paging and 400s for bad input."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from rest_framework.throttling import SimpleRateThrottle

from accounts.tests.factories import make_user
from carehub import clock
from directory.models import Service
from directory.oruk import mapping
from directory.oruk.taxonomy import TAXONOMIES, category_term_id, client_group_term_id
from directory.oruk.tests.conftest import STUB
from directory.tests.factories import category, make_provider, make_service


def get(client, path: str, **params):
    return client.get(f"{STUB}{path}", params)


def _endpoints(world) -> list[str]:
    sal = mapping.service_at_location_id(world.home_care)
    return [
        "/",
        "/services",
        f"/services/{world.home_care.code}",
        "/service_at_locations",
        f"/service_at_locations/{sal}",
        "/taxonomies",
        f"/taxonomies/{TAXONOMIES['categories'].id}",
        "/taxonomy_terms",
        f"/taxonomy_terms/{category_term_id('personal-care')}",
    ]


# --- openness -----------------------------------------------------------------------------


def test_oruk_every_endpoint_is_open_without_keys_and_allows_any_origin(client, world):
    for path in _endpoints(world):
        response = get(client, path)
        assert response.status_code == 200, path
        assert response["Access-Control-Allow-Origin"] == "*", path
        assert response["Content-Type"] == "application/json", path


def test_oruk_answers_a_signed_in_outsider_exactly_as_anyone(client, world):
    anonymous = [get(client, path).json() for path in _endpoints(world)]
    client.force_login(make_user())
    assert [get(client, path).json() for path in _endpoints(world)] == anonymous


def test_oruk_refuses_writes_and_unknown_paths_with_cors(client, world):
    response = client.post(f"{STUB}/services", {"name": "x"})
    assert response.status_code == 405
    assert response["Access-Control-Allow-Origin"] == "*"
    response = get(client, "/organizations/nope/deeper")
    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response.json()["detail"]


def test_oruk_is_throttled_per_ip_address(client, world, monkeypatch):
    monkeypatch.setitem(SimpleRateThrottle.THROTTLE_RATES, "oruk", "2/minute")
    assert [get(client, "/services").status_code for _ in range(3)] == [200, 200, 429]
    limited = get(client, "/taxonomies")
    assert limited.status_code == 429
    assert limited["Access-Control-Allow-Origin"] == "*"


def test_oruk_root_names_the_version_and_profile(client, world, validate):
    body = get(client, "/").json()
    validate("/", body)
    assert body["version"] == "3.0"
    assert body["openapi_url"].startswith("https://")


# --- services ----------------------------------------------------------------------------


def test_oruk_service_list_is_a_valid_page_of_published_services(client, world, validate):
    body = get(client, "/services").json()
    validate("/services", body, compiled="service_list")
    assert {k: body[k] for k in ("total_items", "total_pages", "page_number", "size")} == {
        "total_items": 3,
        "total_pages": 1,
        "page_number": 1,
        "size": 3,
    }
    assert (body["first_page"], body["last_page"], body["empty"]) == (True, True, False)
    names = [s["name"] for s in body["contents"]]
    assert names == ["Kelvin Care at Home", "Hillhead Day Centre", "Carers' Phone Line"]  # oldest first
    assert "Unpublished draft" not in names and "Suspended listing" not in names
    first = body["contents"][0]
    assert first["id"] == str(world.home_care.code)
    assert first["status"] == "active"
    assert first["organization"] == {
        "id": str(world.provider.code),
        "name": "Kelvin Companions",
        "description": "Care at home in the West End.",
        "email": "hello@kelvin.example",
        "website": "https://kelvin.example",
    }
    assert first["organization_id"] == str(world.provider.code)


def test_oruk_service_detail_maps_what_carehub_knows(client, world, validate, time_machine):
    time_machine.move_to(datetime(2026, 6, 1, 12, tzinfo=UTC))
    body = get(client, f"/services/{world.home_care.code}").json()
    validate("/services/{id}", body, compiled="service")
    code = str(world.home_care.code)
    assert body["id"] == code
    assert body["assured_date"] == "2026-05-04"
    assert body["phones"] == [{"id": mapping.derived_id(world.home_care.code, "phone"), "service_id": code,
                               "number": "0141 496 0000"}]  # fmt: skip
    assert body["organization"]["organization_identifiers"][0]["identifier"] == "SP2003000001"
    [schedule] = body["schedules"]
    assert {k: schedule[k] for k in ("freq", "byday", "opens_at", "closes_at")} == {
        "freq": "WEEKLY",
        "byday": "MO",
        "opens_at": "08:00",
        "closes_at": "20:00",
    }
    [area] = body["service_areas"]
    assert area["carehub_radius_miles"] == 10.0
    assert area["name"] == "Within 10 miles of G12 8QQ"
    [cost] = body["cost_options"]
    assert (cost["amount"], cost["amount_description"]) == (24.5, "per hour")
    terms = {a["taxonomy_term"]["term"]: a for a in body["attributes"]}
    assert set(terms) == {"personal-care", "older-people"}
    assert terms["personal-care"]["taxonomy_term_id"] == category_term_id("personal-care")
    assert terms["personal-care"]["taxonomy_term"]["parent_id"] == category_term_id("help-at-home")
    assert terms["older-people"]["link_type"] == "client_group"
    [sal] = body["service_at_locations"]
    assert sal["id"] == mapping.service_at_location_id(world.home_care)
    [address] = sal["location"]["addresses"]
    assert (address["address_1"], address["address_2"], address["postal_code"], address["country"]) == (
        "1 Byres Road",
        "Second floor",
        "G12 8QQ",
        "GB",
    )
    assert sal["location"]["latitude"] == pytest.approx(55.871751)
    # CareHub's own facts, as clearly named local properties
    assert body["carehub_regulator"]["registration_number"] == "CS2003000001"
    assert [g["grade"] for g in body["carehub_regulator"]["grades"]] == [5, 4]
    assert body["carehub_rating"] == {"average": 4.67, "count": 3, "score": 4.1}
    assert body["carehub_vetting"]["vetted"] is True
    assert body["carehub_delivery"] == {"at_location": False, "at_home": True, "remotely": False}
    assert body["carehub_price"] == {"pence": 2450, "unit": "hour", "on_request": False}
    assert body["carehub_url"] == f"http://testserver/services/{code}/"


def test_oruk_service_detail_of_a_service_without_location_or_price(client, world, validate):
    body = get(client, f"/services/{world.remote.code}").json()
    validate("/services/{id}", body, compiled="service")
    assert body["service_at_locations"] == [] and body["service_areas"] == []
    day_centre = get(client, f"/services/{world.day_centre.code}").json()
    assert day_centre["cost_options"][0]["option"] == "Price on request"
    assert "amount" not in day_centre["cost_options"][0]
    assert [s["byday"] for s in day_centre["schedules"]] == ["MO", "WE"]


@pytest.mark.parametrize("which", ["draft", "suspended"])
def test_oruk_service_detail_is_404_for_unpublished_listings(client, world, which):
    response = get(client, f"/services/{getattr(world, which).code}")
    assert response.status_code == 404
    assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("bad_id", [str(uuid.UUID(int=7)), "not-a-uuid", "1 OR 1=1"])
def test_oruk_detail_endpoints_are_404_for_unknown_ids(client, world, bad_id):
    for path in ("services", "service_at_locations", "taxonomies", "taxonomy_terms"):
        assert get(client, f"/{path}/{bad_id}").status_code == 404


def test_oruk_ids_are_stable(world):
    # Derived from CareHub's codes and slugs: the same record keeps its id across releases.
    assert category_term_id("personal-care") == "f64b944d-7489-5705-8fa8-9cde2cb03d37"
    assert TAXONOMIES["categories"].id == "d20c4ad6-2418-5a73-96e4-b985fda7ac96"
    fixed = Service(code=uuid.UUID("0d3f1c52-6a8e-4c4b-9b1e-2f6c7d8e9a01"))
    assert mapping.service_at_location_id(fixed) == "22abac94-770d-4211-9032-db7b1d57395f"
    assert mapping.location_id(fixed) == "67222005-f86a-47c4-98bf-721a9d15bef0"
    assert mapping.service_code_from_service_at_location_id(uuid.UUID(mapping.service_at_location_id(fixed))) == (
        fixed.code
    )
    assert uuid.UUID(mapping.location_id(fixed)).version == 4  # still shaped like the code it came from


# --- service_at_locations -----------------------------------------------------------------


def test_oruk_service_at_location_list_has_one_per_located_service(client, world, validate):
    body = get(client, "/service_at_locations").json()
    validate("/service_at_locations", body, compiled="service_at_location_list")
    assert [item["service"]["name"] for item in body["contents"]] == ["Kelvin Care at Home", "Hillhead Day Centre"]
    item = body["contents"][0]
    assert item["service_id"] == item["service"]["id"] == str(world.home_care.code)
    assert item["location"]["id"] == item["location_id"] == mapping.location_id(world.home_care)


def test_oruk_service_at_location_detail_is_valid_as_both_schemas(client, world, validate, oruk_spec):
    sal_id = mapping.service_at_location_id(world.day_centre)
    body = get(client, f"/service_at_locations/{sal_id}").json()
    validate("/service_at_locations/{id}", body, compiled="service_at_location")
    validate("/service_at_locations/{id}", body, compiled="service")
    assert body["id"] == sal_id
    assert body["service"]["id"] == str(world.day_centre.code)
    assert body["location"]["addresses"][0]["address_1"] == "20 Great George Street"
    assert get(client, f"/service_at_locations/{mapping.service_at_location_id(world.remote)}").status_code == 404


# --- taxonomies -----------------------------------------------------------------------------


def test_oruk_taxonomies_and_terms_are_valid_and_stable(client, world, validate):
    taxonomies = get(client, "/taxonomies").json()
    validate("/taxonomies", taxonomies)
    assert [t["name"] for t in taxonomies["contents"]] == ["CareHub service categories", "CareHub client groups"]
    detail = get(client, f"/taxonomies/{TAXONOMIES['client_groups'].id}").json()
    validate("/taxonomies/{id}", detail)
    assert client_group_term_id("carers") in {t["id"] for t in detail["taxonomy_terms"]}
    terms = get(client, "/taxonomy_terms", per_page=100).json()
    validate("/taxonomy_terms", terms)
    by_term = {t["term"]: t for t in terms["contents"]}
    assert by_term["day-centres"]["parent_id"] == by_term["day-services"]["id"]
    assert "parent_id" not in by_term["day-services"]
    assert by_term["day-centres"]["id"] == category_term_id("day-centres")
    term = get(client, f"/taxonomy_terms/{category_term_id('day-centres')}").json()
    validate("/taxonomy_terms/{id}", term)
    assert term["name"] == "Day centres"


# --- filters and paging ------------------------------------------------------------------------


def _names(client, path: str = "/services", **params) -> list[str]:
    response = get(client, path, **params)
    assert response.status_code == 200, response.json()
    return [item.get("name") or item["service"]["name"] for item in response.json()["contents"]]


def test_oruk_filters_by_text_and_taxonomy(client, world):
    assert _names(client, search="day centre") == ["Hillhead Day Centre"]
    assert _names(client, search="kelvin companions") == ["Kelvin Care at Home"]  # the organisation's name
    # a top-level category matches its subcategories
    assert _names(client, taxonomy_term_id=category_term_id("day-services")) == ["Hillhead Day Centre"]
    assert _names(client, taxonomy_term_id=client_group_term_id("older-people")) == ["Kelvin Care at Home"]
    assert _names(client, taxonomy_term_id=str(uuid.UUID(int=1))) == []
    assert _names(client, taxonomy_id=TAXONOMIES["client_groups"].id) == ["Kelvin Care at Home"]
    assert _names(client, organization_id=str(world.provider.code)) == ["Kelvin Care at Home"]


def test_oruk_filters_by_day_and_opening_hours(client, world):
    assert _names(client, day="WE") == ["Hillhead Day Centre"]
    assert _names(client, day="monday") == ["Kelvin Care at Home", "Hillhead Day Centre"]
    # one window must satisfy every condition: the day centre's Monday opens at 9, not by 8
    assert _names(client, day="MO", start_time="08:00", end_time="16:30") == ["Hillhead Day Centre"]
    assert _names(client, start_time="10:00") == ["Hillhead Day Centre"]


def test_oruk_filters_by_modified_after(client, world, time_machine):
    # Ten days after the world was made (whatever instant the suite starts at), only the day
    # centre changes.
    edited = (clock.now() + timedelta(days=10)).astimezone(UTC).replace(microsecond=0)
    time_machine.move_to(edited)
    world.day_centre.save()

    def stamp(at: datetime) -> str:
        return at.strftime("%Y-%m-%dT%H:%M:%SZ")

    assert _names(client, modified_after=stamp(edited - timedelta(hours=1))) == ["Hillhead Day Centre"]
    assert _names(client, modified_after=stamp(edited + timedelta(hours=1))) == []


def test_oruk_postcode_and_proximity_find_nearby_services_nearest_first(client, world):
    far = make_service(name="Edinburgh service", latitude=55.9533, longitude=-3.1883, postcode="EH1 1YZ")
    assert far.pk
    # 1.2 miles away: within 2,000 m, not within 1,000 m
    assert _names(client, "/service_at_locations", postcode="G12 8QQ", proximity="2000") == [
        "Kelvin Care at Home",
        "Hillhead Day Centre",
    ]
    assert _names(client, "/service_at_locations", postcode="g128qq", proximity=1000) == ["Kelvin Care at Home"]
    body = get(client, "/service_at_locations", postcode="G12 8QQ", proximity=2000).json()
    assert body["contents"][1]["service"]["carehub_distance"]["miles"] == pytest.approx(1.20, abs=0.01)
    # Edinburgh is 42 miles away: only a home-care service reaching that far would be listed
    assert _names(client, "/service_at_locations", postcode="EH1 1YZ") == ["Edinburgh service"]


def test_oruk_postcode_alone_includes_home_care_that_reaches_it(client, world):
    provider = make_provider()
    make_service(
        provider=provider,
        name="Wide-ranging home care",
        latitude=55.9533 - 0.15,  # about 10 miles south of EH1 1YZ
        longitude=-3.1883,
        delivered_at_home=True,
        service_radius_miles=15,
    )
    make_service(name="Short-range home care", latitude=55.9533 - 0.15, longitude=-3.1883, delivered_at_home=True,
                 service_radius_miles=3)  # fmt: skip
    assert _names(client, postcode="EH1 1YZ") == ["Wide-ranging home care"]


def test_oruk_paging_header_and_a_page_past_the_end(client, world, validate):
    body = get(client, "/services", per_page=2, page=2).json()
    validate("/services", body, compiled="service_list")
    assert (body["total_items"], body["total_pages"], body["page_number"], body["size"]) == (3, 2, 2, 1)
    assert (body["first_page"], body["last_page"], body["empty"]) == (False, True, False)
    past = get(client, "/services", per_page=2, page=9).json()
    assert (past["contents"], past["empty"], past["last_page"], past["total_items"]) == ([], True, True, 3)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"page": "0"}, "page"),
        ({"page": "two"}, "page"),
        ({"per_page": "101"}, "per_page"),
        ({"per_page": "-1"}, "per_page"),
        ({"day": "someday"}, "day"),
        ({"start_time": "25:00"}, "start_time"),
        ({"start_time": "12:00", "end_time": "09:00"}, "end_time"),
        ({"minimum_age": "old"}, "minimum_age"),
        ({"minimum_age": "NaN"}, "minimum_age"),
        ({"minimum_age": "40", "maximum_age": "18"}, "maximum_age"),
        ({"modified_after": "yesterday"}, "modified_after"),
        ({"modified_after": "9999-12-31T23:59:59"}, "modified_after"),
        ({"organization_id": "acme"}, "organization_id"),
        ({"postcode": "NOT A POSTCODE"}, "postcode"),
        ({"postcode": "ZE9 9ZZ"}, "postcode"),  # well formed, unknown even by district
        ({"proximity": "500"}, "proximity"),
        ({"postcode": "G12 8QQ", "proximity": "far"}, "proximity"),
        ({"postcode": "G12 8QQ", "proximity": "0"}, "proximity"),
        ({"search": "x" * 201}, "search"),
    ],
)
def test_oruk_bad_input_is_a_400_with_field_errors(client, world, params, field):
    for path in ("/services", "/service_at_locations"):
        response = get(client, path, **params)
        assert response.status_code == 400, (path, params)
        assert field in response.json(), response.json()
        assert response["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("path", ["/taxonomies", "/taxonomy_terms"])
def test_oruk_taxonomy_lists_refuse_bad_paging(client, world, path):
    assert get(client, path, page="x").status_code == 400


def test_oruk_ages_are_checked_but_do_not_narrow(client, world):
    # CareHub records no age ranges (docs/adr/0010).
    assert len(_names(client, minimum_age=18, maximum_age=65)) == 3


# --- cache and queries ----------------------------------------------------------------------


def test_oruk_answers_are_cached_until_a_listing_changes(client, world, django_assert_num_queries, settings):
    settings.SEARCH_CACHE_SECONDS = 60
    get(client, "/services")
    with django_assert_num_queries(0):
        assert get(client, "/services").status_code == 200
    with django_assert_num_queries(2):  # another page: the count is cached apart from the page
        assert get(client, "/services", page=2, per_page=2).json()["total_items"] == 3
    world.home_care.name = "Renamed"
    world.home_care.save()
    assert "Renamed" in _names(client)


def test_oruk_list_queries_do_not_grow_with_the_page(client, world, django_assert_max_num_queries, settings):
    settings.SEARCH_CACHE_SECONDS = 0
    for n in range(30):
        make_service(name=f"Extra {n}", categories=[category("befriending")])
    with django_assert_max_num_queries(3):  # count, the page's ids, their rows
        assert len(get(client, "/services", per_page=40).json()["contents"]) == 33
    with django_assert_max_num_queries(3):
        get(client, "/service_at_locations", per_page=40)
    with django_assert_max_num_queries(6):  # service + categories, client groups, windows + confirmation
        get(client, f"/services/{world.home_care.code}")
