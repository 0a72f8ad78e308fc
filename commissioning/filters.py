"""What a commissioner's figures are for: a council, a period and a type of care.

A period is a UK financial year ("2026-27": 1 April 2026 to 31 March 2027), the
year council budgets run on. Parsing turns a GET query (page or API) into
`Filters` or a DomainError naming the field, so both show the same message.

The Q-builders at the end apply a period and a category to commitments; the
spend, gaps and transparency figures all date money the same way through them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet

from accounts.models import User
from accounts.permissions import Action, can
from carehub import clock
from carehub.errors import DomainError, NotFound
from directory.models import Category, Council
from marketplace.models import Commitment


def gap_radius_miles() -> int:
    return int(settings.CAREHUB_GAP_RADIUS_MILES)


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


def period_months(period: Period) -> list[date]:
    """The first day of every month of the period."""
    months, day = [], period.start
    while day <= period.end:
        months.append(day)
        day = date(day.year + day.month // 12, day.month % 12 + 1, 1)
    return months


def month_period(months: list[date], i: int, period: Period) -> Period:
    """Month `i` of `months` as a period (the last one ends with the period)."""
    end = months[i + 1] - timedelta(days=1) if i + 1 < len(months) else period.end
    return Period(months[i], end)


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


def councils_public() -> QuerySet[Council]:
    """Every council, by name: each has a public spending page."""
    return Council.objects.order_by("name")


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


# --- Filters as SQL conditions --------------------------------------------------------------------


def in_category(category: Category | None, path: str = "category") -> Q:
    """A type of care and its subcategories (no category: everything)."""
    if category is None:
        return Q()
    return Q(**{path: category}) | Q(**{f"{path}__parent": category})


def settled_in(f: Filters) -> Q:
    """Commitments settled in the period, dated by `settled_at` (UK days)."""
    return Q(
        status=Commitment.Status.SETTLED, settled_at__gte=f.period.start_at(), settled_at__lt=f.period.end_before()
    )


def held_in(f: Filters) -> Q:
    """Commitments planned in the period: by due date, or by the day they were made when undated."""
    # Plain comparisons (no per-row date functions) so SQLite can scan fast too.
    return Q(status=Commitment.Status.HELD) & (
        Q(due_on__gte=f.period.start, due_on__lte=f.period.end)
        | Q(due_on__isnull=True, created_at__gte=f.period.start_at(), created_at__lt=f.period.end_before())
    )
