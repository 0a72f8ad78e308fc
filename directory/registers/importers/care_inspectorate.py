"""The Care Inspectorate datastore CSV (every registered care service in Scotland)."""

from __future__ import annotations

import csv
import gzip
import io
import re
from pathlib import Path
from typing import IO

from directory.models import Nation, Registration
from directory.registers.importers.files import (
    ParsedFile,
    RowInvalid,
    Warn,
    check_columns,
    csv_rows,
    parse_count,
    parse_date,
    parse_postcode,
    read_text,
)
from directory.registers.importers.records import RegisterRecord
from directory.registers.importers.taxonomy import (
    CI_AT_HOME,
    NO_COUNCIL,
    SCOTTISH_COUNCILS,
    ci_categories,
    ci_client_groups,
)

GRADE_COLUMNS = {
    "support_wellbeing": "KQ_Support_Wellbeing",
    "care_and_support_planning": "KQ_Care_and_Support_Planning",
    "setting": "KQ_Setting",
    "staff_team": "KQ_Staff_Team",
    "leadership": "KQ_Leadership",
    "care_play_and_learning": "KQ_Care_Play_and_Learning",
}
# The columns read, in the order the datastore publishes them (it has ~100; the others are ignored).
COLUMNS = [
    "CSNumber",
    "CareService",
    "Subtype",
    "ServiceType",
    "ServiceName",
    "Address_line_1",
    "Address_line_2",
    "Address_line_3",
    "Address_line_4",
    "Service_town",
    "Service_Postcode",
    "Service_Phone_Number",
    "SP_number",
    "ServiceProvider",
    "ServiceStatus",
    "DateReg",
    "TotalBeds",
    "CareHome_Main_Area_of_Care",
    "Council_Area_Name",
    "Registered_Places",
    "Client_group",
    "Publication_of_Latest_Grading",
    *GRADE_COLUMNS.values(),
    "Last_inspection_Date",
]
# May be missing (read as blank, with a warning): the phone is CareHub's only when it first
# lists a service (the provider's afterwards), and the extra address lines are detail.
OPTIONAL_COLUMNS = {"Service_Phone_Number", "Address_line_2", "Address_line_3", "Address_line_4"}
KIND = "a Care Inspectorate datastore CSV"
# The copy of the datastore the project ships (the columns above, every row), loaded by seed_demo.
EMBEDDED_PATH = Path(__file__).resolve().parents[2] / "data" / "care_inspectorate_datastore_2026-05-31.csv.gz"
_CS_NUMBER = re.compile(r"^CS\d{10}$")
_SP_NUMBER = re.compile(r"^SP\d{10}$")
_COMPLAINTS = re.compile(r"^Complaints_upheld_(\d{4})$")
_STATUSES = {"active": Registration.Status.ACTIVE, "inactive": Registration.Status.INACTIVE}


def _grade(value: str, column: str) -> int | None:
    value = value.strip()
    if not value:
        return None  # not graded yet
    if not _NUMBER.match(value) or not 1 <= int(float(value)) <= 6:
        raise RowInvalid(f"{column} '{value}' is not a grade from 1 to 6")
    return int(float(value))


_NUMBER = re.compile(r"^\d(\.0+)?$")


def _record(row_number: int, row: dict[str, str], complaint_columns: dict[str, str], warn: Warn) -> RegisterRecord:
    cs_number = row["CSNumber"].strip()
    if not _CS_NUMBER.match(cs_number):
        raise RowInvalid(f"CSNumber '{cs_number}' is not a Care Inspectorate number (CS and 10 digits)")
    name = row["ServiceName"].strip()
    if not name:
        raise RowInvalid("ServiceName is blank")
    sp_number = row["SP_number"].strip()
    if not _SP_NUMBER.match(sp_number):
        raise RowInvalid(f"SP_number '{sp_number}' is not a Care Inspectorate provider number (SP and 10 digits)")
    care_service = row["CareService"].strip()
    # A childminder is their own provider; the register leaves their provider name blank.
    provider_name = row["ServiceProvider"].strip() or (name if care_service == "Child Minding" else "")
    if not provider_name:
        raise RowInvalid("ServiceProvider is blank")
    status = _STATUSES.get(row["ServiceStatus"].strip().lower())
    if status is None:
        raise RowInvalid(f"ServiceStatus '{row['ServiceStatus']}' is neither Active nor Inactive")
    council_name = row["Council_Area_Name"].strip()
    council = SCOTTISH_COUNCILS.get(council_name)
    if council is None and council_name.lower() not in NO_COUNCIL:
        raise RowInvalid(f"Council_Area_Name '{council_name}' is not a Scottish council area")
    grades = {key: _grade(row[column], column) for key, column in GRADE_COLUMNS.items()}
    subtype = row["Subtype"].strip()
    main_area = row["CareHome_Main_Area_of_Care"].strip()
    return RegisterRecord(
        row_number=row_number,
        registration_number=cs_number,
        provider_number=sp_number,
        provider_name=provider_name,
        provider_type=row["ServiceType"].strip(),
        provider_is_individual=care_service == "Child Minding",
        name=name,
        status=status,
        address_line_1=row["Address_line_1"].strip(),
        address_line_2=", ".join(
            p.strip() for p in (row["Address_line_2"], row["Address_line_3"], row["Address_line_4"]) if p.strip()
        ),
        town=row["Service_town"].strip(),
        postcode=parse_postcode(row["Service_Postcode"]),
        phone=row["Service_Phone_Number"].strip(),
        council_gss=council[0] if council else "",
        council_name=council[1] if council else "",
        nation=Nation.SCOTLAND,
        service_type=care_service,
        subtype=", ".join(p for p in (subtype, main_area) if p),
        category_slugs=ci_categories(care_service, subtype, main_area),
        client_group_slugs=ci_client_groups(row["Client_group"], subtype, main_area),
        delivered_at_home=(care_service, subtype) in CI_AT_HOME,
        registered_since=parse_date(row["DateReg"], "DateReg", warn, always_given=True),
        graded_on=parse_date(row["Publication_of_Latest_Grading"], "Publication_of_Latest_Grading", warn),
        last_inspected_on=parse_date(row["Last_inspection_Date"], "Last_inspection_Date", warn),
        grades={key: grade for key, grade in grades.items() if grade is not None},
        beds=parse_count(row["TotalBeds"], "TotalBeds"),
        registered_places=parse_count(row["Registered_Places"], "Registered_Places"),
        complaints_upheld={
            year: count
            for year, column in complaint_columns.items()
            if (count := parse_count(row[column], column)) is not None
        },
    )


def parse_care_inspectorate(source: str | Path | IO[bytes]) -> ParsedFile:
    """Parse a datastore CSV into records and row errors. Raises RegisterFileInvalid for a file that is not one."""
    name, sha256, text = read_text(source)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    reader.fieldnames = [h.strip() for h in reader.fieldnames or []]
    file_warnings = check_columns(name, reader.fieldnames, COLUMNS, kind=KIND, optional=OPTIONAL_COLUMNS)
    complaint_columns = {m[1]: c for c in reader.fieldnames if (m := _COMPLAINTS.match(c))}
    blank = dict.fromkeys(OPTIONAL_COLUMNS - set(reader.fieldnames), "")  # missing optional columns read as blank
    parsed = ParsedFile(file_name=name, sha256=sha256, total_rows=0, file_warnings=file_warnings)
    for index, row in csv_rows(name, reader):
        row_number = index + 2  # as a spreadsheet shows it: the header is row 1
        row.update(blank)
        parsed.add_row(
            row_number=row_number,
            row=row,
            reference=(row.get("CSNumber") or "").strip(),
            parse=lambda row=row, row_number=row_number: _record(row_number, row, complaint_columns, parsed.warn),
        )
    return parsed


def care_inspectorate_extract_write(*, source: str | Path, out: Path) -> int:
    """Write the datastore's rows with only the columns CareHub reads (`COLUMNS` and the
    complaint counts), in the published order, as a reproducible gzip CSV; return the row count.

    The values are the register's own, untouched, so importing the extract or the full file
    gives the same records (and a later import of the full file finds nothing changed).
    Raises RegisterFileInvalid for a file that is not a datastore."""
    name, _sha256, text = read_text(source)
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    check_columns(name, header, COLUMNS, kind=KIND, optional=OPTIONAL_COLUMNS)
    keep = [i for i, h in enumerate(header) if h in COLUMNS or _COMPLAINTS.match(h)]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([header[i] for i in keep])
    rows = 0
    for row in reader:
        if any(cell.strip() for cell in row):
            writer.writerow([row[i] if i < len(row) else "" for i in keep])
            rows += 1
    with out.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(buffer.getvalue().encode("utf-8"))
    return rows
