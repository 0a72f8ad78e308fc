"""UK postcode parsing.

``normalise_postcode`` is what every user-typed or imported postcode goes
through: tolerant of case and spacing (``g128qq`` → ``G12 8QQ``), strict about
the format. The outward code (area + district) and inward code (sector digit
+ unit letters) follow the Royal Mail rules, so that typos such as ``G12 8QC``
(C is never used in the inward code) are refused rather than looked up.
"""

from __future__ import annotations

import re

from carehub.errors import DomainError


class InvalidPostcode(DomainError):
    status_code = 400
    code = "invalid_postcode"

    def __init__(self, message: str = "Enter a real postcode, like G12 8QQ", *, field: str | None = "postcode") -> None:
        super().__init__(message, field=field)


# Outward codes: A9, A99, AA9, AA99, A9A, AA9A. Letters used in each position follow
# the Royal Mail PAF rules; the inward code's letters never include C, I, K, M, O or V.
_OUTWARD = (
    r"(?:[A-PR-UWYZ][0-9]{1,2}|[A-PR-UWYZ][A-HK-Y][0-9]{1,2}"
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW]|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY])"
)
_INWARD = r"[0-9][ABD-HJLNP-UW-Z]{2}"
_FULL = re.compile(rf"^(?P<outward>{_OUTWARD}|GIR)(?P<inward>{_INWARD}|0AA)$")
_STRIP = re.compile(r"[\s\-]+")


def normalise_postcode(raw: str | None) -> str:
    """Return the postcode in its usual form (``G12 8QQ``) or raise InvalidPostcode."""
    if raw is None or not str(raw).strip():
        raise InvalidPostcode("Enter a postcode, like G12 8QQ")
    compact = _STRIP.sub("", str(raw)).upper()
    if len(compact) > 8:
        raise InvalidPostcode("A postcode is at most 7 letters and numbers, like G12 8QQ")
    match = _FULL.match(compact)
    if not match:
        raise InvalidPostcode("Enter a real postcode, like G12 8QQ")
    return f"{match['outward']} {match['inward']}"


def normalise_optional_postcode(raw: str | None) -> str:
    """For a postcode someone may leave out: blank → "" (none given), else the normal form.

    Raises InvalidPostcode for something typed that is not a real postcode, so that it is
    refused rather than stored in a form nothing else can match (stored postcodes are
    compared and cut into districts as ``G12 8QQ``)."""
    if raw is None or not str(raw).strip():
        return ""
    return normalise_postcode(raw)


def is_valid_postcode(raw: str | None) -> bool:
    try:
        normalise_postcode(raw)
    except InvalidPostcode:
        return False
    return True


def postcode_sector(pc: str) -> str:
    """``G12 8QQ`` → ``G12 8``. Accepts anything normalise_postcode accepts."""
    outward, inward = normalise_postcode(pc).split(" ")
    return f"{outward} {inward[0]}"


def postcode_district(pc: str) -> str:
    """``G12 8QQ`` → ``G12``."""
    return normalise_postcode(pc).split(" ")[0]


def split_compact(compact: str) -> str:
    """Fast, lenient normalisation for trusted bulk data (Code-Point's fixed-width
    ``"G1  1BL"``, ``"AB101AA"``): remove spaces, insert one before the inward code.
    Returns "" for something too short to be a postcode."""
    compact = compact.replace(" ", "").upper()
    if len(compact) < 5 or len(compact) > 7:
        return ""
    return f"{compact[:-3]} {compact[-3:]}"
