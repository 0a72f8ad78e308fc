"""Reading register files and the small value parsers every register needs."""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO

from carehub.errors import DomainError
from carehub.postcodes import InvalidPostcode, normalise_postcode
from directory.registers.importers.records import RegisterRecord, RowError


class RegisterFileInvalid(DomainError):
    """The file as a whole cannot be imported (wrong columns, empty, not text); nothing was written."""

    status_code = 400
    code = "register_file_invalid"


class RowInvalid(ValueError):
    """One row cannot be imported; the message is the reason shown in the report."""


@dataclass
class ParsedFile:
    file_name: str
    sha256: str
    total_rows: int
    records: list[RegisterRecord] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    _seen: dict[str, int] = field(default_factory=dict, repr=False)

    def add_row(
        self, *, row_number: int, row: dict[str, str], reference: str, parse: Callable[[], RegisterRecord]
    ) -> None:
        """Count one data row and keep its record, or report why not (ragged row, invalid
        value, a registration number seen earlier in the file)."""
        self.total_rows += 1
        if None in row or any(v is None for v in row.values()):
            self.errors.append(RowError(row_number, "the row has a different number of columns", reference))
            return
        try:
            record = parse()
        except RowInvalid as exc:
            self.errors.append(RowError(row_number, str(exc), reference))
            return
        if record.registration_number in self._seen:
            first = self._seen[record.registration_number]
            self.errors.append(RowError(row_number, f"{reference} appears again (first at row {first})", reference))
            return
        self._seen[record.registration_number] = row_number
        self.records.append(record)


def read_text(source: str | Path | IO[bytes]) -> tuple[str, str, str]:
    """Return (file name, sha256, text) for a path or an open binary file."""
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise RegisterFileInvalid(f"There is no file at {path}.")
        data, name = path.read_bytes(), path.name
    else:
        source.seek(0)
        data, name = source.read(), Path(getattr(source, "name", "") or "upload").name
    if not data.strip():
        raise RegisterFileInvalid(f"{name} is empty.")
    if b"\0" in data[:4096]:
        raise RegisterFileInvalid(f"{name} is not a CSV file (it looks like a binary file).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # the registers' older exports
    return name, hashlib.sha256(data).hexdigest(), text


def check_columns(name: str, header: list[str] | None, required: list[str]) -> None:
    missing = [c for c in required if c not in (header or [])]
    if missing:
        raise RegisterFileInvalid(
            f"{name} does not look like the expected register file: missing column(s) {', '.join(missing)}."
        )


def parse_date(value: str, column: str) -> date | None:
    value = value.strip()
    if not value:
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y"):
        try:
            return datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
    raise RowInvalid(f"{column} '{value}' is not a date (dd/mm/yyyy)")


_NUMBER = re.compile(r"^\d+(\.0+)?$")


def parse_count(value: str, column: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not _NUMBER.match(value):
        raise RowInvalid(f"{column} '{value}' is not a whole number")
    return int(float(value))


def parse_postcode(value: str) -> str:
    """A register postcode in its usual form, or "" when blank or malformed (listed by council only)."""
    try:
        return normalise_postcode(value) if value.strip() else ""
    except InvalidPostcode:
        return ""


def csv_rows(name: str, reader: csv.DictReader) -> Iterator[tuple[int, dict[str, str]]]:
    """(index, row) pairs; a row the csv module cannot read makes the whole file invalid, clearly."""
    try:
        yield from enumerate(reader)
    except csv.Error as exc:
        raise RegisterFileInvalid(f"{name} is not a valid CSV file near line {reader.line_num}: {exc}.") from exc
