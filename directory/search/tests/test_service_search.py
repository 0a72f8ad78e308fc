"""Radius search against a brute-force great-circle computation (geopy) over the same points."""

import math
import random

import pytest
from geopy.distance import great_circle

from directory.models import Service
from directory.search.selectors import Origin, search_origin, service_search
from directory.tests.factories import category, client_group, make_council, make_postcode, make_provider, make_service

ORIGINS = {
    "glasgow": Origin(55.871751, -4.28836, "G12 8QQ", "unit"),
    "greenwich": Origin(51.4769, 0.0),  # on the 0° meridian: the box spans negative and positive longitudes
    "lerwick": Origin(60.1546, -1.1494),  # Shetland: degrees of longitude are short this far north
    "st-marys": Origin(49.9146, -6.3153),  # Isles of Scilly, 28 miles out to sea from Penzance
}


def scatter(origin: Origin, rng: random.Random, n: int, max_miles: float) -> list[tuple[float, float]]:
    points = []
    for _ in range(n):
        p = great_circle(miles=rng.uniform(0, max_miles)).destination(
            (origin.latitude, origin.longitude), rng.uniform(0, 360)
        )
        points.append((p.latitude, p.longitude))
    return points


@pytest.fixture
def world(db):
    rng = random.Random(20260531)
    services = []
    for name, origin in ORIGINS.items():
        services.append(make_service(name=f"{name} centre", latitude=origin.latitude, longitude=origin.longitude))
        for i, (lat, lng) in enumerate(scatter(origin, rng, 40, 60)):
            services.append(make_service(name=f"{name} {i:02d}", latitude=lat, longitude=lng))
    # Penzance: just under 28 miles from St Mary's; Unst, the far north of Shetland.
    services.append(make_service(name="Penzance", latitude=50.1186, longitude=-5.5375))
    services.append(make_service(name="Unst", latitude=60.7565, longitude=-0.8830))
    make_service(name="No location", latitude=None, longitude=None, postcode="")
    return services


def brute_force(services, origin, radius_miles):
    found = []
    for s in services:
        miles = great_circle((origin.latitude, origin.longitude), (s.latitude, s.longitude)).miles
        if miles <= radius_miles:
            found.append((s.name, miles))
    return sorted(found, key=lambda pair: pair[1])


@pytest.mark.parametrize("origin_name", list(ORIGINS))
@pytest.mark.parametrize("radius", [1, 5, 10, 25, 50])
def test_service_search_matches_geopy_great_circle_brute_force(world, origin_name, radius):
    origin = ORIGINS[origin_name]
    expected = brute_force(world, origin, radius)
    results = list(service_search(origin=origin, radius_miles=radius))
    assert expected  # every origin has a service at its centre
    assert [s.name for s in results] == [name for name, _ in expected]
    for service, (_, miles) in zip(results, expected, strict=True):
        assert service.distance_miles == pytest.approx(miles, abs=1e-6)
        assert service.distance_km == pytest.approx(miles * 1.609344, abs=1e-6)


def test_service_search_radius_boundary_is_inclusive_to_the_metre(db):
    origin = ORIGINS["glasgow"]
    for bearing in (0, 90, 180, 270, 45):
        for miles, name in ((4.999, "inside"), (5.001, "outside")):
            p = great_circle(miles=miles).destination((origin.latitude, origin.longitude), bearing)
            make_service(name=f"{name} {bearing}", latitude=p.latitude, longitude=p.longitude)
    names = {s.name for s in service_search(origin=origin, radius_miles=5)}
    assert names == {f"inside {b}" for b in (0, 90, 180, 270, 45)}


def test_service_search_crosses_the_greenwich_meridian(db):
    make_service(name="West of 0°", latitude=51.4769, longitude=-0.01)
    make_service(name="East of 0°", latitude=51.4769, longitude=0.01)
    names = [s.name for s in service_search(origin=ORIGINS["greenwich"], radius_miles=1)]
    assert sorted(names) == ["East of 0°", "West of 0°"]


def test_service_search_reaches_scilly_from_penzance_only_when_the_radius_covers_the_sea(db):
    make_service(name="St Mary's", latitude=49.9146, longitude=-6.3153)
    penzance = Origin(50.1186, -5.5375)
    miles = great_circle((49.9146, -6.3153), (50.1186, -5.5375)).miles
    assert 35 < miles < 40
    assert list(service_search(origin=penzance, radius_miles=35)) == []
    [found] = service_search(origin=penzance, radius_miles=40)
    assert found.distance_miles == pytest.approx(miles, abs=1e-6)


def test_service_search_never_returns_services_without_a_location(world):
    for origin in ORIGINS.values():
        assert "No location" not in {s.name for s in service_search(origin=origin, radius_miles=50)}
    # Without an origin (browse everything) the service is listed.
    assert "No location" in {s.name for s in service_search()}


def test_service_search_lists_published_services_only(db):
    origin = ORIGINS["glasgow"]
    for status in Service.Status:
        make_service(name=status.value, status=status, latitude=origin.latitude, longitude=origin.longitude)
    assert [s.name for s in service_search(origin=origin)] == ["published"]


def test_service_search_falls_back_to_the_sector_when_the_unit_is_missing(db):
    make_postcode("G12 8", 55.875097, -4.287462)
    origin = search_origin(postcode="G12 8ZZ")
    assert (origin.postcode, origin.precision) == ("G12 8ZZ", "sector")
    make_service(name="Near", latitude=55.8733, longitude=-4.2923)
    [service] = service_search(origin=origin, radius_miles=1)
    assert service.distance_miles == pytest.approx(
        great_circle((55.875097, -4.287462), (55.8733, -4.2923)).miles, abs=1e-6
    )


def test_service_search_at_home_keeps_only_services_whose_radius_covers_the_point(db):
    origin = ORIGINS["glasgow"]
    four_miles = great_circle(miles=4).destination((origin.latitude, origin.longitude), 90)
    common = {
        "latitude": four_miles.latitude,
        "longitude": four_miles.longitude,
        "delivered_at_home": True,
        "delivered_at_location": False,
    }
    make_service(name="Covers 5", service_radius_miles=5, **common)
    make_service(name="Covers 3", service_radius_miles=3, **common)
    make_service(name="No radius", service_radius_miles=None, **common)
    make_service(name="Premises only", delivered_at_home=False, latitude=origin.latitude, longitude=origin.longitude)
    make_service(name="Online", delivered_remotely=True, delivered_at_location=False, latitude=55.87, longitude=-4.29)
    assert [s.name for s in service_search(origin=origin, delivery="at_home")] == ["Covers 5"]
    assert [s.name for s in service_search(origin=origin, delivery="at_location")] == ["Premises only"]
    assert [s.name for s in service_search(origin=origin, delivery="remotely")] == ["Online"]


def test_service_search_filters_by_category_including_subcategories(db):
    origin = ORIGINS["glasgow"]
    here = {"latitude": origin.latitude, "longitude": origin.longitude}
    make_service(name="Care home", categories=[category("care-homes")], **here)
    make_service(name="Dementia home", categories=[category("dementia-care-homes")], **here)
    make_service(name="Day centre", categories=[category("day-centres")], **here)
    make_service(name="Both", categories=[category("care-homes"), category("day-centres")], **here)
    found = [s.name for s in service_search(origin=origin, categories=["care-homes"], ordering="name")]
    assert found == ["Both", "Care home", "Dementia home"]
    found = [s.name for s in service_search(origin=origin, categories=["care-homes", "day-services"], ordering="name")]
    assert found == ["Both", "Care home", "Day centre", "Dementia home"]  # each once


def test_service_search_filters_by_client_group_council_price_and_text(db):
    origin = ORIGINS["glasgow"]
    here = {"latitude": origin.latitude, "longitude": origin.longitude}
    glasgow = make_council(name="Glasgow City", gss_code="S12000049", slug="glasgow-city")
    make_service(name="Older", client_groups=[client_group("older-people")], council=glasgow, price_pence=1800, **here)
    make_service(name="Young", client_groups=[client_group("children-and-young-people")], price_pence=2600, **here)
    make_service(name="Ask", price_pence=None, price_on_request=True, description="Lunch club", **here)
    make_service(name="Garden", provider=make_provider(name="Green Fingers"), price_pence=2500, **here)

    def names(**kw):
        return sorted(s.name for s in service_search(origin=origin, **kw))

    assert names(client_groups=["older-people"]) == ["Older"]
    assert names(council="glasgow-city") == ["Older"]
    assert names(council="s12000049") == ["Older"]
    assert names(max_price_pence=2500) == ["Garden", "Older"]
    assert names(q="lunch") == ["Ask"]
    assert names(q="green") == ["Garden"]
    assert names(q="YOUNG") == ["Young"]


def test_service_search_orders_by_distance_name_or_price(db):
    origin = ORIGINS["glasgow"]
    for name, miles, price in (("Bravo", 3, 900), ("Alpha", 2, None), ("Charlie", 1, 1500)):
        p = great_circle(miles=miles).destination((origin.latitude, origin.longitude), 0)
        make_service(name=name, latitude=p.latitude, longitude=p.longitude, price_pence=price)
    assert [s.name for s in service_search(origin=origin)] == ["Charlie", "Alpha", "Bravo"]
    assert [s.name for s in service_search(origin=origin, ordering="name")] == ["Alpha", "Bravo", "Charlie"]
    # Cheapest first; services without a price last.
    assert [s.name for s in service_search(origin=origin, ordering="price")] == ["Bravo", "Charlie", "Alpha"]


def test_search_bands_are_the_databases_own_bands_of_the_box_and_no_more(db):
    # Every latitude's band as the database casts it (the index's expression) lies in the bands
    # worked out for any box around it, and a box of one latitude has one band: halves (where
    # PostgreSQL rounds to even and SQLite truncates), a hair either side of them and of whole
    # bands, and negative latitudes (where truncating and flooring differ).
    from django.db import connection

    from directory.models.listings import LATITUDE_BANDS_PER_DEGREE as N
    from directory.search.selectors import _bands

    rng = random.Random(13)
    latitudes = [-0.01, -0.03, -33.87, 0.0]
    for k in (2750, 2751, 2792, 3007, -5):
        for edge in (k, k + 0.5):
            x = edge / N
            latitudes += [x, math.nextafter(x, math.inf), math.nextafter(x, -math.inf)]
    latitudes += [rng.uniform(49.8, 60.9) for _ in range(200)]
    with connection.cursor() as cursor:
        for x in latitudes:
            cursor.execute(f"SELECT CAST((CAST(%s AS double precision) * {N}) AS integer)", [x])
            band = cursor.fetchone()[0]
            assert _bands(x, x) == [band], x
            low, high = x - rng.uniform(0, 0.2), x + rng.uniform(0, 0.2)
            assert band in _bands(low, high), (x, low, high)
            assert len(_bands(low, high)) <= math.ceil((high - low) * N) + 1
