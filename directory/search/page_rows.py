"""The results page's rows, built straight from SQL like the API's (api_rows.py): no model
instance for a service, its provider or its categories, and each text the page shows (distance,
types of care, price, where, grades, rating, vetting) worked out once here, for
jinja2/directory/_search_results.html to write out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from directory.registers.display import grade_range
from directory.search.api_rows import fetch_result_rows, result_head, result_registration, result_vetting
from directory.search.display import one_decimal, price_text, service_detail_url_parts
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


def search_page_rows(pairs: list[tuple[int, float | None]]) -> list[ResultRow]:
    """The results page's rows for a page's (service id, distance in km) pairs, in their order."""
    if not pairs:
        return []
    rows, categories, plan = fetch_result_rows([pk for pk, _ in pairs])
    url_prefix, url_suffix = service_detail_url_parts()
    by_id = {}
    for row in rows:
        (
            pk,
            code,
            name,
            _postcode,
            _latitude,
            _longitude,
            at_location,
            at_home,
            remotely,
            _radius,
            pence,
            unit,
            on_request,
            town,
            status,
            _provider_code,
            provider_name,
            review_count,
            average,
            _score,
        ) = result_head(row, plan)
        registration = result_registration(row, plan)
        by_id[pk] = {
            "pk": pk,
            "code": str(code),
            "name": name,
            "status": status,
            "detail_url": f"{url_prefix}{code}{url_suffix}",
            "provider_name": provider_name,
            "category_text": ", ".join(label for _, label in categories[pk]),
            "price_text": price_text(on_request, pence, unit),
            "where_text": where_text(at_location, at_home, remotely, town),
            "grades": None if registration is None else grade_range(registration),
            "rating": (average, review_count) if review_count else None,
            "vetting": vetting_dates(result_vetting(row, plan)),
        }
    return [ResultRow(**by_id[pk], distance_text=distance_text(km)) for pk, km in pairs]


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
