"""What people look for and cannot find, and where the market has gaps.

Reads only, counted by postcode district, never by person:

* unmet demand: anonymous searches (`SearchLog`: district, type of care, number
  of results) that found `FEW_RESULTS` or fewer services, next to the period's
  spend and the published services in the same district;
* gaps: budget holders with no published service of a type of care within a
  distance, each holder placed at their postcode district's centroid.

A holder's district is the part of their stored postcode before the space
(postcodes are stored normalised: carehub.postcodes). A holder who gave no
postcode has no district: counted as "unlocated", never dropped.
"""

from __future__ import annotations

import math
from typing import Any

from django.db import models
from django.db.models import Count, Exists, F, OuterRef, Q
from django.db.models.functions import Cos, Radians

from commissioning.filters import Filters, gap_radius_miles, in_category
from commissioning.spend import (
    category_tree,
    council_budgets,
    postcode_district_of,
    spend_by_district_category,
    top_category,
)
from directory.models import Category, Postcode, SearchLog, Service
from directory.search.selectors import EARTH_RADIUS_KM, KM_PER_MILE

FEW_RESULTS = 2  # a search that found this many services or fewer found "very little"
UK_MAX_LATITUDE = 61.0  # widest longitude span needed for a bounding box in the UK (Shetland)
KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180


def unmet_demand(
    f: Filters, *, few: int = FEW_RESULTS, grouped: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """By postcode district and type of care: searches in the period that found `few` or fewer
    services, next to the period's spend and the number of published services there.
    `grouped`: spend.spend_by_district_category(f), when the caller already has it."""
    logs = SearchLog.objects.filter(council=f.council, searched_on__gte=f.period.start, searched_on__lte=f.period.end)
    logs = logs.filter(in_category(f.category))
    demand = list(
        logs.values("district", cat=top_category())
        .annotate(
            searches=Count("pk"),
            none=Count("pk", filter=Q(result_count=0)),
            few=Count("pk", filter=Q(result_count__lte=few)),
        )
        .filter(few__gt=0)
        .order_by("-few", "-none", "district", "cat")[:100]
    )
    districts = {row["district"] for row in demand}
    through = Service.categories.through
    services = {
        (row["d"], row["cat"]): row["n"]
        for row in through.objects.filter(service__status=Service.Status.PUBLISHED, service__council=f.council)
        .annotate(d=postcode_district_of("service__postcode"))
        .filter(d__in=districts)
        .values("d", cat=top_category())
        .annotate(n=Count("service_id", distinct=True))
        .order_by()
    }
    tree = category_tree()
    spend: dict[tuple[str, int | None], int] = {}
    for row in grouped if grouped is not None else spend_by_district_category(f):
        if row["d"] in districts and row["spent_pence"]:
            key = (row["d"], tree[row["category_id"]][0] if row["category_id"] else None)
            spend[key] = spend.get(key, 0) + row["spent_pence"]
    names = dict(Category.objects.filter(parent=None).values_list("pk", "name"))
    for row in demand:
        key = (row["district"], row["cat"])
        row["category"] = names.get(row["cat"], "Any type of care") if row["cat"] else "Any type of care"
        row["services"] = services.get(key, 0)
        row["spent_pence"] = spend.get(key, 0)
    return demand


def _distance_to_outer_km_squared() -> models.ExpressionWrapper:
    """Squared distance in km² between a service and the outer row (which carries `coslat`),
    on a flat projection: within 0.5% of the great circle at these distances, and plain
    arithmetic, so it costs nothing per row on either database."""
    dy = (F("latitude") - OuterRef("latitude")) * models.Value(KM_PER_DEGREE)
    dx = (F("longitude") - OuterRef("longitude")) * OuterRef("coslat") * models.Value(KM_PER_DEGREE)
    return models.ExpressionWrapper(dx * dx + dy * dy, output_field=models.FloatField())


def holders_without_service(f: Filters, *, miles: float | None = None) -> dict[str, Any]:
    """How many budget holders have no published service of each type of care within `miles`.

    Counted, never listed. A holder is placed at their postcode district's centroid (the
    directory ships district centroids for the whole country), so the distance is accurate
    to a mile or two; holders with no postcode, or a district the directory does not know,
    are counted apart ("unlocated").
    """
    miles = float(miles if miles is not None else gap_radius_miles())
    radius_km = miles * KM_PER_MILE
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM) + 1e-6
    dlng = dlat / math.cos(math.radians(UK_MAX_LATITUDE))
    holders = dict(
        council_budgets(f)
        .annotate(d=postcode_district_of("person__postcode"))
        .exclude(d="")
        .values_list("d")
        .annotate(n=Count("person_id", distinct=True))
        .order_by()
    )
    all_holders = council_budgets(f).aggregate(n=Count("person_id", distinct=True))["n"]
    categories = list(Category.objects.filter(parent=None).order_by("position", "name"))
    if f.category is not None:
        categories = [f.category]
    through = Service.categories.through
    checks = {
        f"c{c.pk}": Exists(
            Service.objects.filter(
                status=Service.Status.PUBLISHED,
                latitude__gte=OuterRef("latitude") - dlat,
                latitude__lte=OuterRef("latitude") + dlat,
                longitude__gte=OuterRef("longitude") - dlng,
                longitude__lte=OuterRef("longitude") + dlng,
            )
            .filter(Exists(through.objects.filter(Q(category=c) | Q(category__parent=c), service_id=OuterRef("pk"))))
            .annotate(km2=_distance_to_outer_km_squared())
            .filter(km2__lte=radius_km * radius_km)
        )
        for c in categories
    }
    places = list(
        Postcode.objects.filter(postcode__in=list(holders), precision=Postcode.Precision.DISTRICT)
        .annotate(coslat=Cos(Radians("latitude")))
        .annotate(**checks)
        .values("postcode", *checks)
    )
    located = sum(holders.get(p["postcode"], 0) for p in places)
    rows = [
        {
            "category": c,
            "name": c.name,
            "holders": sum(holders.get(p["postcode"], 0) for p in places if not p[f"c{c.pk}"]),
        }
        for c in categories
    ]
    return {"miles": miles, "rows": rows, "located": located, "unlocated": all_holders - located}
