"""Tiny register files for the importer tests, written to tmp_path.

Built from the real files' layouts (see ../shared/data/README.md and issue 4),
never copied from them.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from directory.models import Category, ClientGroup, Postcode
from directory.registers.importers.care_inspectorate import COLUMNS as CI_COLUMNS
from directory.registers.importers.cqc import LOCATION_ID, PROVIDER_ID

CI_HEADER = [*CI_COLUMNS, "Complaints_upheld_2425", "Complaints_upheld_2526", "MinGrade"]


def ci_row(cs: str, **overrides: Any) -> dict[str, str]:
    row = dict.fromkeys(CI_HEADER, "")
    row.update(
        {
            "CSNumber": cs,
            "CareService": "Care Home Service",
            "Subtype": "Older People",
            "ServiceType": "Private",
            "ServiceName": f"Home {cs[-4:]}",
            "Address_line_1": "1 Byres Road",
            "Service_town": "Glasgow",
            "Service_Postcode": "G12 8QQ",
            "Service_Phone_Number": "0141 000 0000",
            "SP_number": "SP2003000001",
            "ServiceProvider": "Kelvin Care Ltd",
            "ServiceStatus": "Active",
            "DateReg": "01/04/2002",
            "TotalBeds": "40.0",
            "CareHome_Main_Area_of_Care": "Older people - dementia",
            "Council_Area_Name": "Glasgow City",
            "Registered_Places": "40.0",
            "Client_group": "Adults",
            "Publication_of_Latest_Grading": "08/12/2024",
            "Last_inspection_Date": "20/11/2024",
            "KQ_Support_Wellbeing": "5.0",
            "KQ_Care_and_Support_Planning": "4.0",
            "KQ_Setting": "4.0",
            "KQ_Staff_Team": "5.0",
            "KQ_Leadership": "5.0",
            "Complaints_upheld_2425": "1.0",
        }
    )
    row.update(overrides)
    return row


def write_ci(path: Path, rows: list[dict[str, str]], header: list[str] | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=header or CI_HEADER, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


CQC_HEADER = [
    "Name",
    "Also known as",
    "Address",
    "Postcode",
    "Phone number",
    "Service's website (if available)",
    "Service types",
    "Date of latest check",
    "Specialisms/services",
    "Provider name",
    "Local Authority",
    "Region",
    "Location URL",
    LOCATION_ID,
    PROVIDER_ID,
    "Overall rating",
]
CQC_PREAMBLE = [
    ["Care directory with ratings"],
    ["Data as at 1 November 2026"],
    ["Contains public sector information licensed under the Open Government Licence v3.0"],
    [],
]


def cqc_row(location_id: str, **overrides: str) -> dict[str, str]:
    row = dict.fromkeys(CQC_HEADER, "")
    row.update(
        {
            "Name": f"Thames Home {location_id[-3:]}",
            "Address": "1 Strand, London",
            "Postcode": "WC2N 5DU",
            "Phone number": "020 7000 0000",
            "Service's website (if available)": "https://thames.example",
            "Service types": "Homecare agencies",
            "Date of latest check": "12/03/2025",
            "Specialisms/services": "Caring for adults over 65 yrs|Dementia",
            "Provider name": "Thames Care Ltd",
            "Local Authority": "Westminster",
            "Region": "London",
            "Location URL": f"https://www.cqc.org.uk/location/{location_id}",
            LOCATION_ID: location_id,
            PROVIDER_ID: "1-101641521",
            "Overall rating": "Good",
        }
    )
    row.update(overrides)
    return row


def write_cqc(path: Path, rows: list[dict[str, str]], preamble: list[list[str]] | None = None) -> Path:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerows(CQC_PREAMBLE if preamble is None else preamble)
        writer.writerow(CQC_HEADER)
        writer.writerows([[row[h] for h in CQC_HEADER] for row in rows])
    return path


def make_postcodes() -> None:
    """A unit postcode and a sector centroid (for a postcode the unit table does not have)."""
    Postcode.objects.create(postcode="G12 8QQ", latitude=55.8733, longitude=-4.2923, precision="unit")
    Postcode.objects.create(postcode="G20 7", latitude=55.8861, longitude=-4.2831, precision="sector")
    Postcode.objects.create(postcode="WC2N 5DU", latitude=51.5074, longitude=-0.1257, precision="unit")


def make_categories(*slugs: str) -> None:
    """The taxonomy slugs the importer maps onto (the seed migration may already have them)."""
    for slug in slugs:
        Category.objects.get_or_create(slug=slug, defaults={"name": slug.replace("-", " ").capitalize()})


def make_client_groups(*slugs: str) -> None:
    for slug in slugs:
        ClientGroup.objects.get_or_create(slug=slug, defaults={"name": slug.replace("-", " ").capitalize()})


def make_registration(service: Any, **overrides: Any) -> Any:
    """Mark a service as imported from the Care Inspectorate register."""
    from directory.models import Registration

    n = service.pk
    fields = {
        "regulator": "ci",
        "registration_number": f"CS2099{n:06d}",
        "registered_name": service.name,
        "registered_address": "1 Byres Road, Glasgow, G12 8QQ",
        "grades": {"support_wellbeing": 5},
        "status": Registration.Status.ACTIVE,
    }
    fields.update(overrides)
    return Registration.objects.create(service=service, **fields)
