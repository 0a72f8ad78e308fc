"""The results page's rows, built straight from SQL like the API's (api_rows.py): no model
instance for a service, its provider or its categories, and each text the page shows (distance,
types of care, price, where, grades, rating, vetting) worked out once here, for
jinja2/directory/_search_results.html to write out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from directory.registers.display import grade_range
from directory.search.api_rows import ResultLoader, ResultSource
from directory.search.display import one_decimal, price_text
from directory.search.selectors import KM_PER_MILE
from directory.templatetags.vetting import vetting_dates


@dataclass(frozen=True, slots=True)
class ResultRow:
    pk: int
    code: str
    name: str
    status: str
    detail_url: str
    provider_name: str
    distance_text: str
    category_text: str
    price_text: str
    where_text: str
    grades: dict[str, Any] | None  # grade_range's, for a service registered with a regulator
    rating: tuple[float, int] | None  # (average, number of reviews), once it has reviews
    vetting: dict[str, Any] | None  # vetting_dates', while the provider is vetted


def _page_row(source: ResultSource, km: float | None, url_prefix: str, url_suffix: str) -> ResultRow:
    head = source.head
    return ResultRow(
        pk=head.id,
        code=str(head.code),
        name=head.name,
        status=head.status,
        detail_url=f"{url_prefix}{head.code}{url_suffix}",
        provider_name=head.provider_name,
        distance_text=distance_text(km),
        category_text=", ".join(label for _, label in source.categories),
        price_text=price_text(head.price_on_request, head.price_pence, head.price_unit),
        where_text=where_text(head.delivered_at_location, head.delivered_at_home, head.delivered_remotely, head.town),
        grades=None if source.registration is None else grade_range(source.registration),
        rating=(head.average, head.review_count) if head.review_count else None,
        vetting=vetting_dates(source.vetting),
    )


search_page_rows = ResultLoader(_page_row)  # the results page's rows and their texts


def distance_text(km: float | None) -> str:
    """``1.2 miles (1.9 km)``, each as floatformat:1 would show it."""
    if km is None:
        return ""
    return f"{one_decimal(km / KM_PER_MILE)} miles ({one_decimal(km)} km)"


def where_text(at_location: bool, at_home: bool, remotely: bool, town: str) -> str:
    where = []
    if at_location:
        where.append(f"At their premises in {town}" if town else "At their premises")
    if at_home:
        where.append("At your home")
    if remotely:
        where.append("Online or by phone")
    return "; ".join(where)
