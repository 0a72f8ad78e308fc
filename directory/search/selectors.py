"""Reads for the search pages and API: the radius search and a service for its page."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.db.models import (
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
)
from django.db.models.functions import ASin, Cast, Cos, Power, Radians, Sin, Sqrt
from django.http import Http404

from carehub.errors import DomainError
from carehub.postcodes import normalise_postcode, postcode_district
from carehub.prepared import execute_prepared_sql
from directory.geo.selectors import postcode_position
from directory.models import Category, Service
from directory.models.listings import LATITUDE_BANDS_PER_DEGREE
from directory.search.rows import rating_model, services_by_id
from directory.vetting.selectors import vetted_q

# --- Service search ----------------------------------------------------------------------
#
# Radius search runs in the database on both PostgreSQL and SQLite: a bounding box on the
# indexed latitude/longitude narrows the candidates, then the exact great-circle (haversine)
# distance, computed in SQL, filters and orders them. The earth radius is geopy's
# great_circle radius, so the tests can compare against geopy exactly.

EARTH_RADIUS_KM = 6371.009
KM_PER_MILE = 1.609344
MAX_RADIUS_MILES = 50
DEFAULT_RADIUS_MILES = 5


class UnknownPostcode(DomainError):
    code = "unknown_postcode"


@dataclass(frozen=True)
class Origin:
    """Where a search is centred: a geocoded postcode, or coordinates given directly."""

    latitude: float
    longitude: float
    postcode: str = ""
    precision: str = ""


class Ordering(models.TextChoices):
    DISTANCE = "distance", "Distance"
    RATING = "rating", "Rating"
    PRICE = "price", "Price (lowest first)"
    NAME = "name", "Name (A to Z)"


class Delivery(models.TextChoices):
    AT_LOCATION = "at_location", "At the provider's premises"
    AT_HOME = "at_home", "At my home"
    REMOTELY = "remotely", "Online or by phone"


def search_origin(*, postcode: str | None = None, lat: float | None = None, lng: float | None = None) -> Origin:
    """Geocode a search: raises InvalidPostcode (malformed) or UnknownPostcode."""
    if postcode:
        position = postcode_position(postcode=postcode)
        if position is None:
            pc = normalise_postcode(postcode)
            raise UnknownPostcode(
                f"We could not find {pc}, or even the {postcode_district(pc)} area: check the postcode",
                field="postcode",
            )
        latitude, longitude, precision = position
        return Origin(latitude, longitude, normalise_postcode(postcode), precision)
    if lat is None or lng is None:
        raise DomainError("Give a postcode, or both lat and lng", field="postcode")
    return Origin(float(lat), float(lng))


def great_circle_km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """The same haversine formula as the SQL, for one pair of points in Python."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lng2 - lng1) / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def bounding_box(origin: Origin, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) enclosing the circle; exact for a sphere,
    widened by a hair so float rounding never drops a point on the boundary."""
    angular = radius_km / EARTH_RADIUS_KM
    dlat = math.degrees(angular)
    cos_lat = math.cos(math.radians(origin.latitude))
    dlng = 180.0 if cos_lat < 1e-9 else math.degrees(math.asin(min(1.0, math.sin(angular) / cos_lat)))
    eps = 1e-6
    return (
        origin.latitude - dlat - eps,
        origin.latitude + dlat + eps,
        origin.longitude - dlng - eps,
        origin.longitude + dlng + eps,
    )


def distance_km_expression(origin: Origin) -> ExpressionWrapper:
    """Haversine distance in km from origin to each row's latitude/longitude, in SQL."""
    lat0 = math.radians(origin.latitude)
    half_dlat = (Radians(F("latitude")) - Value(lat0)) / Value(2.0)
    half_dlng = (Radians(F("longitude")) - Value(math.radians(origin.longitude))) / Value(2.0)
    a = Power(Sin(half_dlat), 2) + Value(math.cos(lat0)) * Cos(Radians(F("latitude"))) * Power(Sin(half_dlng), 2)
    return ExpressionWrapper(Value(2 * EARTH_RADIUS_KM) * ASin(Sqrt(a)), output_field=models.FloatField())


def _category_ids(slugs: list[str]) -> QuerySet[Category]:
    # A top-level category matches its subcategories too.
    return Category.objects.filter(Q(slug__in=slugs) | Q(parent__slug__in=slugs)).values_list("id", flat=True)


def service_search(
    *,
    origin: Origin | None = None,
    radius_miles: float = DEFAULT_RADIUS_MILES,
    categories: list[str] | None = None,
    client_groups: list[str] | None = None,
    delivery: str | None = None,
    council: str | None = None,
    max_price_pence: int | None = None,
    q: str | None = None,
    min_grade: int | None = None,
    vetted: bool | None = None,
    ordering: str = Ordering.DISTANCE,
) -> QuerySet[Service]:
    """Published services, filtered, and annotated with ``distance_km`` / ``distance_miles``
    when there is an origin (then only services within ``radius_miles`` that have a
    location). ``delivery=at_home`` keeps only services whose own service radius reaches
    the origin. ``min_grade`` keeps registered services whose every grade is at least that on the
    six-point scale; ``vetted`` keeps services whose provider passes every vetting check that applies to it."""
    qs = (
        Service.objects.filter(status=Service.Status.PUBLISHED)
        .select_related("provider", "registration")
        .prefetch_related(Prefetch("categories", queryset=Category.objects.only("id", "name", "slug", "parent_id")))
    )
    if origin is not None:
        radius_km = float(radius_miles) * KM_PER_MILE
        min_lat, max_lat, min_lng, max_lng = bounding_box(origin, radius_km)
        qs = (
            # The latitude bands first, as the index directory_service_geo_band reads them (_box_sql).
            qs.alias(latitude_band=Cast(F("latitude") * LATITUDE_BANDS_PER_DEGREE, models.IntegerField()))
            .filter(latitude_band__in=_bands(min_lat, max_lat))
            .filter(latitude__gte=min_lat, latitude__lte=max_lat, longitude__gte=min_lng, longitude__lte=max_lng)
            .annotate(distance_km=distance_km_expression(origin))
            .annotate(
                distance_miles=ExpressionWrapper(
                    F("distance_km") / Value(KM_PER_MILE), output_field=models.FloatField()
                )
            )
            .filter(distance_km__lte=radius_km)
        )
    if categories:
        through = Service.categories.through
        qs = qs.filter(
            # The categories' ids read first (a tiny query): the database then checks each service
            # in the circle with one probe of the (service, category) index, not a join per service.
            Exists(through.objects.filter(service_id=OuterRef("pk"), category_id__in=list(_category_ids(categories))))
        )
    if client_groups:
        through = Service.client_groups.through
        qs = qs.filter(Exists(through.objects.filter(service_id=OuterRef("pk"), clientgroup__slug__in=client_groups)))
    if delivery == Delivery.AT_LOCATION:
        qs = qs.filter(delivered_at_location=True)
    elif delivery == Delivery.REMOTELY:
        qs = qs.filter(delivered_remotely=True)
    elif delivery == Delivery.AT_HOME:
        qs = qs.filter(delivered_at_home=True)
        if origin is not None:
            qs = qs.filter(service_radius_miles__isnull=False, distance_miles__lte=F("service_radius_miles"))
    if council:
        qs = qs.filter(Q(council__slug=council) | Q(council__gss_code=council.upper()))
    if max_price_pence is not None:
        qs = qs.filter(price_pence__isnull=False, price_pence__lte=max_price_pence, price_on_request=False)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(description__icontains=q) | Q(provider__name__icontains=q))
    if min_grade is not None:
        # Regulator grades (issue 4): every key question at least min_grade on the six-point scale.
        qs = qs.filter(registration__lowest_grade__gte=min_grade)
    # Vetting (issue 8): the provider's cached outcome, one JOIN, filtered on its indexed columns.
    qs = qs.select_related("provider__vetting")
    if vetted:
        qs = qs.filter(vetted_q())
    # People's ratings (reviews app): its ServiceRating rows, reached by their reverse name so the
    # directory imports nothing from reviews; one LEFT JOIN, no query per result.
    qs = qs.select_related("rating_summary").annotate(rating_score=F("rating_summary__score"))
    return qs.order_by(*_order_by(ordering, has_origin=origin is not None))


def _order_by(ordering: str, *, has_origin: bool) -> list[Any]:
    by_distance = ["distance_km"] if has_origin else []
    if ordering == Ordering.NAME:
        keys: list[Any] = ["name"]
    elif ordering == Ordering.PRICE:
        keys = [F("price_pence").asc(nulls_last=True), *by_distance, "name"]
    elif ordering == Ordering.RATING:
        # The Bayesian ranking score over the last 24 months; services without one come last.
        keys = [F("rating_score").desc(nulls_last=True), *by_distance, "name"]
    else:
        keys = [*by_distance, "name"]
    return [*keys, "id"]


# --- One page of a radius search (issue 13) ---------------------------------------------------
#
# A search that misses the answer cache used to spend most of its time outside the database's
# real work: two ORM queries (COUNT and the page) that each joined provider, vetting,
# registration and rating to every row in the circle before sorting, read every row from the
# table, and cost milliseconds of Python to compile. A page is now fetched in two steps:
#
# 1. One raw SQL statement over the covering index (status, latitude, longitude) INCLUDE (id,
#    name): the box narrows, the haversine distance is computed once per row in a subquery,
#    COUNT(*) OVER () counts the circle, and ORDER BY ... LIMIT keeps one page of ids. Searches
#    with filters other than the radius take the same first step through service_search's
#    queryset (the ORM defines what each filter means), reading ids and distances only.
# 2. The page's rows (at most 100) with their provider, vetting, registration and rating joined
#    in one query, and their categories in one more. On PostgreSQL, a loader that can (the API's
#    and the results page's, api_rows.ResultLoader) reads them in the first step's statement, its
#    page joined to them: a round trip fewer.
#
# The distance expression, its comparison and the order are service_search's, so results are
# identical (the tests compare both ways).


_HAVERSINE_SQL = (
    "(%s * ASIN(SQRT((POWER(SIN(((RADIANS(s.latitude) - %s) / %s)), 2) + "
    "((%s * COS(RADIANS(s.latitude))) * POWER(SIN(((RADIANS(s.longitude) - %s) / %s)), 2))))))"
)


def _haversine_sql(origin: Origin) -> tuple[str, list[float]]:
    """distance_km_expression as portable SQL: the same operations in the same order."""
    lat0 = math.radians(origin.latitude)
    return _HAVERSINE_SQL, [2 * EARTH_RADIUS_KM, lat0, 2.0, math.cos(lat0), math.radians(origin.longitude), 2.0]


def _box_sql(origin: Origin, radius_km: float) -> tuple[str, list[Any]]:
    """Published services in the bounding box, as the index directory_service_geo_band reads them:
    the latitude bands the box crosses (its expression exactly, _bands), then the box itself.

    On PostgreSQL the count and page are prepared once per connection (planning a 5-mile count
    took a fifth of its time; carehub.prepared), so their text must not change with the box: the
    bands are one array. Their generic plan knows no values, and would rather range over
    (status, latitude) in directory_service_geo_cover, a strip of the whole country:
    ``latitude + 0`` leaves that index only the status to go on (the band index checks latitude
    after longitude anyway, where it only filters)."""
    min_lat, max_lat, min_lng, max_lng = bounding_box(origin, radius_km)
    bands = _bands(min_lat, max_lat)
    band = f"CAST((s.latitude * {LATITUDE_BANDS_PER_DEGREE}) AS integer)"
    if connection.vendor == "postgresql":
        sql = (
            f"s.status = %s AND {band} = ANY(%s) AND s.longitude >= %s AND s.longitude <= %s "
            "AND s.latitude + 0 >= %s AND s.latitude + 0 <= %s"
        )
        return sql, [Service.Status.PUBLISHED, bands, min_lng, max_lng, min_lat, max_lat]
    sql = (
        f"s.status = %s AND {band} IN ({', '.join(['%s'] * len(bands))}) "
        "AND s.longitude >= %s AND s.longitude <= %s AND s.latitude >= %s AND s.latitude <= %s"
    )
    return sql, [Service.Status.PUBLISHED, *bands, min_lng, max_lng, min_lat, max_lat]


def _bands(min_lat: float, max_lat: float) -> list[int]:
    """The latitude bands that hold every latitude from min_lat to max_lat, and no other. A band is
    latitude × LATITUDE_BANDS_PER_DEGREE cast to an integer: PostgreSQL's cast rounds half to even
    (as Python's round does), SQLite's truncates. Both are monotonic, as the multiplication is, so a
    latitude x between min_lat and max_lat has a band between theirs. (Flooring both ends and adding
    the band above, as this did before, read a band too many: a ninth more index at 5 miles.)"""
    n = LATITUDE_BANDS_PER_DEGREE
    if connection.vendor == "postgresql":
        return list(range(round(min_lat * n), round(max_lat * n) + 1))
    if connection.vendor == "sqlite":
        return list(range(math.trunc(min_lat * n), math.trunc(max_lat * n) + 1))
    return list(range(math.floor(min_lat * n), math.floor(max_lat * n) + 2))  # any cast: the floor or the next


def _inner_box(origin: Origin, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) of a box inside the circle, a thousandth short of its
    edge so that float rounding never puts a point of the box outside: within it haversine's
    a = sin²(Δφ/2) + cos φ0 cos φ sin²(Δλ/2) is at most sin²(θ/2) for the circle's angle θ,
    bounding cos φ by its largest value over the box's latitudes."""
    theta = radius_km / EARTH_RADIUS_KM
    phi0 = math.radians(origin.latitude)
    half_lat = theta / math.sqrt(2) * 0.999
    low, high = phi0 - half_lat, phi0 + half_lat
    cos_max = 1.0 if low <= 0 <= high else max(math.cos(low), math.cos(high))
    room = math.sin(theta / 2) ** 2 - math.sin(half_lat / 2) ** 2
    k = math.cos(phi0) * cos_max
    half_lng = 0.0 if k <= 0 else 2 * math.asin(min(1.0, math.sqrt(room / k))) * 0.999
    dlat, dlng = math.degrees(half_lat), math.degrees(half_lng)
    return origin.latitude - dlat, origin.latitude + dlat, origin.longitude - dlng, origin.longitude + dlng


@dataclass(frozen=True)
class BandRanges:
    """The circle band by band, as PostgreSQL's count reads it (_count_only): the first band, and
    for each band from it the longitudes between which its services in the circle lie (outer) and
    those between which every service of the band is in the circle (inner; low above high when
    none are)."""

    first: int
    outer_low: list[float]
    outer_high: list[float]
    inner_low: list[float]
    inner_high: list[float]


def _band_ranges(origin: Origin, radius_km: float) -> BandRanges:
    """PostgreSQL's latitude bands of the circle (_bands), each narrowed to the circle's own width
    there rather than the box's, and with the part of it wholly inside the circle, which the count
    takes without working out a distance.

    The circle's half-width in longitude at latitude φ is 2·asin(√((sin²(θ/2) − sin²((φ − φ0)/2)) /
    (cos φ0 · cos φ))), from haversine's a ≤ sin²(θ/2). Along a meridian it grows up to the
    latitude where sin φ = sin φ0 / cos θ and shrinks after (its derivative has the sign of
    sin φ0 − cos θ · sin φ), so over a band its widest is there or at an edge, and its narrowest at
    an edge. The outer widths are a circle's a thousandth wider than the search's and the inner
    ones a thousandth narrower, far more than float rounding or a band's edges (a latitude ×
    LATITUDE_BANDS_PER_DEGREE rounded) could move a point; the outer ones are never wider than the
    bounding box."""
    n = LATITUDE_BANDS_PER_DEGREE
    min_lat, max_lat, min_lng, max_lng = bounding_box(origin, radius_km)
    box_half = (max_lng - min_lng) / 2
    first, last = round(min_lat * n), round(max_lat * n)
    theta = radius_km / EARTH_RADIUS_KM
    phi0 = math.radians(origin.latitude)
    cos_phi0 = math.cos(phi0)

    def half_width(phi: float, room_at_centre: float) -> float | None:
        """The half-width (degrees) at latitude phi of the circle with sin²(θ/2) = room_at_centre;
        None where phi is beyond the circle."""
        room = room_at_centre - math.sin((phi - phi0) / 2) ** 2
        if room < 0:
            return None
        k = cos_phi0 * math.cos(phi)
        return 180.0 if k <= room else math.degrees(2 * math.asin(math.sqrt(room / k)))

    outer_theta = theta * 1.001
    outer_room, inner_room = math.sin(outer_theta / 2) ** 2, math.sin(theta * 0.999 / 2) ** 2
    widest = math.asin(max(-1.0, min(1.0, math.sin(phi0) / math.cos(outer_theta))))
    edges = [math.radians((band - 0.5) / n) for band in range(first, last + 2)]
    outer_at = [half_width(edge, outer_room) for edge in edges]
    inner_at = [half_width(edge, inner_room) for edge in edges]
    ranges = BandRanges(first, [], [], [], [])
    lng0 = origin.longitude
    for k in range(last - first + 1):
        if edges[k] <= widest <= edges[k + 1]:
            outer = half_width(widest, outer_room) or 0.0
        else:  # an edge beyond the circle stands for the circle's tip there, where it is 0 wide
            outer = max(outer_at[k] or 0.0, outer_at[k + 1] or 0.0)
        outer = min(outer + 1e-6, box_half)
        low, high = inner_at[k], inner_at[k + 1]
        inner = -1.0 if low is None or high is None else min(low, high)
        ranges.outer_low.append(lng0 - outer)
        ranges.outer_high.append(lng0 + outer)
        ranges.inner_low.append(lng0 - inner if inner >= 0 else 1.0)
        ranges.inner_high.append(lng0 + inner if inner >= 0 else 0.0)
    return ranges


def _float_array(values: list[float]) -> str:
    """A PostgreSQL array literal of these floats (each written exactly): one parameter, which the
    driver passes as it is, where a list of floats costs it a microsecond each."""
    return "{" + ",".join(map(repr, values)) + "}"


# PostgreSQL's count of a circle, band by band (_band_ranges): each band's range of the index
# directory_service_geo_count read where the circle is, not the box (a fifth fewer entries at 5
# miles), and a service within the band's inner range counted without its distance. That index
# holds published services only, so the statement names the status itself (a parameter would leave
# the plan unable to use it). Only constants are formatted in; every value is a parameter.
_COUNT_BY_BAND_SQL = (
    "SELECT CAST(SUM(x.n) AS bigint) FROM unnest(%s::float8[], %s::float8[], %s::float8[], %s::float8[]) "  # noqa: S608  # nosec B608
    "WITH ORDINALITY AS r(outer_low, outer_high, inner_low, inner_high, k) CROSS JOIN LATERAL ("
    f"SELECT COUNT(*) AS n FROM {Service._meta.db_table} s "
    f"WHERE s.status = '{Service.Status.PUBLISHED.value}' "
    f"AND CAST((s.latitude * {LATITUDE_BANDS_PER_DEGREE}) AS integer) = %s + CAST(r.k AS integer) "
    "AND s.longitude >= r.outer_low AND s.longitude <= r.outer_high "
    f"AND ((s.longitude >= r.inner_low AND s.longitude <= r.inner_high) OR {_HAVERSINE_SQL} <= %s)) x"
)


def _services_by_band() -> str:
    # SQLite's planner, without statistics (nothing runs ANALYZE on the embedded database), prefers
    # the older (status, latitude, longitude) index: name the band index there.
    if connection.vendor == "sqlite":
        return "directory_service s INDEXED BY directory_service_geo_band"
    return "directory_service s"


_RAW_ORDER = {
    Ordering.DISTANCE: "t.distance_km, t.name, t.id",
    Ordering.NAME: "t.name, t.id",
    Ordering.PRICE: "t.price_pence IS NULL, t.price_pence, t.distance_km, t.name, t.id",
    Ordering.RATING: "t.score IS NULL, t.score DESC, t.distance_km, t.name, t.id",
}

# Each order's columns other than the id and distance, as the page statement's outer select names
# them (only those: another would make the band index's scan read the table); and the order as a
# statement that joins the page's rows to it (api_rows.page_sources) writes it, of the page's columns.
_PAGE_ORDER = {ordering: re.sub(r"\bt\.", "pg.", order) for ordering, order in _RAW_ORDER.items()}
_ORDER_COLUMNS = {
    ordering: "".join(
        f", t.{column}"
        for column in dict.fromkeys(re.findall(r"t\.(\w+)", order))
        if column not in {"id", "distance_km"}
    )
    for ordering, order in _RAW_ORDER.items()
}

# Far beyond any directory's size, and within every database's integer range.
MAX_OFFSET = 10**12

# How densely this process's counts have found services, by area (published services per km², by
# tenth of a degree of the origin's latitude and longitude): _count_with_page sizes the smaller
# circle a page is looked for in from it, so that the count and the page can be read together.
# A hint decides only how far to look, never what is found: a stale or wrong one costs a round
# trip, not a result. Bounded: forgotten all at once when it holds DENSITY_HINTS_MAX areas.
DENSITY_HINTS_MAX = 4096
_density: dict[tuple[int, int], float] = {}


def _density_area(origin: Origin) -> tuple[int, int]:
    return round(origin.latitude * 10), round(origin.longitude * 10)


def _density_hint(origin: Origin) -> float | None:
    return _density.get(_density_area(origin))


def _density_learn(origin: Origin, radius_km: float, count: int) -> None:
    if radius_km <= 0:
        return
    if len(_density) >= DENSITY_HINTS_MAX:
        _density.clear()
    _density[_density_area(origin)] = count / (math.pi * radius_km**2)


class ServiceSearchResults:
    """A radius search's results as a lazy sequence for Django's and DRF's paginators:
    ``count()`` and one slice cost one SQL statement (see above), not a COUNT and a page.

    ``expect(offset, limit)`` says which slice the caller will ask for, so that the first
    statement fetches that page and the count together."""

    def __init__(
        self,
        *,
        origin: Origin | None,
        radius_miles: float,
        ordering: str,
        filtered: QuerySet[Service] | None,
        load: Callable[[list[tuple[int, float | None]]], list[Any]] | None = None,
    ) -> None:
        self.origin = origin
        # A page's (id, distance in km) pairs → its rows; None: Service instances. A load with a
        # with_page method (api_rows.ResultLoader) reads them with the page's statement instead.
        self.load = load
        self.radius_km = float(radius_miles) * KM_PER_MILE
        self.ordering = ordering if ordering in _RAW_ORDER else Ordering.DISTANCE
        self.filtered = filtered  # None: the radius only, served by raw SQL
        self._count: int | None = None
        self._offset, self._limit = 0, 20
        self._ids: list[tuple[int, float | None]] | None = None
        self._built: tuple[list[tuple[int, float | None]], list[Any]] | None = None  # a page's pairs and rows

    def expect(self, offset: int, limit: int) -> None:
        self._offset, self._limit = max(0, offset), limit

    def count(self) -> int:
        if self._count is None:
            if self._nearest_first():
                if not self._count_with_page():
                    self._count = self._count_only()
                assert self.origin is not None  # nearest first: a radius search
                _density_learn(self.origin, self.radius_km, self._count)
            else:
                self._ids = self._fetch_ids(self._offset, self._limit)
                if self._count is None:  # past the end (or the ORM path): count on its own
                    self._count = self._count_only()
        return self._count

    def _nearest_first(self) -> bool:
        # Nearest first, no filter but the radius: count the circle, then look for the page in a
        # smaller circle that must hold it (_nearest).
        return self.filtered is None and self.ordering == Ordering.DISTANCE

    def _count_with_page(self) -> bool:
        """PostgreSQL, with a loader that reads a page's rows with it: the count and the page in one
        statement (a round trip fewer), the page from the smaller circle _nearest would choose, sized
        by how densely earlier counts found services around here (_density_hint) rather than by this
        search's own count, which is not known yet. True if that counted the circle; the page is
        then read (or, if that circle held too few, _nearest reads it, the count now known).
        Whatever the hint, the count and page are exact: a hint only decides how far to look."""
        if connection.vendor != "postgresql" or getattr(self.load, "with_page", None) is None:
            return False
        assert self.origin is not None
        density = _density_hint(self.origin)
        if density is None or self._limit <= 0 or self._offset > MAX_OFFSET:
            return False
        radius = self._smaller_radius(self._offset + self._limit, density * math.pi * self.radius_km**2)
        if radius is None:
            return False
        self._ids = self._page(radius, self._offset, self._limit, within=True, counted=True)
        return self._count is not None

    def _smaller_radius(self, wanted: int, expected: float) -> float | None:
        """The radius of the smallest circle expected to hold twice the wanted services and twenty
        more, when the whole circle is expected to hold `expected`; None when that circle would be
        most of the whole one."""
        share = (2 * wanted + 20) / expected if expected > 0 else 1.0
        return None if share >= 0.5 else self.radius_km * math.sqrt(share)

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, key: slice) -> list[Service]:
        if not isinstance(key, slice) or key.step not in (None, 1):
            raise TypeError("ServiceSearchResults supports slices only")
        start, stop = key.start or 0, key.stop
        if stop is None:
            stop = self.count()
        if self._ids is not None and start == self._offset and stop - start <= self._limit:
            ids = self._ids[: stop - start]
        else:
            ids = self._fetch_ids(start, stop - start)
        return self._rows(ids)

    # Step 1: ids and distances of one page (and the count, when raw).
    def _fetch_ids(self, offset: int, limit: int) -> list[tuple[int, float | None]]:
        # Past any possible end (a page number of twenty digits): nothing, without asking the
        # database for an OFFSET it cannot hold (a bigint overflow, a 500).
        if limit <= 0 or offset > MAX_OFFSET:
            return []
        if self.filtered is not None:
            fields = ("pk", "distance_km") if self.origin is not None else ("pk",)
            rows = self.filtered.prefetch_related(None).values_list(*fields)[offset : offset + limit]
            return [(row[0], row[1] if len(row) > 1 else None) for row in rows]
        assert self.origin is not None
        if self._nearest_first():
            nearest = self._nearest(offset, limit)
            if nearest is not None:
                return nearest
        return self._page(self.radius_km, offset, limit)

    def _nearest(self, offset: int, limit: int) -> list[tuple[int, float | None]] | None:
        """The page, from the smallest circle expected to hold twice the services up to its end
        (the count says how densely the circle is filled); None when that circle is most of the
        whole one, or turns out to hold too few. The page is exactly the whole circle's: if the
        smaller circle holds at least offset + limit services, the offset + limit nearest of the
        whole circle are all in it, ties at their distance included."""
        total = self.count()
        wanted = min(offset + limit, total)
        if wanted == 0 or offset >= total:
            return []
        radius = self._smaller_radius(wanted, total)
        return None if radius is None else self._page(radius, offset, limit, within=True)

    def _page(
        self, radius_km: float, offset: int, limit: int, *, within: bool = False, counted: bool = False
    ) -> list[tuple[int, float | None]] | None:
        """One page of ids and distances within radius_km, ordered; the circle's count with it.
        within: a smaller circle than the search's, whose page counts only if it holds at least
        offset + limit services (None otherwise) and whose count is not the search's.
        counted (PostgreSQL): the search's whole circle counted in the same statement
        (_count_by_band_sql, one value on every row), which sets the count when any row comes back."""
        assert self.origin is not None
        distance, params = _haversine_sql(self.origin)
        rating_join, rating_col = "", "NULL AS score"
        if self.ordering == Ordering.RATING:
            rating_join = f" LEFT OUTER JOIN {rating_model()._meta.db_table} r ON r.service_id = s.id"
            rating_col = "r.score"
        count_col, count_params = "", []
        if counted:
            count_sql, count_params = self._count_by_band_sql(params)
            count_col = f", ({count_sql}) AS circle_total"
        box, box_params = _box_sql(self.origin, radius_km)
        sql = (
            # Only constants and the fixed fragments above are formatted in; values are parameters.
            # The order's columns too, for a statement that joins the page's rows to it (below).
            f"SELECT t.id, t.distance_km, COUNT(*) OVER () AS total{_ORDER_COLUMNS[self.ordering]}{count_col} FROM ("  # noqa: S608  # nosec B608
            f"SELECT s.id, s.name, s.price_pence, {rating_col}, {distance} AS distance_km "
            f"FROM {_services_by_band()}{rating_join} WHERE {box}"
            # OFFSET 0 keeps PostgreSQL from merging the subquery into the outer query, so each row's
            # distance is computed once, not once for the filter and again for the order (a sixth of
            # the statement's time at 25 miles). SQLite accepts OFFSET only after a LIMIT.
            f"{' OFFSET 0' if connection.vendor == 'postgresql' else ''}"
            f") t WHERE t.distance_km <= %s ORDER BY {_RAW_ORDER[self.ordering]} LIMIT %s OFFSET %s"
        )
        params = [*count_params, *params, *box_params, radius_km, limit, offset]
        name = f"search_page_{self.ordering}{'_counted' if counted else ''}"
        with_page = getattr(self.load, "with_page", None) if connection.vendor == "postgresql" else None
        built = None
        if with_page is not None:  # the page's rows read with it, one round trip fewer
            fetched = with_page(name, sql, params, _PAGE_ORDER[self.ordering])
            rows, built = [page for page, _ in fetched], [row for _, row in fetched]
        else:
            with connection.cursor() as cursor:
                execute_prepared_sql(cursor, name, sql, params)
                rows = cursor.fetchall()
        if counted and rows:
            self._count = rows[0][-1]
        pairs = [(row[0], row[1]) for row in rows]
        if within and not (rows and rows[0][2] >= offset + limit):
            return None
        if not within:
            if rows:
                self._count = rows[0][2]
            elif offset == 0:
                self._count = 0
        if built is not None:
            self._built = (pairs, built)
        return pairs

    def _count_only(self) -> int:
        if self.filtered is not None:
            return self.filtered.count()
        assert self.origin is not None
        distance, params = _haversine_sql(self.origin)
        if connection.vendor == "postgresql":
            return self._count_by_band(params)
        box, box_params = _box_sql(self.origin, self.radius_km)
        min_lat, max_lat, min_lng, max_lng = _inner_box(self.origin, self.radius_km)
        sql = (
            # A service in the box inscribed in the circle is in the circle: counted without
            # working out its distance (about two in three of them).
            f"SELECT COUNT(*) FROM {_services_by_band()} WHERE {box} AND ("  # noqa: S608  # nosec B608
            "(s.latitude >= %s AND s.latitude <= %s AND s.longitude >= %s AND s.longitude <= %s) "
            f"OR {distance} <= %s)"
        )
        params = [*box_params, min_lat, max_lat, min_lng, max_lng, *params, self.radius_km]
        with connection.cursor() as cursor:
            execute_prepared_sql(cursor, "search_count", sql, params)
            return cursor.fetchone()[0]

    def _count_by_band(self, distance_params: list[float]) -> int:
        sql, params = self._count_by_band_sql(distance_params)
        with connection.cursor() as cursor:
            execute_prepared_sql(cursor, "search_count_by_band", sql, params)
            return cursor.fetchone()[0]

    def _count_by_band_sql(self, distance_params: list[float]) -> tuple[str, list[Any]]:
        """PostgreSQL: the circle counted band by band (_COUNT_BY_BAND_SQL, _band_ranges), its
        distances by _haversine_sql's parameters."""
        assert self.origin is not None
        ranges = _band_ranges(self.origin, self.radius_km)
        params = [
            _float_array(ranges.outer_low),
            _float_array(ranges.outer_high),
            _float_array(ranges.inner_low),
            _float_array(ranges.inner_high),
            ranges.first - 1,
            *distance_params,
            self.radius_km,
        ]
        return _COUNT_BY_BAND_SQL, params

    # Step 2: the page's rows, their summaries joined, in the order of step 1.
    def _rows(self, ids: list[tuple[int, float | None]]) -> list[Any]:
        if not ids:
            return []
        if self._built is not None and self._built[0] == ids:
            return self._built[1]
        if self.load is not None:
            return self.load(ids)
        by_id = services_by_id([pk for pk, _ in ids])
        services = []
        for pk, km in ids:
            service = by_id[pk]
            if self.origin is not None:
                service.distance_km = km
                service.distance_miles = km / KM_PER_MILE
            rating = getattr(service, "rating_summary", None)
            service.rating_score = None if rating is None else rating.score
            services.append(service)
        return services


def service_search_results(
    *,
    origin: Origin | None = None,
    radius_miles: float = DEFAULT_RADIUS_MILES,
    ordering: str = Ordering.DISTANCE,
    load: Callable[[list[tuple[int, float | None]]], list[Any]] | None = None,
    **filters: Any,
) -> ServiceSearchResults:
    """service_search's results, for paging: the same services in the same order, with the same
    annotations (``distance_km``, ``distance_miles``, ``rating_score``), fetched a page at a time.
    ``filters`` are service_search's keyword arguments. ``load``, when given, makes a page's rows
    from its (id, distance in km) pairs instead (the API builds its JSON rows straight from SQL)."""
    # Only these values mean "no filter" to service_search (a max_price_pence of 0 is a filter).
    active = {key: value for key, value in filters.items() if value is not None and value is not False}
    active = {key: value for key, value in active.items() if not (isinstance(value, (str, list)) and not value)}
    filtered = None
    if origin is None or active:
        filtered = service_search(origin=origin, radius_miles=radius_miles, ordering=ordering, **active)
    return ServiceSearchResults(
        origin=origin, radius_miles=radius_miles, ordering=ordering, filtered=filtered, load=load
    )


def service_get_for_user(*, user: Any, code: Any) -> Service:
    """A service's page: published services for everyone; drafts and suspended listings
    only for members of the provider. Raises Http404 otherwise, so nothing leaks."""
    qs = Service.objects.select_related("provider", "council", "registration").prefetch_related(
        "categories", "client_groups"
    )
    visible = Q(status=Service.Status.PUBLISHED)
    if getattr(user, "is_authenticated", False):
        visible |= Q(provider__memberships__user=user)
    service = qs.filter(visible, code=code).distinct().first()
    if service is None:
        raise Http404("No such service")
    return service
