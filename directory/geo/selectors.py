"""Reads for postcodes: geocoding a postcode, falling back from unit to sector to district."""

from __future__ import annotations

from carehub.postcodes import normalise_postcode, postcode_district, postcode_sector
from directory.models import Postcode


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
