"""The paged search (issue 13: one SQL statement for a page and its count, rows serialised
directly) against service_search and the API's serializer: the same services, in the same
order, with the same distances, counts and JSON."""

import math
import random
import re
from datetime import UTC, datetime
from html import escape, unescape

import pytest
from django.apps import apps
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from directory.models import ProviderVetting, Registration
from directory.search.api import ServiceSearchApi
from directory.search.api_rows import search_api_rows
from directory.search.selectors import Ordering, Origin, service_search, service_search_results
from directory.search.tests.test_service_search import ORIGINS, world  # noqa: F401 (the fixture)
from directory.tests.factories import category, make_postcode, make_provider, make_service
from directory.tests.register_fixtures import make_registration

ORDERINGS = [o.value for o in Ordering]


def own_reads(queries, *models):
    """Statements that read these models' tables on their own: a deferred field loaded (a query per row)."""
    tables = [connection.ops.quote_name(model._meta.db_table) for model in models]
    return [q["sql"] for q in queries if any(f"FROM {table}" in q["sql"] for table in tables)]


def page_rows(services):
    return [(s.pk, s.name, s.distance_km, s.distance_miles, s.rating_score) for s in services]


@pytest.mark.parametrize("origin_name", list(ORIGINS))
@pytest.mark.parametrize("radius", [1, 5, 25, 50])
@pytest.mark.parametrize("ordering", ORDERINGS)
def test_service_search_results_pages_equal_service_search(world, origin_name, radius, ordering):  # noqa: F811
    origin = ORIGINS[origin_name]
    expected = list(service_search(origin=origin, radius_miles=radius, ordering=ordering))
    for size in (7, 20):
        pages = Paginator(service_search_results(origin=origin, radius_miles=radius, ordering=ordering), size)
        assert pages.count == len(expected)
        got = []
        for number in pages.page_range:
            results = service_search_results(origin=origin, radius_miles=radius, ordering=ordering)
            results.expect((number - 1) * size, size)
            got += Paginator(results, size).page(number).object_list
        assert page_rows(got) == page_rows(expected)


def test_service_search_results_ties_in_distance_break_by_name_then_id(db):
    origin = ORIGINS["glasgow"]
    for name in ["b", "a", "c", "a"]:
        make_service(name=name, latitude=origin.latitude, longitude=origin.longitude)
    expected = list(service_search(origin=origin, radius_miles=1))
    assert page_rows(service_search_results(origin=origin, radius_miles=1)[0:10]) == page_rows(expected)


def test_service_search_results_with_filters_equal_service_search(db):
    origin = ORIGINS["glasgow"]
    rng = random.Random(13)
    for i in range(30):
        make_service(
            name=f"S{i:02d}",
            latitude=origin.latitude + rng.uniform(-0.05, 0.05),
            longitude=origin.longitude + rng.uniform(-0.05, 0.05),
            price_pence=rng.choice([None, 0, 1500, 2500]),
            delivered_at_home=i % 2 == 0,
            service_radius_miles=rng.choice([None, 1, 3]),
            categories=[category("care-homes") if i % 3 else category("transport")],
        )
    for filters in (
        {"categories": ["care-homes"]},
        {"max_price_pence": 0},
        {"max_price_pence": 2000},
        {"delivery": "at_home"},
        {"q": "S1"},
    ):
        for ordering in ORDERINGS:
            expected = list(service_search(origin=origin, radius_miles=5, ordering=ordering, **filters))
            results = service_search_results(origin=origin, radius_miles=5, ordering=ordering, **filters)
            assert results.count() == len(expected)
            assert page_rows(results[0:100]) == page_rows(expected), filters


def test_service_search_results_past_the_end_still_counts(db):
    origin = ORIGINS["glasgow"]
    for i in range(3):
        make_service(name=f"S{i}", latitude=origin.latitude, longitude=origin.longitude)
    results = service_search_results(origin=origin, radius_miles=1)
    results.expect(40, 20)
    assert results.count() == 3
    assert [s.name for s in results[0:20]] == ["S0", "S1", "S2"]


def test_search_api_rows_equal_the_output_serializer(db):
    origin = ORIGINS["glasgow"]
    provider = make_provider(name="Vetted")
    ProviderVetting.objects.create(
        provider=provider,
        vetted_at=datetime(2026, 3, 1, 12, tzinfo=UTC),
        checks=[{"kind": "registration", "label": "Registration", "checked_on": "2026-03-01"}],
    )
    graded = make_service(
        name="Graded",
        provider=provider,
        latitude=origin.latitude,
        longitude=origin.longitude + 0.01,
        price_pence=2450,
        price_unit="hour",
        delivered_at_home=True,
        service_radius_miles=5,
        categories=[category("care-homes"), category("transport")],
    )
    make_registration(graded, grades={"support_wellbeing": 5, "leadership": 3}, lowest_grade=3)
    apps.get_model("reviews", "ServiceRating").objects.create(
        service=graded, review_count=3, average=4.66667, score=4.12345
    )
    make_service(name="Plain", latitude=origin.latitude, longitude=origin.longitude, price_on_request=True)
    make_service(name="No reviews yet", latitude=origin.latitude + 0.01, longitude=origin.longitude)
    apps.get_model("reviews", "ServiceRating").objects.create(
        service=make_service(name="Unrated", latitude=origin.latitude, longitude=origin.longitude - 0.02),
        review_count=0,
        average=0,
    )
    lapsed = make_provider(name="Lapsed")  # vetted once, no longer
    ProviderVetting.objects.create(
        provider=lapsed,
        vetted_at="2024-03-01T12:00:00+00:00",
        valid_until="2025-03-01",
        checks=[{"kind": "insurance", "label": "Insurance", "checked_on": "2024-03-01"}],
    )
    make_service(
        name="Lapsed care", provider=lapsed, latitude=origin.latitude, longitude=origin.longitude, price_pence=900
    )
    for ordering in ORDERINGS:
        expected = ServiceSearchApi.OutputSerializer(
            service_search(origin=origin, radius_miles=5, ordering=ordering), many=True
        ).data
        results = service_search_results(origin=origin, radius_miles=5, ordering=ordering, load=search_api_rows)
        with CaptureQueriesContext(connection) as queries:
            assert results[0:20] == [dict(row) for row in expected]
        # The rows read only the register's and vetting's columns they show, and show only those.
        assert own_reads(queries, Registration, ProviderVetting) == []


def test_search_page_lists_the_same_services_as_service_search(client, world):  # noqa: F811
    make_postcode("G12 8QQ", ORIGINS["glasgow"].latitude, ORIGINS["glasgow"].longitude)
    expected = list(service_search(origin=ORIGINS["glasgow"], radius_miles=50))
    html = client.get(reverse("directory:search"), {"postcode": "G12 8QQ", "radius_miles": 50}).content.decode()
    assert f"{len(expected)} results within 50 miles" in html
    positions = [html.index(f">{s.name}</a>") for s in expected[:20]]
    assert positions == sorted(positions)
    for s in expected[:20]:
        assert f"{s.distance_miles:.1f} miles ({s.distance_km:.1f} km)" in html


def result_rows(html, name):
    """A result's rows on the results page, as (key, value) texts."""
    start = html.index(f">{escape(name)}</a>")
    item = html[start : html.index("</li>", start)]
    row = r'<dt class="govuk-summary-list__key">(.*?)</dt><dd class="govuk-summary-list__value[^"]*">(.*?)</dd>'
    rows = re.findall(row, item)
    return {unescape(key): " ".join(unescape(re.sub(r"<[^>]+>", " ", value)).split()) for key, value in rows}


def test_search_page_rows_show_grades_ratings_and_vetting(client, db):
    origin = ORIGINS["glasgow"]
    make_postcode("G12 8QQ", origin.latitude, origin.longitude)
    here = {"latitude": origin.latitude, "longitude": origin.longitude}
    make_service(name="Plain", **here)
    unrated = make_service(name="Unrated", **here)
    apps.get_model("reviews", "ServiceRating").objects.create(service=unrated, review_count=0, average=0)
    rated = make_service(name="Rated", **here)
    apps.get_model("reviews", "ServiceRating").objects.create(service=rated, review_count=3, average=4.25)
    make_registration(
        make_service(name="Range, old", **here),
        grades={"support_wellbeing": 3, "staff_team": 5},
        graded_on="2023-05-02",  # over two years before any day this suite runs on
    )
    make_registration(make_service(name="One grade", **here), grades={"staff_team": 4}, graded_on=None)
    make_registration(make_service(name="Ungraded", **here), grades={})
    cqc = make_service(name="CQC rated", **here)
    make_registration(cqc, regulator="cqc", registration_number="1-000000001", grades={"safe": 3, "caring": 4})
    vetted = make_provider(name="Checked Ltd")
    ProviderVetting.objects.create(
        provider=vetted,
        vetted_at="2026-09-01T12:00:00+00:00",
        valid_until=None,  # no end: vetted whatever day this runs on
        checks=[
            {"kind": "insurance", "label": "Public liability insurance", "checked_on": "2026-08-30"},
            {"kind": "references", "label": "Two references", "checked_on": "2026-09-01"},
        ],
    )
    make_service(name="Vetted", provider=vetted, **here)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(reverse("directory:search"), {"postcode": "G12 8QQ"}).content.decode()
    assert own_reads(queries, Registration, ProviderVetting) == []  # no deferred column read per row

    plain = result_rows(html, "Plain")
    assert plain["Inspection grades"] == "Not registered with a regulator"
    assert plain["People's rating"] == "No reviews yet" and "Vetted" not in plain
    assert result_rows(html, "Unrated")["People's rating"] == "No reviews yet"
    assert result_rows(html, "Rated")["People's rating"] == "★★★★☆ 4.3 out of 5 stars 4.3 out of 5 (3 reviews)"
    assert result_rows(html, "Range, old")["Inspection grades"] == (
        "Care Inspectorate: 3 Adequate to 5 Very Good (2023) Over 2 years old"
    )
    assert result_rows(html, "One grade")["Inspection grades"] == "Care Inspectorate: 4 Good"
    assert result_rows(html, "Ungraded")["Inspection grades"] == "Care Inspectorate: not graded yet"
    assert result_rows(html, "CQC rated")["Inspection grades"] == "Care Quality Commission: Good to Outstanding"
    assert result_rows(html, "Vetted")["Vetted"] == (
        "Vetted on 1 September 2026 Checked: public liability insurance (30 Aug 2026), two references (1 Sep 2026)"
    )
    # Names are escaped once, wherever they appear in a result.
    make_service(name="Tom & Jerry's <care>", **here)
    html = client.get(reverse("directory:search"), {"postcode": "G12 8QQ", "q": "Jerry"}).content.decode()
    assert "Tom &amp; Jerry&#39;s &lt;care&gt;</a>" in html and "<care>" not in html
    assert ": Tom &amp; Jerry&#39;s &lt;care&gt;</span></button>" in html


@pytest.mark.parametrize("latitude", [55.86, 55.87, 0.0, -33.86])  # 55.86 and 55.87 are band edges (×50)
def test_service_search_results_find_services_on_latitude_band_edges(db, latitude):
    # The raw search reads the index by latitude band (1/50 degree, rounded by PostgreSQL and
    # truncated by SQLite): services exactly on a band's edge, at the equator and in the south
    # are found as service_search finds them.
    origin = Origin(latitude, -4.28836)
    rng = random.Random(50)
    edges = [round(latitude + k / 50, 2) for k in range(-3, 4)]
    for i, lat in enumerate(edges + [latitude + rng.uniform(-0.08, 0.08) for _ in range(30)]):
        make_service(name=f"S{i:02d}", latitude=lat, longitude=origin.longitude + rng.uniform(-0.05, 0.05))
    expected = list(service_search(origin=origin, radius_miles=10))
    assert len(expected) == 37
    assert page_rows(service_search_results(origin=origin, radius_miles=10)[0:100]) == page_rows(expected)
    # The box's own edges: a radius ending exactly on a band edge.
    for miles in (3.4548, 6.9096):
        expected = list(service_search(origin=origin, radius_miles=miles))
        assert page_rows(service_search_results(origin=origin, radius_miles=miles)[0:100]) == page_rows(expected)


@pytest.mark.parametrize("band", [2790, -1690])  # north (PostgreSQL rounds up) and south (SQLite truncates up)
def test_service_search_results_find_a_service_whose_band_rounds_past_the_box(db, band):
    from directory.search.selectors import KM_PER_MILE, bounding_box

    # A service just inside the circle's northern tip, 0.7 of the way through its band, with the
    # box's top edge further on in the same band: rounded (or, south of the equator, truncated)
    # its band is the next one, which the search must still read.
    _, top, _, _ = bounding_box(Origin(band / 50, 0.0), 10 * KM_PER_MILE)
    half_height = top - band / 50
    origin = Origin((band + 0.9) / 50 - half_height, 0.0)
    make_service(name="North tip", latitude=(band + 0.7) / 50, longitude=0.0)
    expected = list(service_search(origin=origin, radius_miles=10))
    assert [s.name for s in expected] == ["North tip"]
    assert page_rows(service_search_results(origin=origin, radius_miles=10)[0:20]) == page_rows(expected)


def place(layout: str, origin: Origin) -> None:
    """400 services within about 10 miles: spread evenly; on a ring round an almost empty middle,
    where a smaller circle holds too few; or piled on a few spots, ties in distance."""
    from geopy.distance import great_circle

    rng = random.Random(layout)
    for i in range(400):
        if layout == "even":
            miles = 10 * math.sqrt(rng.random())
        elif layout == "ring":  # a few near the middle, fewer than a page: the smaller circle falls short
            miles = rng.uniform(0, 4.5) if i < 6 else rng.uniform(8, 10.5)
        else:
            miles = rng.choice([0.5, 2, 2, 7])
        bearing = rng.uniform(0, 360) if layout != "pile" else rng.choice([0, 90, 180])
        p = great_circle(miles=miles).destination((origin.latitude, origin.longitude), bearing)
        make_service(name=f"S{rng.randrange(50):02d}", latitude=p.latitude, longitude=p.longitude)


@pytest.mark.parametrize("layout", ["even", "ring", "pile"])
def test_service_search_results_nearest_first_equal_service_search(db, layout):
    # Enough services that a page is looked for in a smaller circle than the search's (the count
    # says how dense it is): spread evenly; on a ring round an almost empty middle, where the
    # smaller circle holds too few and the whole circle is read; piled on a few spots, ties in distance.
    origin = ORIGINS["glasgow"]
    place(layout, origin)
    expected = list(service_search(origin=origin, radius_miles=10))
    for size in (7, 20):
        pages = Paginator(service_search_results(origin=origin, radius_miles=10), size)
        assert pages.count == len(expected)
        got = []
        for number in pages.page_range:
            results = service_search_results(origin=origin, radius_miles=10)
            results.expect((number - 1) * size, size)
            got += Paginator(results, size).page(number).object_list
        assert page_rows(got) == page_rows(expected)


@pytest.mark.parametrize("layout", ["even", "ring", "pile"])
@pytest.mark.parametrize("hint", [None, "learned", "far too dense", "far too sparse"])
def test_count_and_page_read_together_are_the_count_and_pages_read_apart(db, layout, hint):
    # On PostgreSQL a search whose area has a density hint (from the counts before it) reads its
    # count and its page in one statement, the page from a smaller circle sized by the hint. Right
    # or wrong, the hint changes only how far that statement looks: every page and count are
    # service_search's, and a circle that held too few is read again.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from directory.search import selectors

    origin = ORIGINS["glasgow"]
    place(layout, origin)
    expected = list(service_search(origin=origin, radius_miles=10))
    density = len(expected) / (math.pi * (10 * selectors.KM_PER_MILE) ** 2)
    hints = {None: None, "learned": density, "far too dense": density * 100, "far too sparse": density / 100}
    for size in (7, 20):
        got = []
        for number in range(1, math.ceil(len(expected) / size) + 1):
            selectors._density.clear()
            if hints[hint] is not None:
                selectors._density[selectors._density_area(origin)] = hints[hint]
            results = service_search_results(origin=origin, radius_miles=10, load=search_api_rows)
            results.expect((number - 1) * size, size)
            with CaptureQueriesContext(connection) as queries:
                page = Paginator(results, size).page(number)
                assert page.paginator.count == len(expected)
                got += page.object_list
            statements = [q for q in queries.captured_queries if q["sql"].startswith("EXECUTE search_")]
            if connection.vendor == "postgresql" and hint == "learned" and layout == "even" and number == 1:
                assert len(statements) == 1, statements  # the count and the page together
        assert [row["id"] for row in got] == [str(s.code) for s in expected]
        assert [row["distance_km"] for row in got] == [round(s.distance_km, 2) for s in expected]
