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


def _band_of(latitude: float) -> int:
    from directory.models.listings import LATITUDE_BANDS_PER_DEGREE as N

    return round(latitude * N)  # PostgreSQL's cast, half to even, as Python's round


@pytest.mark.parametrize("origin_name", list(ORIGINS))
@pytest.mark.parametrize("miles", [0.1, 1, 5, 25, 50])
def test_band_ranges_hold_the_circle_and_their_inner_ranges_only_the_circle(origin_name, miles):
    # PostgreSQL counts a search's circle band by band (_band_ranges): every point of the circle
    # must lie in its band's outer range, and every point of a band's inner range in the circle
    # (it is counted without its distance). Points on the circle itself at every bearing (the
    # widest latitude, the tips, band edges), points just inside, and points on the inner ranges'
    # own corners: a band's edges and its inner range's ends.
    from directory.models.listings import LATITUDE_BANDS_PER_DEGREE as N
    from directory.search.selectors import KM_PER_MILE, _band_ranges, great_circle_km

    origin = ORIGINS[origin_name]
    radius_km = miles * KM_PER_MILE
    ranges = _band_ranges(origin, radius_km)
    count = len(ranges.outer_low)
    assert len(ranges.outer_high) == len(ranges.inner_low) == len(ranges.inner_high) == count
    rng = random.Random(f"{origin_name}{miles}")
    points = []
    for step in range(3600):
        for share in (1.0, 1 - 1e-12, rng.random()):
            p = great_circle(kilometers=radius_km * share).destination((origin.latitude, origin.longitude), step / 10)
            points.append((p.latitude, p.longitude))
    inside = [
        (lat, lng) for lat, lng in points if great_circle_km(origin.latitude, origin.longitude, lat, lng) <= radius_km
    ]
    assert len(inside) > 7000
    for lat, lng in inside:
        k = _band_of(lat) - ranges.first
        assert 0 <= k < count, (lat, lng)
        assert ranges.outer_low[k] <= lng <= ranges.outer_high[k], (lat, lng)
    inner = 0
    for k in range(count):
        low, high = ranges.inner_low[k], ranges.inner_high[k]
        if low > high:
            continue
        inner += 1
        band = ranges.first + k
        for lat in ((band - 0.5) / N, (band + 0.5) / N, band / N, (band + rng.uniform(-0.5, 0.5)) / N):
            if _band_of(lat) != band:  # an edge rounded to the other band
                continue
            for lng in (low, high, rng.uniform(low, high)):
                assert great_circle_km(origin.latitude, origin.longitude, lat, lng) <= radius_km, (lat, lng)
    # Only the few bands at the circle's tips, which reach beyond it, have no inner range.
    if miles >= 1:
        assert inner >= count - 4


def test_search_counts_services_on_the_edges_of_the_bands_ranges(db):
    # Services on the circle's edge, where it is widest, at its tips, on the bands' edges and on
    # each band's inner range's ends: the count is service_search's.
    from directory.models.listings import LATITUDE_BANDS_PER_DEGREE as N
    from directory.search.selectors import KM_PER_MILE, _band_ranges, service_search_results

    origin = ORIGINS["glasgow"]
    radius_km = 5 * KM_PER_MILE
    ranges = _band_ranges(origin, radius_km)
    for bearing in range(0, 360, 15):
        for share in (1.0, 1 - 1e-9, 1 + 1e-9):
            p = great_circle(kilometers=radius_km * share).destination((origin.latitude, origin.longitude), bearing)
            make_service(name=f"Edge {bearing} {share}", latitude=p.latitude, longitude=p.longitude)
    for k in range(len(ranges.outer_low)):
        band = ranges.first + k
        for lat in (band / N, (band - 0.5) / N, (band + 0.5) / N):
            for lng in (ranges.inner_low[k], ranges.inner_high[k], ranges.outer_low[k], ranges.outer_high[k]):
                make_service(name=f"Band {band}", latitude=lat, longitude=lng)
    expected = service_search(origin=origin, radius_miles=5).count()
    assert 0 < expected < Service.objects.count()
    assert service_search_results(origin=origin, radius_miles=5).count() == expected


def test_search_count_reads_the_count_index_on_postgresql(db):
    # The count's index holds published services only: a statement that left the status to a
    # parameter (or dropped it) could not use it, and would read the larger band index or the table.
    from django.db import connection

    from directory.search.selectors import service_search_results

    if connection.vendor != "postgresql":
        pytest.skip("SQLite counts through the band index it names")
    origin = ORIGINS["glasgow"]
    provider = make_provider()
    rng = random.Random(7)
    Service.objects.bulk_create(  # a directory of a size whose statistics make indexes worth reading
        Service(
            provider=provider,
            name=f"S{i}",
            postcode="G12 8QQ",
            latitude=rng.uniform(50, 58),
            longitude=rng.uniform(-5, 1),
            status=Service.Status.PUBLISHED,
        )
        for i in range(5000)
    )
    executed = []

    def capture(execute, sql, params, many, context):
        executed.append((sql, params))
        return execute(sql, params, many, context)

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE directory_service")
    with connection.execute_wrapper(capture):
        assert service_search_results(origin=origin, radius_miles=5).count() > 0
    [(sql, params)] = [(sql, params) for sql, params in executed if sql.startswith("EXECUTE search_count")]
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "Index Only Scan using directory_service_geo_count" in plan, plan
