"""Reads for the Open Referral UK endpoints: published services only, filtered by the
standard's query parameters, in a stable order, one page at a time.

Only published listings are in the feed: drafts are private and suspended listings are
hidden everywhere else, so a consumer learns of a closure by the listing leaving the feed.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import datetime, time
from typing import Any

from django.db import models
from django.db.models import Exists, ExpressionWrapper, F, Max, OuterRef, Prefetch, Q, QuerySet, Value

from directory.models import AvailabilityWindow, Category, ClientGroup, Service, ServiceConfirmation
from directory.oruk.taxonomy import CATEGORIES, CLIENT_GROUPS, TAXONOMY_BY_ID, category_term_id, client_group_term_id
from directory.search.selectors import KM_PER_MILE, Origin, bounding_box, distance_km_expression

# A postcode without a proximity finds services based within this distance (the search
# page's default) and services whose home-visit area reaches the postcode.
DEFAULT_PROXIMITY_MILES = 5
MAX_PROXIMITY_METRES = 80_467  # 50 miles, the search API's limit


@dataclass(frozen=True)
class ServiceFilters:
    search: str = ""
    taxonomy_term_id: str = ""
    taxonomy_id: str = ""
    organization_id: uuid.UUID | None = None
    modified_after: datetime | None = None
    weekday: int | None = None
    start_time: time | None = None
    end_time: time | None = None
    origin: Origin | None = None
    proximity_metres: float | None = None
    with_location: bool = False


def _published() -> QuerySet[Service]:
    # What a list item shows; a fully nested service adds more (with_details).
    return Service.objects.filter(status=Service.Status.PUBLISHED).select_related(
        "provider", "provider__vetting", "registration", "rating_summary", "oruk_record"
    )


def _term_filter(term_id: str) -> Q | None:
    """Services tagged with a term (a top-level category matches its subcategories too)."""
    for slug in Category.objects.values_list("slug", flat=True):
        if category_term_id(slug) == term_id:
            through = Service.categories.through
            wanted = Q(category__slug=slug) | Q(category__parent__slug=slug)
            return Q(Exists(through.objects.filter(wanted, service_id=OuterRef("pk"))))
    for slug in ClientGroup.objects.values_list("slug", flat=True):
        if client_group_term_id(slug) == term_id:
            through = Service.client_groups.through
            return Q(Exists(through.objects.filter(service_id=OuterRef("pk"), clientgroup__slug=slug)))
    return None


def oruk_service_list(*, filters: ServiceFilters) -> QuerySet[Service]:
    """Published services matching the ORUK query parameters; nearest first when a postcode
    is given, else in a stable order (oldest listing first) so paging never skips or repeats."""
    qs = _published()
    f = filters
    if f.search:
        qs = qs.filter(
            Q(name__icontains=f.search) | Q(description__icontains=f.search) | Q(provider__name__icontains=f.search)
        )
    if f.taxonomy_term_id:
        term = _term_filter(f.taxonomy_term_id)
        qs = qs.filter(term) if term is not None else qs.none()
    if f.taxonomy_id:
        taxonomy = TAXONOMY_BY_ID.get(f.taxonomy_id)
        if taxonomy is None:
            qs = qs.none()
        elif taxonomy.key == CATEGORIES:
            qs = qs.filter(Exists(Service.categories.through.objects.filter(service_id=OuterRef("pk"))))
        elif taxonomy.key == CLIENT_GROUPS:
            qs = qs.filter(Exists(Service.client_groups.through.objects.filter(service_id=OuterRef("pk"))))
    if f.organization_id is not None:
        qs = qs.filter(provider__code=f.organization_id)
    if f.modified_after is not None:
        qs = qs.filter(Q(updated_at__gte=f.modified_after) | Q(provider__updated_at__gte=f.modified_after))
    if f.weekday is not None or f.start_time is not None or f.end_time is not None:
        # One window must satisfy every condition given (a Monday that opens by 9, not any Monday).
        windows = AvailabilityWindow.objects.filter(service_id=OuterRef("pk"))
        if f.weekday is not None:
            windows = windows.filter(weekday=f.weekday)
        if f.start_time is not None:
            windows = windows.filter(starts_at__gte=f.start_time)
        if f.end_time is not None:
            windows = windows.filter(ends_at__lte=f.end_time)
        qs = qs.filter(Exists(windows))
    if f.with_location:
        qs = qs.filter(Q(latitude__isnull=False) | ~Q(postcode="") | ~Q(address_line_1=""))
    if f.origin is not None:
        return _near(qs, f.origin, f.proximity_metres)
    return qs.order_by("id")


def _near(qs: QuerySet[Service], origin: Origin, proximity_metres: float | None) -> QuerySet[Service]:
    if proximity_metres is not None:
        radius_km = proximity_metres / 1000
        covers = Q(distance_km__lte=radius_km)
    else:
        # Based nearby, or visiting people at home as far as the postcode.
        radius_km = MAX_PROXIMITY_METRES / 1000
        covers = Q(distance_km__lte=DEFAULT_PROXIMITY_MILES * KM_PER_MILE) | Q(
            delivered_at_home=True, service_radius_miles__isnull=False, distance_miles__lte=F("service_radius_miles")
        )
    min_lat, max_lat, min_lng, max_lng = bounding_box(origin, radius_km)
    return (
        qs.filter(latitude__gte=min_lat, latitude__lte=max_lat, longitude__gte=min_lng, longitude__lte=max_lng)
        .annotate(distance_km=distance_km_expression(origin))
        .annotate(
            distance_miles=ExpressionWrapper(F("distance_km") / Value(KM_PER_MILE), output_field=models.FloatField())
        )
        .filter(distance_km__lte=radius_km)
        .filter(covers)
        .order_by("distance_km", "id")
    )


def with_details(qs: QuerySet[Service]) -> QuerySet[Service]:
    """What a fully nested service needs, in one query per relation."""
    return qs.select_related("provider__registered_as", "council").prefetch_related(
        Prefetch("categories", queryset=Category.objects.select_related("parent").order_by("position", "name")),
        Prefetch("client_groups", queryset=ClientGroup.objects.order_by("name")),
        Prefetch("availability", queryset=AvailabilityWindow.objects.order_by("weekday", "starts_at")),
    )


def oruk_service_get(*, code: uuid.UUID) -> Service | None:
    return with_details(_published()).filter(code=code).first()


def oruk_confirmed_at(*, service: Service) -> datetime | None:
    """When the provider last confirmed the listing's details (ORUK's assured_date)."""
    return ServiceConfirmation.objects.filter(service=service).aggregate(at=Max("confirmed_at"))["at"]


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total_items: int
    page_number: int
    per_page: int

    def header(self) -> dict[str, Any]:
        total_pages = math.ceil(self.total_items / self.per_page) if self.total_items else 0
        return {
            "total_items": self.total_items,
            "total_pages": total_pages,
            "page_number": self.page_number,
            "size": len(self.items),
            "first_page": self.page_number == 1,
            "last_page": self.page_number >= total_pages,
            "empty": not self.items,
        }


def paginate(qs: QuerySet[Any] | list[Any], *, page: int, per_page: int, total: int | None = None) -> Page:
    """One page; a page past the end is an empty page (not an error), as ORUK clients expect.

    A queryset's page is read in two steps: the page's ids first (no joins, so a deep page
    of 100,000 listings skips index entries rather than joined rows), then those rows with
    everything they need. ``total`` may be given when the caller has it already (cached)."""
    if isinstance(qs, list):
        start = (page - 1) * per_page
        return Page(items=qs[start : start + per_page], total_items=len(qs), page_number=page, per_page=per_page)
    total = qs.count() if total is None else total
    start = (page - 1) * per_page
    if start >= total:
        return Page(items=[], total_items=total, page_number=page, per_page=per_page)
    ids = list(qs.values_list("id", flat=True)[start : start + per_page])
    rows = {row.id: row for row in qs.filter(id__in=ids)}
    return Page(items=[rows[i] for i in ids if i in rows], total_items=total, page_number=page, per_page=per_page)
