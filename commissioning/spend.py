"""Commissioner dashboards: where a council's care money goes, what people
look for and cannot find, and where the market has gaps (issue 9).

Reads only. Every figure comes from SQL aggregates (GROUP BY, filtered sums)
scoped to one council's budgets (`Budget.funder`); Python only adds up and
labels grouped rows (at most districts × subcategories), never loops over
commitments or ledger entries. Three scans of the council's commitments serve
the whole dashboard — (month index, kind), (district, category) and provider —
with small queries for account balances, the search log and services.

Definitions (the tests check each against the ledger):

* spent (settled): `Commitment.settled_pence - refunded_pence` of settled
  commitments, dated by `settled_at` — equal to the money the ledger moved
  out of the budgets' committed accounts by SETTLE postings, less REFUNDs.
* committed (planned): `amount_pence` of HELD commitments, dated by `due_on`
  (or the day they were made when undated) — equal to the balances of the
  budgets' committed accounts.
* allocated: available + committed + spent of the budgets (the ledger's
  identity for council budgets, which take no top-ups).
* forecast: the period's spend rate so far carried to its end; planned
  (committed) money counts towards it so it is not counted twice — the same
  rule as a person's own budget forecast (selectors.budget_forecast).
* good or better: the provider has an active regulator registration graded
  4 ("Good") or above on the six-point scale and none graded lower.
* vetted: the provider's cached vetting outcome says vetted today
  (directory.vetting_selectors.vetted_q); both: graded Good or better and vetted.

A period is a UK financial year ("2026-27": 1 April to 31 March).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import connection, models, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum, Value
from django.db.models.functions import (
    Coalesce,
    Cos,
    Left,
    Radians,
    StrIndex,
)

from accounts.models import User
from accounts.permissions import Action, can
from carehub import clock
from carehub.errors import DomainError, NotFound
from directory.models import Category, Council, Postcode, Provider, Registration, SearchLog, Service
from directory.search.selectors import EARTH_RADIUS_KM, KM_PER_MILE
from directory.vetting.selectors import vetted_q
from marketplace.models import Account, Budget, Commitment

GOOD_GRADE = 4  # "Good" on the six-point scale
FEW_RESULTS = 2  # a search that found this many services or fewer found "very little"
SUPPRESS_BELOW = 5  # public figures from fewer people than this are not shown
TOP_PROVIDERS = 10
UK_MAX_LATITUDE = 61.0  # widest longitude span needed for a bounding box in the UK (Shetland)


def gap_radius_miles() -> int:
    return int(settings.CAREHUB_GAP_RADIUS_MILES)


# --- Input: council, period, category ------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def label(self) -> str:
        return f"{self.start.year}-{str(self.end.year)[2:]}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def start_at(self) -> datetime:
        return clock.day_start(self.start)

    def end_before(self) -> datetime:
        return clock.day_start(self.end + timedelta(days=1))


def financial_year(day: date) -> Period:
    first = day.year if day.month >= 4 else day.year - 1
    return Period(date(first, 4, 1), date(first + 1, 3, 31))


def period_parse(value: str | None, *, today: date | None = None) -> Period:
    """'2026-27' → 1 April 2026 to 31 March 2027; blank → this financial year."""
    today = today or clock.today()
    if not value:
        return financial_year(today)
    match = re.fullmatch(r"(\d{4})-(\d{2})", value.strip())
    if not match or not 2000 <= int(match[1]) <= 2100 or (int(match[1]) + 1) % 100 != int(match[2]):
        raise DomainError("Choose a financial year like 2026-27.", field="period")
    return financial_year(date(int(match[1]), 4, 1))


def period_choices(*, today: date | None = None, years: int = 4) -> list[Period]:
    current = financial_year(today or clock.today())
    return [financial_year(date(current.start.year - n, 4, 1)) for n in range(years)]


def category_parse(value: str | None) -> Category | None:
    if not value:
        return None
    found = Category.objects.filter(slug=value).first()
    if found is None:
        raise DomainError("Choose a type of care from the list.", field="category")
    return found


def council_for_commissioner(*, user: User, ref: str) -> Council:
    """The council (by slug or GSS code) if the user commissions for it; else NotFound (nothing leaks)."""
    council = Council.objects.filter(Q(slug=ref) | Q(gss_code=ref.upper())).first()
    if council is None or not can(user, Action.COUNCIL_VIEW, council):
        raise NotFound("Council not found.")
    return council


def councils_for_commissioner(*, user: User) -> QuerySet[Council]:
    if not user.is_authenticated:
        return Council.objects.none()
    return Council.objects.filter(commissioners__user=user).order_by("name").distinct()


def council_public(*, ref: str) -> Council:
    council = Council.objects.filter(Q(slug=ref) | Q(gss_code=ref.upper())).first()
    if council is None:
        raise NotFound("Council not found.")
    return council


@dataclass(frozen=True)
class Filters:
    council: Council
    period: Period
    category: Category | None = None


def miles_parse(value: str | None) -> float:
    if not value:
        return float(gap_radius_miles())
    try:
        miles = float(value)
    except ValueError:
        miles = -1.0
    if not 1 <= miles <= 50:
        raise DomainError("Enter a distance from 1 to 50 miles.", field="miles")
    return miles


def filters_parse(*, council: Council, query: Any) -> tuple[Filters, float]:
    """Filters and gap distance from a GET query (page or API). Raises DomainError on bad input."""
    period = period_parse(query.get("period"))
    category = category_parse(query.get("category"))
    return Filters(council=council, period=period, category=category), miles_parse(query.get("miles"))


# --- Building blocks ------------------------------------------------------------------------------


def _top_category() -> Coalesce:
    # Subcategories roll up to their top-level category.
    return Coalesce(F("category__parent_id"), F("category_id"))


def _district(path: str) -> models.Func:
    # "G12 8QQ" → "G12": the part before the space (postcodes are stored normalised).
    return Left(path, StrIndex(path, Value(" ")) - 1)


def _in_category(category: Category | None, path: str = "category") -> Q:
    if category is None:
        return Q()
    return Q(**{path: category}) | Q(**{f"{path}__parent": category})


def _settled_in(f: Filters) -> Q:
    return Q(
        status=Commitment.Status.SETTLED, settled_at__gte=f.period.start_at(), settled_at__lt=f.period.end_before()
    )


def _held_in(f: Filters) -> Q:
    # Planned in the period: by due date, or by the day it was made when undated. Plain
    # comparisons (no per-row date functions) so SQLite can scan fast too.
    return Q(status=Commitment.Status.HELD) & (
        Q(due_on__gte=f.period.start, due_on__lte=f.period.end)
        | Q(due_on__isnull=True, created_at__gte=f.period.start_at(), created_at__lt=f.period.end_before())
    )


def _commitments(f: Filters) -> QuerySet[Commitment]:
    """The council's commitments settled or planned in the period (and of the category)."""
    return (
        Commitment.objects.filter(budget__funder=f.council)
        .filter(_in_category(f.category))
        .filter(_settled_in(f) | _held_in(f))
    )


def _spend_sums(f: Filters) -> dict[str, Any]:
    return {
        "spent_pence": Coalesce(Sum(F("settled_pence") - F("refunded_pence"), filter=_settled_in(f)), 0),
        "committed_pence": Coalesce(Sum("amount_pence", filter=_held_in(f)), 0),
    }


# --- Spend ------------------------------------------------------------------------------------------


def _months(period: Period) -> list[date]:
    months, day = [], period.start
    while day <= period.end:
        months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def _month_period(months: list[date], i: int, period: Period) -> Period:
    end = months[i + 1] - timedelta(days=1) if i + 1 < len(months) else period.end
    return Period(months[i], end)


def _overview(f: Filters) -> dict[str, int]:
    """One scan of the council's commitments for every figure that needs no other GROUP BY:
    spend per month and per kind of budget, with Good-or-better providers, and the
    utilisation sums. Each row gets its month's index with one CASE of plain comparisons
    (no per-row date functions, which SQLite runs in Python); rows are grouped by (month
    index, kind) — at most 13 × 4 groups, added up here."""
    spent, held = F("settled_pence") - F("refunded_pence"), F("amount_pence")
    in_category = _in_category(f.category)
    months = [_month_period(_months(f.period), i, f.period) for i in range(len(_months(f.period)))]
    settled_month = models.Case(
        *[models.When(settled_at__lt=m.end_before(), then=Value(i)) for i, m in enumerate(months)],
        default=Value(-1),
    )
    held_month = models.Case(
        *[
            models.When(Q(due_on__lte=m.end) | Q(due_on__isnull=True, created_at__lt=m.end_before()), then=Value(i))
            for i, m in enumerate(months)
        ],
        default=Value(-1),
    )
    month_index = models.Case(
        models.When(_settled_in(f) & in_category, then=settled_month),
        models.When(_held_in(f) & in_category, then=held_month),
        default=Value(-1),
        output_field=models.IntegerField(),
    )
    overlapping = Q(budget__period_start__lte=f.period.end, budget__period_end__gte=f.period.start)
    is_settled = Q(status=Commitment.Status.SETTLED)
    good = Q(provider_id__in=good_provider_ids())
    vetted = Q(provider_id__in=Provider.objects.filter(vetted_q(prefix="")).values("pk"))
    groups = (
        Commitment.objects.filter(budget__funder=f.council)
        .values(mi=month_index, kind=F("budget__kind"))
        .annotate(
            spent=Coalesce(Sum(spent, filter=is_settled), 0),
            held=Coalesce(Sum(held, filter=Q(status=Commitment.Status.HELD)), 0),
            good=Coalesce(Sum(spent, filter=is_settled & good), 0),
            vetted=Coalesce(Sum(spent, filter=is_settled & vetted), 0),
            both=Coalesce(Sum(spent, filter=is_settled & good & vetted), 0),
            u_all=Coalesce(Sum(spent, filter=overlapping & is_settled), 0),
            u_period=Coalesce(Sum(spent, filter=overlapping & _settled_in(f)), 0),
        )
        .order_by()
    )
    totals = dict.fromkeys(
        [f"{x}{i}" for i in range(len(months)) for x in "sc"]
        + [f"{kind}_{x}" for kind in Budget.Kind.values for x in "sc"]
        + ["good", "vetted", "both", "u_all", "u_period"],
        0,
    )
    for row in groups:
        totals["u_all"] += row["u_all"]
        totals["u_period"] += row["u_period"]
        if row["mi"] < 0:
            continue  # outside the period or the category
        totals[f"s{row['mi']}"] += row["spent"]
        totals[f"c{row['mi']}"] += row["held"]
        totals[f"{row['kind']}_s"] += row["spent"]
        totals[f"{row['kind']}_c"] += row["held"]
        for key in ("good", "vetted", "both"):
            totals[key] += row[key]
    return totals


def spend_by_month(f: Filters, *, overview: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """Every month of the period: spent (by settlement month) and committed (by planned month)."""
    totals = overview or _overview(f)
    return [
        {"month": first, "spent_pence": totals[f"s{i}"], "committed_pence": totals[f"c{i}"]}
        for i, first in enumerate(_months(f.period))
    ]


def _by_district_category(f: Filters) -> list[dict[str, Any]]:
    """One GROUP BY (holder's postcode district, category) of the period's spend and
    commitments; serves both the spend by type of care and the spend next to unmet demand.
    At most districts × subcategories rows (a few thousand), merged in Python."""
    district = models.Case(
        models.When(budget__person__postcode__contains=" ", then=_district("budget__person__postcode")),
        default=Value(""),
    )
    return list(_commitments(f).values("category_id", d=district).annotate(**_spend_sums(f)).order_by())


def _category_tree() -> dict[int, tuple[int, str]]:
    """category id → (top-level id, name)."""
    return {pk: (parent or pk, name) for pk, parent, name in Category.objects.values_list("pk", "parent_id", "name")}


def spend_by_category(f: Filters, *, grouped: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Top-level types of care (a category filter shows its subcategories instead)."""
    tree = _category_tree()
    totals: dict[int | None, dict[str, Any]] = {}
    for row in grouped if grouped is not None else _by_district_category(f):
        key = (
            row["category_id"] if f.category is not None or row["category_id"] is None else tree[row["category_id"]][0]
        )
        total = totals.setdefault(key, {"key_id": key, "spent_pence": 0, "committed_pence": 0})
        total["spent_pence"] += row["spent_pence"]
        total["committed_pence"] += row["committed_pence"]
    rows = sorted(totals.values(), key=lambda r: (-r["spent_pence"], r["key_id"] or 0))
    for row in rows:
        row["name"] = tree[row["key_id"]][1] if row["key_id"] else "Other"
    return rows


def spend_by_provider(f: Filters, *, limit: int | None = None) -> list[dict[str, Any]]:
    """Providers by spend, biggest first (names looked up for the rows returned only)."""
    grouped = (
        _commitments(f)
        .values("provider_id")
        .annotate(**_spend_sums(f))
        .order_by("-spent_pence", "-committed_pence", "provider_id")
    )
    rows = list(grouped[:limit] if limit else grouped)
    names = dict(Provider.objects.filter(pk__in=[r["provider_id"] for r in rows]).values_list("pk", "name"))
    for row in rows:
        row["name"] = names[row["provider_id"]]
    return rows


def spend_by_kind(f: Filters, *, overview: dict[str, int] | None = None) -> list[dict[str, Any]]:
    """Kinds of budget with spend or commitments in the period."""
    totals = overview or _overview(f)
    rows = [
        {"kind": kind, "name": label, "spent_pence": totals[f"{kind}_s"], "committed_pence": totals[f"{kind}_c"]}
        for kind, label in Budget.Kind.choices
    ]
    return [row for row in rows if row["spent_pence"] or row["committed_pence"]]


def good_provider_ids() -> QuerySet[Registration]:
    """Providers with an active registration graded Good (4) or better and none graded lower."""
    active = Registration.objects.filter(status=Registration.Status.ACTIVE)
    weak = active.filter(Q(lowest_grade__lt=GOOD_GRADE)).values("service__provider_id")
    return (
        active.filter(lowest_grade__gte=GOOD_GRADE)
        .exclude(service__provider_id__in=weak)
        .values("service__provider_id")
    )


def spend_quality(f: Filters, *, overview: dict[str, int] | None = None) -> dict[str, Any]:
    """Shares of the period's spend with providers graded Good or better, with vetted providers
    (vetted today: directory.vetting_selectors.vetted_q), and with providers that are both."""
    totals = overview or _overview(f)
    spent = sum(totals[f"s{i}"] for i in range(len(_months(f.period))))
    return {
        "spent_pence": spent,
        "good_pence": totals["good"],
        "good_share": round(totals["good"] / spent, 4) if spent else None,
        "vetted_pence": totals["vetted"],
        "vetted_share": round(totals["vetted"] / spent, 4) if spent else None,
        "good_and_vetted_pence": totals["both"],
        "good_and_vetted_share": round(totals["both"] / spent, 4) if spent else None,
    }


# --- Budgets: holders, utilisation, forecast ------------------------------------------------------


def _budgets(f: Filters) -> QuerySet[Budget]:
    return Budget.objects.filter(funder=f.council, period_start__lte=f.period.end, period_end__gte=f.period.start)


@dataclass
class Utilisation:
    budgets: int
    holders: int
    allocated_pence: int
    available_pence: int
    committed_pence: int
    spent_pence: int
    spent_in_period_pence: int
    forecast_spend_pence: int
    forecast_variance_pence: int  # allocated - forecast spend: positive is an underspend

    @property
    def utilisation(self) -> float | None:
        used = self.spent_pence + self.committed_pence
        return round(used / self.allocated_pence, 4) if self.allocated_pence else None

    @property
    def forecast_underspend(self) -> bool:
        return self.forecast_variance_pence >= 0


def budget_utilisation(f: Filters, *, today: date | None = None, overview: dict[str, int] | None = None) -> Utilisation:
    """Budgets of the council that overlap the period (the category filter does not apply)."""
    today = today or clock.today()
    totals = overview or _overview(f)
    budgets = _budgets(f)
    counts = budgets.aggregate(budgets=Count("pk"), holders=Count("person_id", distinct=True))
    balances = dict(
        Account.objects.filter(budget__in=budgets.values("pk"))
        .values_list("kind")
        .annotate(total=Sum("balance_pence"))
        .order_by()
    )
    spent = {"all": totals["u_all"], "period": totals["u_period"]}
    available = balances.get(Account.Kind.BUDGET_AVAILABLE, 0)
    committed = balances.get(Account.Kind.BUDGET_COMMITTED, 0)
    allocated = available + committed + spent["all"]
    elapsed = min(max((today - f.period.start).days + 1, 1), f.period.days)
    remaining = max((f.period.end - max(today, f.period.start - timedelta(days=1))).days, 0)
    projected = spent["period"] * remaining // elapsed
    forecast = spent["all"] + max(projected, committed)
    return Utilisation(
        budgets=counts["budgets"],
        holders=counts["holders"],
        allocated_pence=allocated,
        available_pence=available,
        committed_pence=committed,
        spent_pence=spent["all"],
        spent_in_period_pence=spent["period"],
        forecast_spend_pence=forecast,
        forecast_variance_pence=allocated - forecast,
    )


# --- Unmet demand ---------------------------------------------------------------------------------


def unmet_demand(
    f: Filters, *, few: int = FEW_RESULTS, grouped: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    """By postcode district and type of care: searches in the period that found `few` or fewer
    services, next to the period's spend and the number of published services there."""
    logs = SearchLog.objects.filter(council=f.council, searched_on__gte=f.period.start, searched_on__lte=f.period.end)
    logs = logs.filter(_in_category(f.category))
    demand = list(
        logs.values("district", cat=_top_category())
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
        for row in through.objects.filter(
            service__status=Service.Status.PUBLISHED, service__council=f.council, service__postcode__contains=" "
        )
        .annotate(d=_district("service__postcode"))
        .filter(d__in=districts)
        .values("d", cat=_top_category())
        .annotate(n=Count("service_id", distinct=True))
        .order_by()
    }
    tree = _category_tree()
    spend: dict[tuple[str, int | None], int] = {}
    for row in grouped if grouped is not None else _by_district_category(f):
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


KM_PER_DEGREE = math.pi * EARTH_RADIUS_KM / 180


def _distance_to_outer_km_squared() -> models.ExpressionWrapper:
    """Squared distance in km² between a service and the outer row (which carries `coslat`),
    on a flat projection: within 0.5% of the great circle at these distances, and plain
    arithmetic, so it costs nothing per row on either database."""
    dy = (F("latitude") - OuterRef("latitude")) * Value(KM_PER_DEGREE)
    dx = (F("longitude") - OuterRef("longitude")) * OuterRef("coslat") * Value(KM_PER_DEGREE)
    return models.ExpressionWrapper(dx * dx + dy * dy, output_field=models.FloatField())


def holders_without_service(f: Filters, *, miles: float | None = None) -> dict[str, Any]:
    """How many budget holders have no published service of each type of care within `miles`.

    Counted, never listed. A holder is placed at their postcode district's centroid (the
    directory ships district centroids for the whole country), so the distance is accurate
    to a mile or two; holders with no known postcode district are counted apart.
    """
    miles = float(miles if miles is not None else gap_radius_miles())
    radius_km = miles * KM_PER_MILE
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM) + 1e-6
    dlng = dlat / math.cos(math.radians(UK_MAX_LATITUDE))
    holders = dict(
        _budgets(f)
        .filter(person__postcode__contains=" ")
        .annotate(d=_district("person__postcode"))
        .values_list("d")
        .annotate(n=Count("person_id", distinct=True))
        .order_by()
    )
    all_holders = _budgets(f).aggregate(n=Count("person_id", distinct=True))["n"]
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


# --- Public transparency ----------------------------------------------------------------------------


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
    _roomy_sorts()
    f = Filters(council=council, period=period)
    settled = Commitment.objects.filter(budget__funder=council).filter(_settled_in(f))
    spent = F("settled_pence") - F("refunded_pence")
    by_category = list(
        settled.values(key_id=_top_category())
        .annotate(spent_pence=Coalesce(Sum(spent), 0), holders=Count("budget__person_id", distinct=True))
        .order_by("key_id")
    )
    names = dict(Category.objects.filter(parent=None).values_list("pk", "name"))
    for row in by_category:
        row["name"] = names.get(row["key_id"], "Other")
    by_category.sort(key=lambda r: r["name"])
    # One scan, a filtered sum and count per month (no per-row date truncation); empty months left out.
    months = _months(period)
    sums: dict[str, Any] = {}
    for i in range(len(months)):
        in_month = _settled_in(Filters(council, _month_period(months, i, period)))
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
        .values(key_id=_top_category())
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


# --- The whole dashboard -------------------------------------------------------------------------


PARTS = ("utilisation", "by_month", "by_category", "by_kind", "top_providers", "quality", "unmet", "gaps")


@dataclass
class Dashboard:
    filters: Filters
    utilisation: Utilisation | None = None
    by_month: list[dict[str, Any]] = field(default_factory=list)
    by_category: list[dict[str, Any]] = field(default_factory=list)
    by_kind: list[dict[str, Any]] = field(default_factory=list)
    top_providers: list[dict[str, Any]] = field(default_factory=list)
    quality: dict[str, Any] = field(default_factory=dict)
    unmet: list[dict[str, Any]] = field(default_factory=list)
    gaps: dict[str, Any] = field(default_factory=dict)

    @property
    def spent_pence(self) -> int:
        return sum(row["spent_pence"] for row in self.by_kind)

    @property
    def committed_pence(self) -> int:
        return sum(row["committed_pence"] for row in self.by_kind)


def _roomy_sorts() -> None:
    """PostgreSQL settings for this transaction only (SET LOCAL).

    The planner cannot tell how few groups the month index makes, so it sorts every row,
    which spills to disk at the default 4 MB: give the sort room. And these aggregates cost
    just enough to trigger JIT compilation, which takes longer (~100 ms a query, measured)
    than the scan it would speed up."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '32MB'")
            cursor.execute("SET LOCAL jit = off")


def dashboard(
    f: Filters, *, today: date | None = None, miles: float | None = None, parts: tuple[str, ...] = PARTS
) -> Dashboard:
    """Everything the commissioner's page shows (or only `parts` of it), in a fixed number of queries."""
    with transaction.atomic():
        _roomy_sorts()
        overview = _overview(f) if {"utilisation", "by_month", "by_kind", "quality"} & set(parts) else None
        grouped = _by_district_category(f) if {"by_category", "unmet"} & set(parts) else None
        build = {
            "utilisation": lambda: budget_utilisation(f, today=today, overview=overview),
            "by_month": lambda: spend_by_month(f, overview=overview),
            "by_category": lambda: spend_by_category(f, grouped=grouped),
            "by_kind": lambda: spend_by_kind(f, overview=overview),
            "top_providers": lambda: spend_by_provider(f, limit=TOP_PROVIDERS),
            "quality": lambda: spend_quality(f, overview=overview),
            "unmet": lambda: unmet_demand(f, grouped=grouped),
            "gaps": lambda: holders_without_service(f, miles=miles),
        }
        return Dashboard(filters=f, **{part: build[part]() for part in parts})
