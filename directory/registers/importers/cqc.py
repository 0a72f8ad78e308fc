"""The Care Quality Commission's public care directory CSV (England).

Layout: four preamble lines (title, date, licence...), then the header row
(whose 'CQC Location (for office use only' really lacks its closing bracket),
then one row per registered location. The header is found by its location-id
column among the first lines, so a file whose preamble was trimmed or grew still
reads (with a warning). Rating columns are optional; CQC rates on a four-point
scale (Outstanding, Good, Requires improvement, Inadequate).
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
    Warn,
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
# The columns read, in the order CQC publishes them ("Also known as" and "Region" are ignored).
COLUMNS = [
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
# May be missing (read as blank, with a warning): contact details are CareHub's only when it
# first lists a service; the provider keeps them up to date in the portal afterwards.
OPTIONAL_COLUMNS = {"Phone number", "Service's website (if available)"}
KIND = "a CQC care directory CSV"
HEADER_SEARCH_LINES = 10
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


def _record(row_number: int, row: dict[str, str], rating_columns: dict[str, str], warn: Warn) -> RegisterRecord:
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
    checked_on = parse_date(row["Date of latest check"], "Date of latest check", warn)
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


def _header_line(name: str, lines: list[str]) -> int:
    """The index of the header row: the first line naming the location-id column."""
    for index, line in enumerate(lines[:HEADER_SEARCH_LINES]):
        if LOCATION_ID in line:
            return index
    raise RegisterFileInvalid(
        f"{name} does not look like {KIND}: none of its first {HEADER_SEARCH_LINES} lines is a header row "
        f"with the column '{LOCATION_ID}'. Check that you chose the right register."
    )


def parse_cqc(source: str | Path | IO[bytes]) -> ParsedFile:
    """Parse a CQC care directory CSV. Raises RegisterFileInvalid for a file that is not one."""
    name, sha256, text = read_text(source)
    stream = io.StringIO(text, newline="")
    first_lines = [stream.readline() for _ in range(HEADER_SEARCH_LINES)]
    preamble = _header_line(name, first_lines)
    stream.seek(0)
    for _ in range(preamble):
        stream.readline()
    reader = csv.DictReader(stream)
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    file_warnings = check_columns(name, header, COLUMNS, kind=KIND, optional=OPTIONAL_COLUMNS)
    if preamble != PREAMBLE_LINES:
        file_warnings.insert(
            0, f"the header is on line {preamble + 1}, not line {PREAMBLE_LINES + 1} as in CQC's published file"
        )
    lowered = {h.lower(): h for h in header}
    rating_columns = {
        key: lowered[alias] for key, aliases in RATING_COLUMNS.items() for alias in aliases if alias in lowered
    }
    blank = dict.fromkeys(OPTIONAL_COLUMNS - set(header), "")  # missing optional columns read as blank
    parsed = ParsedFile(file_name=name, sha256=sha256, total_rows=0, file_warnings=file_warnings)
    for index, row in csv_rows(name, reader):
        row_number = preamble + index + 2  # as a spreadsheet shows it: the header is row preamble + 1
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue  # blank line at the end
        row.update(blank)
        parsed.add_row(
            row_number=row_number,
            row=row,
            reference=(row.get(LOCATION_ID) or "").strip(),
            parse=lambda row=row, row_number=row_number: _record(row_number, row, rating_columns, parsed.warn),
        )
    return parsed
