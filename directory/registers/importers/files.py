"""Reading register files and the small value parsers every register needs.

A register file may come as the CSV itself, gzipped (`.csv.gz`) or in a zip holding one
CSV: the reader looks at the file's first bytes, not its name, so an upload renamed by a
browser or the admin's storage still opens. Whatever does not hold one readable CSV is
refused with a message saying what it is instead, before anything is written.

Tolerated, with a warning in the import's report: columns in another order, missing
optional columns (contact details and extra address lines, which CareHub fills only when
it first lists a service), a row with more cells than the header, a date written as
"NA". Refused: a file without the columns that identify and grade a service.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePosixPath
from typing import IO

from carehub.errors import DomainError
from carehub.postcodes import InvalidPostcode, normalise_postcode
from directory.registers.importers.records import RegisterRecord, RowError

# The largest register today (CQC's, England) is ~40 MB of CSV; a larger file after
# decompression is not a register (and may be a zip bomb).
MAX_CSV_BYTES = 256 * 1024 * 1024
# Placeholders registers and spreadsheets write for "no value".
NO_VALUE = {"na", "n/a", "#n/a", "null", "none", "nil", "-", "--", "not applicable", "unknown"}


class RegisterFileInvalid(DomainError):
    """The file as a whole cannot be imported (wrong columns, empty, not text); nothing was written."""

    status_code = 400
    code = "register_file_invalid"


class RowInvalid(ValueError):
    """One row cannot be imported; the message is the reason shown in the report."""


Warn = Callable[[str], None]


@dataclass
class ParsedFile:
    file_name: str
    sha256: str
    total_rows: int
    records: list[RegisterRecord] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # Imported, but worth a look: rows (row number, what was read differently) and the file as a whole.
    warnings: list[RowError] = field(default_factory=list)
    file_warnings: list[str] = field(default_factory=list)
    _seen: dict[str, int] = field(default_factory=dict, repr=False)
    _notes: list[str] = field(default_factory=list, repr=False)  # the current row's warnings

    def warn(self, note: str) -> None:
        """Note that the row being parsed was read differently (kept if the row is imported)."""
        self._notes.append(note)

    def add_row(
        self, *, row_number: int, row: dict[str, str], reference: str, parse: Callable[[], RegisterRecord]
    ) -> None:
        """Count one data row and keep its record, or report why not (too few cells, an invalid
        value, a registration number seen earlier in the file). Cells beyond the header are
        ignored with a warning: a spreadsheet often leaves empty cells at the end of a row.
        `parse` may call `warn`."""
        self.total_rows += 1
        self._notes = notes = []
        extra = row.pop(None, None)  # type: ignore[call-overload]  # csv.DictReader's restkey
        if extra is not None:
            filled = [cell for cell in extra if cell.strip()]
            notes.append(
                f"{len(extra)} cell(s) after the last column ignored"
                + (f" ({', '.join(repr(c[:20]) for c in filled[:3])})" if filled else "")
            )
        if any(v is None for v in row.values()):
            self.errors.append(RowError(row_number, "the row has fewer cells than the header", reference))
            return
        try:
            record = parse()
        except RowInvalid as exc:
            # Cells beyond the header may mean an unquoted comma shifted the row: say so.
            reason = f"{exc} ({notes[0]}: a comma outside quotes?)" if extra else str(exc)
            self.errors.append(RowError(row_number, reason, reference))
            return
        if record.registration_number in self._seen:
            first = self._seen[record.registration_number]
            self.errors.append(RowError(row_number, f"{reference} appears again (first at row {first})", reference))
            return
        self._seen[record.registration_number] = row_number
        self.records.append(record)
        self.warnings.extend(RowError(row_number, note, reference) for note in notes)

    def warnings_summary(self, *, groups: int = 20, rows_shown: int = 5) -> str:
        """The warnings as a few lines for the import's report: file-level first, then row
        warnings grouped by what was read differently, with their first row numbers."""
        lines = [f"Warning: {w}" for w in self.file_warnings]
        by_reason: dict[str, list[int]] = {}
        for w in self.warnings:
            by_reason.setdefault(w.reason, []).append(w.row_number)
        for reason, rows in list(by_reason.items())[:groups]:
            shown = ", ".join(str(r) for r in rows[:rows_shown])
            more = f" and {len(rows) - rows_shown:,} more" if len(rows) > rows_shown else ""
            lines.append(f"Warning: {reason}: row{'s' if len(rows) > 1 else ''} {shown}{more}")
        if len(by_reason) > groups:
            lines.append(f"... and {len(by_reason) - groups:,} other kinds of warning")
        return "\n".join(lines)


# --- Reading the file ------------------------------------------------------------------------


def _source_bytes(source: str | Path | IO[bytes]) -> tuple[str, bytes]:
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise RegisterFileInvalid(f"There is no file at {path}.")
        return path.name, path.read_bytes()
    source.seek(0)
    return Path(getattr(source, "name", "") or "upload").name, source.read()


def _gunzip(name: str, data: bytes) -> tuple[str, bytes]:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as fh:
            text = fh.read(MAX_CSV_BYTES + 1)
    except (OSError, EOFError, zlib.error) as exc:
        raise RegisterFileInvalid(f"{name} is not a readable gzip file (damaged or cut short): {exc}.") from exc
    if len(text) > MAX_CSV_BYTES:
        raise RegisterFileInvalid(f"{name} unpacks to more than {MAX_CSV_BYTES // 2**20} MB: not a register file.")
    return name.removesuffix(".gz").removesuffix(".GZ"), text


def _unzip(name: str, data: bytes) -> tuple[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile as exc:
        raise RegisterFileInvalid(f"{name} is not a readable zip file (damaged or cut short).") from exc
    with archive:
        entries = [i for i in archive.infolist() if not i.is_dir()]
        paths = [PurePosixPath(i.filename) for i in entries]
        if any(p.as_posix() == "xl/workbook.xml" for p in paths):
            raise RegisterFileInvalid(
                f"{name} is an Excel workbook, not a CSV file: save the sheet as 'CSV UTF-8' and import that."
            )
        csvs = [
            i
            for i, p in zip(entries, paths, strict=True)
            if p.suffix.lower() == ".csv" and "__MACOSX" not in p.parts and not p.name.startswith("._")
        ]
        if not csvs:
            held = ", ".join(p.name for p in paths[:5]) or "nothing"
            raise RegisterFileInvalid(f"{name} holds no CSV file (it holds {held}).")
        if len(csvs) > 1:
            held = ", ".join(PurePosixPath(i.filename).name for i in csvs[:5])
            raise RegisterFileInvalid(f"{name} holds {len(csvs)} CSV files ({held}): import them one at a time.")
        entry = csvs[0]
        inner = f"{name}: {PurePosixPath(entry.filename).name}"
        if entry.file_size > MAX_CSV_BYTES:
            raise RegisterFileInvalid(f"{inner} is larger than {MAX_CSV_BYTES // 2**20} MB: not a register file.")
        try:
            return inner, archive.read(entry)
        except (RuntimeError, zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
            # RuntimeError: a password-protected entry; the others: a damaged one.
            raise RegisterFileInvalid(f"{inner} cannot be read from the zip: {exc}.") from exc


def read_text(source: str | Path | IO[bytes]) -> tuple[str, str, str]:
    """Return (file name, sha256, text) of the register CSV in a path or an open binary file:
    the CSV itself, gzipped or alone in a zip. The checksum is the CSV's own, so the same
    register is recognised however it was packed. Raises RegisterFileInvalid."""
    name, data = _source_bytes(source)
    if data[:2] == b"\x1f\x8b":
        name, data = _gunzip(name, data)
    elif data[:4] in (b"PK\x03\x04", b"PK\x05\x06"):
        name, data = _unzip(name, data)
    if not data.strip():
        raise RegisterFileInvalid(f"{name} is empty.")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel's "Unicode text": UTF-16 with a byte-order mark
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise RegisterFileInvalid(f"{name} is not a readable UTF-16 text file.") from exc
        return name, hashlib.sha256(data).hexdigest(), text
    if data[:5] == b"%PDF-":
        raise RegisterFileInvalid(f"{name} is a PDF document, not a CSV file.")
    if b"\0" in data[:4096]:
        raise RegisterFileInvalid(f"{name} is not a CSV file (it looks like a binary file).")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # the registers' older exports
    return name, hashlib.sha256(data).hexdigest(), text


def register_file_sha256(source: str | Path | IO[bytes]) -> str:
    """The checksum an import of this file records (that of the CSV inside, however packed)."""
    return read_text(source)[1]


def check_columns(
    name: str,
    header: Sequence[str] | None,
    layout: Sequence[str],
    *,
    kind: str = "the expected register file",
    optional: Collection[str] = (),
) -> list[str]:
    """Refuse a file that lacks a column of `layout` (the columns read, in the register's
    published order) other than the `optional` ones; return warnings for missing optional
    columns (read as blank) and for columns in another order (harmless: read by name)."""
    present = [h for h in header or [] if h]
    missing = [c for c in layout if c not in present and c not in optional]
    if missing:
        listed = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
        raise RegisterFileInvalid(
            f"{name} does not look like {kind}: missing column(s) {listed}. "
            "Check that you chose the right register and that this is the file it publishes."
        )
    warnings = []
    absent = [c for c in layout if c in optional and c not in present]
    if absent:
        warnings.append(f"column(s) {', '.join(absent)} missing: read as blank")
    known = set(layout)
    if [h for h in present if h in known] != [c for c in layout if c in present]:
        warnings.append("the columns are in a different order from the register's published layout (read by name)")
    return warnings


_DAY_MONTH_YEAR = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(value: str, column: str, warn: Warn | None = None, *, always_given: bool = False) -> date | None:
    """A dd/mm/yyyy (or ISO) date. Blank means "not yet" (not inspected, not graded), except in a
    column the register always fills (`always_given`), where it is read as unknown with a
    warning; a placeholder such as "NA" is read as no date, with a warning."""
    value = value.strip()
    if not value:
        if always_given and warn:
            warn(f"{column} is blank: read as unknown")
        return None
    if value.lower() in NO_VALUE:
        if warn:
            warn(f"{column} is '{value}': read as no date")
        return None
    if m := _DAY_MONTH_YEAR.match(value):  # the registers' own form, without strptime's cost
        try:
            return date(int(m[3]), int(m[2]), int(m[1]))
        except ValueError:
            raise RowInvalid(f"{column} '{value}' is not a date (dd/mm/yyyy)") from None
    for fmt in ("%Y-%m-%d", "%d/%m/%y"):
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
