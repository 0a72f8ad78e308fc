"""The public spending page of a council: settled spend through CareHub by type of care
and by month, and its active services.

No personal data, and no figure from fewer than SUPPRESS_BELOW budget holders: such a
cell is hidden, and when exactly one cell of a table would be hidden the next smallest
is hidden too, so the hidden one cannot be worked out from the published total.
Spend is dated and filtered as on the commissioner's dashboard (commissioning.filters).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, F, Sum
from django.db.models.functions import Coalesce

from commissioning.filters import Filters, Period, month_period, period_months, settled_in
from commissioning.spend import roomy_sorts, top_category
from directory.models import Category, Council, Service
from marketplace.models import Commitment

SUPPRESS_BELOW = 5  # public figures from fewer people than this are not shown


def suppress(rows: list[dict[str, Any]], *, count: str = "holders", values: tuple[str, ...] = ()) -> None:
    """Hide cells derived from fewer than SUPPRESS_BELOW people, in place.

    If exactly one cell would be hidden, the next smallest is hidden too, so the hidden one
    cannot be worked out by subtracting the others from a published total."""
    small = [r for r in rows if r[count] < SUPPRESS_BELOW]
    if len(small) == 1 and len(rows) > 1:
        others = sorted((r for r in rows if r is not small[0]), key=lambda r: r[count])
        small.append(others[0])
    for row in rows:
        row["suppressed"] = any(row is s for s in small)
        if row["suppressed"]:
            row[count] = None
            for name in values:
                row[name] = None


@dataclass
class Transparency:
    council: Council
    period: Period
    by_category: list[dict[str, Any]]
    by_month: list[dict[str, Any]]
    total_spent_pence: int | None
    total_holders: int | None
    active_services: int
    services_by_category: list[dict[str, Any]] = field(default_factory=list)


@transaction.atomic
def transparency(*, council: Council, period: Period) -> Transparency:
    """Public figures: settled spend by type of care and by month, and active services.
    No personal data; a figure from fewer than 5 budget holders is suppressed."""
    roomy_sorts()
    f = Filters(council=council, period=period)
    settled = Commitment.objects.filter(budget__funder=council).filter(settled_in(f))
    spent = F("settled_pence") - F("refunded_pence")
    by_category = list(
        settled.values(key_id=top_category())
        .annotate(spent_pence=Coalesce(Sum(spent), 0), holders=Count("budget__person_id", distinct=True))
        .order_by("key_id")
    )
    names = dict(Category.objects.filter(parent=None).values_list("pk", "name"))
    for row in by_category:
        row["name"] = names.get(row["key_id"], "Other")
    by_category.sort(key=lambda r: r["name"])
    # One scan, a filtered sum and count per month (no per-row date truncation); empty months left out.
    months = period_months(period)
    sums: dict[str, Any] = {}
    for i in range(len(months)):
        in_month = settled_in(Filters(council, month_period(months, i, period)))
        sums[f"s{i}"] = Coalesce(Sum(spent, filter=in_month), 0)
        sums[f"h{i}"] = Count("budget__person_id", distinct=True, filter=in_month)
    per_month = settled.aggregate(**sums)
    by_month = [
        {"month": first, "spent_pence": per_month[f"s{i}"], "holders": per_month[f"h{i}"]}
        for i, first in enumerate(months)
        if per_month[f"h{i}"]
    ]
    totals = settled.aggregate(spent_pence=Coalesce(Sum(spent), 0), holders=Count("budget__person_id", distinct=True))
    suppress(by_category, values=("spent_pence",))
    suppress(by_month, values=("spent_pence",))
    small_total = totals["holders"] < SUPPRESS_BELOW
    published = Service.objects.filter(status=Service.Status.PUBLISHED, council=council)
    services_by_category = list(
        Service.categories.through.objects.filter(service__in=published.values("pk"))
        .values(key_id=top_category())
        .annotate(services=Count("service_id", distinct=True))
        .order_by("key_id")
    )
    for row in services_by_category:
        row["name"] = names.get(row["key_id"], "Other")
    services_by_category.sort(key=lambda r: r["name"])
    return Transparency(
        council=council,
        period=period,
        by_category=by_category,
        by_month=by_month,
        total_spent_pence=None if small_total else totals["spent_pence"],
        total_holders=None if small_total else totals["holders"],
        active_services=published.count(),
        services_by_category=services_by_category,
    )
