"""Reads for postcodes: geocoding a postcode, falling back from unit to sector to district."""

from __future__ import annotations

from typing import Any

from django.db import connection

from carehub.postcodes import normalise_postcode, postcode_district, postcode_sector
from carehub.prepared import execute_prepared_sql
from directory.models import Postcode


def postcode_lookup(*, postcode: str) -> Postcode | None:
    """Geocode a postcode: the unit if known, else its sector's centroid, else its
    district's. The returned row's ``precision`` says which was used; None when
    even the district is unknown. Raises InvalidPostcode for a malformed postcode."""
    candidates = _candidates(postcode)
    rows = {row.postcode: row for row in Postcode.objects.select_related("council").filter(postcode__in=candidates)}
    return _most_precise(candidates, rows)


def postcode_position(*, postcode: str) -> tuple[float, float, str] | None:
    """postcode_lookup's answer as (latitude, longitude, precision), without the council.

    A search needs only the position, and a search that misses the answer cache is measured
    in milliseconds (issue 13): the ORM's query (select_related, instances) cost it more Python
    than the database spent, so this one indexed statement is written out (and prepared once
    per connection on PostgreSQL, see carehub.prepared)."""
    candidates = _candidates(postcode)
    # Only the table's quoted name is formatted in; the postcodes are parameters.
    table = connection.ops.quote_name(Postcode._meta.db_table)
    sql = f"SELECT postcode, latitude, longitude, precision FROM {table} WHERE postcode IN "  # noqa: S608  # nosec B608
    with connection.cursor() as cursor:
        execute_prepared_sql(cursor, "postcode_position", sql + "(%s, %s, %s)", candidates)
        found = {row[0]: row[1:] for row in cursor.fetchall()}
    return _most_precise(candidates, found)


def _candidates(postcode: str) -> list[str]:
    """The unit, its sector and its district, most precise first; raises InvalidPostcode."""
    unit = normalise_postcode(postcode)
    return [unit, postcode_sector(unit), postcode_district(unit)]


def _most_precise(candidates: list[str], found: dict[str, Any]) -> Any | None:
    return next((found[key] for key in candidates if key in found), None)
