"""Reads for the directory's pages and API: postcode lookup and service search."""

from __future__ import annotations

from .models import Postcode
from .postcodes import normalise_postcode, postcode_district, postcode_sector


def postcode_lookup(*, postcode: str) -> Postcode | None:
    """Geocode a postcode: the unit if known, else its sector's centroid, else its
    district's. The returned row's ``precision`` says which was used; None when
    even the district is unknown. Raises InvalidPostcode for a malformed postcode."""
    unit = normalise_postcode(postcode)
    candidates = [unit, postcode_sector(unit), postcode_district(unit)]
    rows = {row.postcode: row for row in Postcode.objects.select_related("council").filter(postcode__in=candidates)}
    for key in candidates:
        if key in rows:
            return rows[key]
    return None
