"""The Care Quality Commission's public care directory CSV (England).

Layout: four preamble lines (title, date, licence...), then the header row
(whose 'CQC Location (for office use only' really lacks its closing bracket),
then one row per registered location. Rating columns are optional; CQC rates
on a four-point scale (Outstanding, Good, Requires improvement, Inadequate).
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path
from typing import IO

from directory.models import Nation, Registration
from directory.registers.importers.files import (
    ParsedFile,
    RegisterFileInvalid,
    RowInvalid,
    check_columns,
    csv_rows,
    parse_date,
    parse_postcode,
    read_text,
)
from directory.registers.importers.records import RegisterRecord
from directory.registers.importers.taxonomy import CQC_AT_HOME, CQC_SERVICE_TYPE_CATEGORIES, CQC_SPECIALISM_GROUPS

PREAMBLE_LINES = 4
LOCATION_ID = "CQC Location (for office use only"
PROVIDER_ID = "CQC Provider ID (for office use only)"
REQUIRED_COLUMNS = [
    "Name",
    "Address",
    "Postcode",
    "Phone number",
    "Service's website (if available)",
    "Service types",
    "Date of latest check",
    "Specialisms/services",
    "Provider name",
    "Local Authority",
    "Location URL",
    LOCATION_ID,
    PROVIDER_ID,
]
# Rating columns CQC adds in some exports; matched case-insensitively, " rating" optional.
RATING_COLUMNS = {
    "overall": ("overall rating", "latest overall rating", "rating", "overall"),
    "safe": ("safe", "safe rating"),
    "effective": ("effective", "effective rating"),
    "caring": ("caring", "caring rating"),
    "responsive": ("responsive", "responsive rating"),
    "well_led": ("well-led", "well-led rating", "well led"),
}
RATINGS = {"outstanding": 4, "good": 3, "requires improvement": 2, "inadequate": 1}
NOT_RATED = {"", "not rated", "insufficient evidence to rate", "n/a"}
_CQC_ID = re.compile(r"^1-\d{5,}$")


def _split(value: str) -> list[str]:
    return [p.strip() for p in re.split(r"[|;]", value) if p.strip()]


def _record(row_number: int, row: dict[str, str], rating_columns: dict[str, str]) -> RegisterRecord:
    location_id = row[LOCATION_ID].strip()
    if not _CQC_ID.match(location_id):
        raise RowInvalid(f"location id '{location_id}' is not a CQC location id (like 1-466088203)")
    provider_id = row[PROVIDER_ID].strip()
    if not _CQC_ID.match(provider_id):
        raise RowInvalid(f"provider id '{provider_id}' is not a CQC provider id (like 1-101641521)")
    name = row["Name"].strip()
    if not name:
        raise RowInvalid("Name is blank")
    provider_name = row["Provider name"].strip() or name
    grades: dict[str, int] = {}
    for key, column in rating_columns.items():
        value = row[column].strip().lower()
        if value in NOT_RATED:
            continue
        if value not in RATINGS:
            raise RowInvalid(f"{column} '{row[column].strip()}' is not a CQC rating")
        grades[key] = RATINGS[value]
    types = [t.lower() for t in _split(row["Service types"])]
    specialisms = [s.lower() for s in _split(row["Specialisms/services"])]
    checked_on = parse_date(row["Date of latest check"], "Date of latest check")
    url = row["Location URL"].strip()
    return RegisterRecord(
        row_number=row_number,
        registration_number=location_id,
        provider_number=provider_id,
        provider_name=provider_name,
        name=name,
        status=Registration.Status.ACTIVE,
        address_line_1=row["Address"].strip(),
        postcode=parse_postcode(row["Postcode"]),
        phone=row["Phone number"].strip(),
        website=row["Service's website (if available)"].strip(),
        council_name=row["Local Authority"].strip(),
        nation=Nation.ENGLAND,
        service_type=", ".join(_split(row["Service types"]))[:120],
        subtype=", ".join(_split(row["Specialisms/services"]))[:255],
        category_slugs=list(dict.fromkeys(s for t in types for s in CQC_SERVICE_TYPE_CATEGORIES.get(t, []))),
        client_group_slugs=list(dict.fromkeys(g for s in specialisms for g in CQC_SPECIALISM_GROUPS.get(s, []))),
        delivered_at_home=bool(types) and all(t in CQC_AT_HOME for t in types),
        graded_on=checked_on if grades else None,
        last_inspected_on=checked_on,
        grades=grades,
        register_url=url if url.startswith("https://") else "",
    )


def parse_cqc(source: str | Path | IO[bytes]) -> ParsedFile:
    """Parse a CQC care directory CSV. Raises RegisterFileInvalid for a file that is not one."""
    name, sha256, text = read_text(source)
    lines = io.StringIO(text, newline="")
    for _ in range(PREAMBLE_LINES):
        if not lines.readline():
            raise RegisterFileInvalid(f"{name} ends before its header row (CQC files have 4 lines before it).")
    reader = csv.DictReader(lines)
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    check_columns(name, header, REQUIRED_COLUMNS)
    lowered = {h.lower(): h for h in header}
    rating_columns = {
        key: lowered[alias] for key, aliases in RATING_COLUMNS.items() for alias in aliases if alias in lowered
    }
    parsed = ParsedFile(file_name=name, sha256=sha256, total_rows=0)
    for index, row in csv_rows(name, reader):
        row_number = PREAMBLE_LINES + index + 2  # as a spreadsheet shows it: the header is row 5
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue  # blank line at the end
        parsed.add_row(
            row_number=row_number,
            row=row,
            reference=(row.get(LOCATION_ID) or "").strip(),
            parse=lambda row=row, row_number=row_number: _record(row_number, row, rating_columns),
        )
    return parsed
