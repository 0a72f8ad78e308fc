"""Commissioner dashboard: where a council's care money goes.

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
  (directory.vetting.selectors.vetted_q); both: graded Good or better and vetted.

Periods, categories and how they filter commitments: commissioning.filters.
Unmet demand and gaps: commissioning.gaps; the whole page: commissioning.dashboard.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db import connection, models
from django.db.models import Count, F, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Left, StrIndex

from carehub import clock
from commissioning.filters import Filters, held_in, in_category, month_period, period_months, settled_in
from directory.models import Category, Provider, Registration
from directory.vetting.selectors import vetted_q
from marketplace.models import Account, Budget, Commitment

GOOD_GRADE = 4  # "Good" on the six-point scale
TOP_PROVIDERS = 10


# --- Building blocks ------------------------------------------------------------------------------


def top_category() -> Coalesce:
    """Subcategories roll up to their top-level category."""
    return Coalesce(F("category__parent_id"), F("category_id"))


def postcode_district_of(path: str) -> models.Func:
    """The district of the postcode at `path`: the part before the space ("G12 8QQ" → "G12").

    Every stored postcode is in the normal form (carehub.postcodes.normalise_postcode,
    applied when accounts, the portal and the register imports store one). A blank
    postcode, or a value from before normalisation that was not a real postcode (no
    space), has no district: "" on both databases.
    """
    return Left(path, Greatest(StrIndex(path, Value(" ")) - 1, 0))


def council_budgets(f: Filters) -> QuerySet[Budget]:
    """The council's budgets that overlap the period (the category filter does not apply)."""
    return Budget.objects.filter(funder=f.council, period_start__lte=f.period.end, period_end__gte=f.period.start)


def _commitments(f: Filters) -> QuerySet[Commitment]:
    """The council's commitments settled or planned in the period (and of the category)."""
    return (
        Commitment.objects.filter(budget__funder=f.council)
        .filter(in_category(f.category))
        .filter(settled_in(f) | held_in(f))
    )


def _spend_sums(f: Filters) -> dict[str, Any]:
    return {
        "spent_pence": Coalesce(Sum(F("settled_pence") - F("refunded_pence"), filter=settled_in(f)), 0),
        "committed_pence": Coalesce(Sum("amount_pence", filter=held_in(f)), 0),
    }


def category_tree() -> dict[int, tuple[int, str]]:
    """category id → (top-level id, name)."""
    return {pk: (parent or pk, name) for pk, parent, name in Category.objects.values_list("pk", "parent_id", "name")}


def roomy_sorts() -> None:
    """PostgreSQL settings for this transaction only (SET LOCAL); call inside transaction.atomic.

    The planner cannot tell how few groups the month index makes, so it sorts every row,
    which spills to disk at the default 4 MB: give the sort room. And these aggregates cost
    just enough to trigger JIT compilation, which takes longer (~100 ms a query, measured)
    than the scan it would speed up."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = '32MB'")
            cursor.execute("SET LOCAL jit = off")


# --- Spend ------------------------------------------------------------------------------------------


def spend_overview(f: Filters) -> dict[str, int]:
    """One scan of the council's commitments for every figure that needs no other GROUP BY:
    spend per month and per kind of budget, with Good-or-better providers, and the
    utilisation sums. Each row gets its month's index with one CASE of plain comparisons
    (no per-row date functions, which SQLite runs in Python); rows are grouped by (month
    index, kind) — at most 13 × 4 groups, added up here."""
    spent, held = F("settled_pence") - F("refunded_pence"), F("amount_pence")
    category = in_category(f.category)
    firsts = period_months(f.period)
    months = [month_period(firsts, i, f.period) for i in range(len(firsts))]
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
        models.When(settled_in(f) & category, then=settled_month),
        models.When(held_in(f) & category, then=held_month),
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
            u_period=Coalesce(Sum(spent, filter=overlapping & settled_in(f)), 0),
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
    totals = overview or spend_overview(f)
    return [
        {"month": first, "spent_pence": totals[f"s{i}"], "committed_pence": totals[f"c{i}"]}
        for i, first in enumerate(period_months(f.period))
    ]


def spend_by_district_category(f: Filters) -> list[dict[str, Any]]:
    """One GROUP BY (holder's postcode district, category) of the period's spend and
    commitments; serves both the spend by type of care and the spend next to unmet demand
    (commissioning.gaps). At most districts × subcategories rows (a few thousand), merged
    in Python. `d` is "" for holders with no postcode district."""
    district = postcode_district_of("budget__person__postcode")
    return list(_commitments(f).values("category_id", d=district).annotate(**_spend_sums(f)).order_by())


def spend_by_category(f: Filters, *, grouped: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Top-level types of care (a category filter shows its subcategories instead)."""
    tree = category_tree()
    totals: dict[int | None, dict[str, Any]] = {}
    for row in grouped if grouped is not None else spend_by_district_category(f):
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
    totals = overview or spend_overview(f)
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
    (vetted today: directory.vetting.selectors.vetted_q), and with providers that are both."""
    totals = overview or spend_overview(f)
    spent = sum(totals[f"s{i}"] for i in range(len(period_months(f.period))))
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
    totals = overview or spend_overview(f)
    budgets = council_budgets(f)
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
