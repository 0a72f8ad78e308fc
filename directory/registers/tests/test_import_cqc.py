"""import_cqc: the CQC care directory layout (preamble, odd header), ratings and the sync rules."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from directory.models import GradeChange, RegisterImport, RegisterImportError, Registration, Regulator, Service
from directory.registers.services import register_import_from_path
from directory.tests.factories import make_council
from directory.tests.register_fixtures import (
    CQC_HEADER,
    cqc_row,
    make_categories,
    make_client_groups,
    make_postcodes,
    write_cqc,
)

pytestmark = pytest.mark.django_db

CQC = Regulator.CQC


@pytest.fixture
def world(db: None) -> None:
    make_postcodes()
    make_categories(
        "help-at-home", "personal-care", "care-homes", "residential-care-homes", "nursing-care", "nursing-homes"
    )
    make_client_groups("older-people", "dementia")
    make_council(name="Westminster", gss_code="E09000033", nation="england", slug="westminster")


def _import(path: Path) -> RegisterImport:
    return register_import_from_path(regulator=CQC, path=path)


def _file(tmp_path: Path) -> Path:
    return write_cqc(
        tmp_path / "cqc.csv",
        [
            cqc_row("1-466088203"),
            cqc_row(
                "1-100000002",
                **{
                    "Service types": "Nursing homes|Residential homes",
                    "Overall rating": "Requires improvement",
                    "Postcode": "",
                },
            ),
            cqc_row("1-100000003", **{"Overall rating": "Not rated", "Date of latest check": ""}),
        ],
    )


def test_import_cqc_reads_the_preamble_header_and_ratings(world: None, tmp_path: Path) -> None:
    run = _import(_file(tmp_path))

    assert run.counts["created"] == 3 and run.counts["errors"] == 0 and run.counts["providers_created"] == 1
    home = Service.objects.get(registration__registration_number="1-466088203")
    reg = home.registration
    assert reg.regulator_name == "Care Quality Commission"
    assert reg.grades == {"overall": 3}
    assert [(g["label"], g["words"]) for g in reg.grade_list()] == [("Overall", "Good")]
    assert str(reg.graded_on) == "2025-03-12"
    assert reg.url == "https://www.cqc.org.uk/location/1-466088203"
    assert reg.registered_provider.provider_number == "1-101641521"
    assert home.provider.name == "Thames Care Ltd"
    assert home.council.gss_code == "E09000033" and home.location_precision == "unit"
    assert home.delivered_at_home
    assert {c.slug for c in home.categories.all()} == {"help-at-home", "personal-care"}
    assert {g.slug for g in home.client_groups.all()} == {"older-people", "dementia"}

    nursing = Service.objects.get(registration__registration_number="1-100000002")
    assert nursing.registration.grade_list()[0]["words"] == "Requires improvement"
    assert nursing.latitude is None and not nursing.delivered_at_home
    assert {c.slug for c in nursing.categories.all()} == {
        "care-homes",
        "residential-care-homes",
        "nursing-care",
        "nursing-homes",
    }

    unrated = Service.objects.get(registration__registration_number="1-100000003").registration
    assert unrated.grades == {} and unrated.graded_on is None


def test_import_cqc_sync_rules(world: None, tmp_path: Path) -> None:
    first = _file(tmp_path)
    _import(first)
    assert _import(first).counts["unchanged"] == 3

    newer = write_cqc(
        tmp_path / "cqc-newer.csv",
        [
            cqc_row("1-466088203", **{"Overall rating": "Outstanding", "Date of latest check": "01/09/2026"}),
            cqc_row("1-100000003", **{"Overall rating": "Not rated", "Date of latest check": ""}),
            cqc_row("1-100000004"),
        ],
    )
    run = _import(newer)

    assert (run.counts["created"], run.counts["updated"], run.counts["unchanged"], run.counts["closed"]) == (1, 1, 1, 1)
    closed = Service.objects.get(registration__registration_number="1-100000002")
    assert closed.status == Service.Status.NO_LONGER_REGISTERED
    assert closed.registration.status == Registration.Status.NO_LONGER_REGISTERED
    change = GradeChange.objects.get()
    assert (change.key, change.old_grade, change.new_grade, change.register_import) == ("overall", 3, 4, run)
    published = set(
        Service.objects.filter(status=Service.Status.PUBLISHED, registration__regulator=CQC).values_list(
            "registration__registration_number", flat=True
        )
    )
    assert published == {"1-466088203", "1-100000003", "1-100000004"}


def test_import_cqc_reports_bad_rows(world: None, tmp_path: Path) -> None:
    path = write_cqc(
        tmp_path / "cqc.csv",
        [
            cqc_row("1-466088203"),
            cqc_row("ABC"),
            cqc_row("1-100000003", **{"Overall rating": "Fantastic"}),
            cqc_row("1-100000004", **{"CQC Provider ID (for office use only)": ""}),
            cqc_row("1-100000005", **{"Date of latest check": "yesterday"}),
        ],
    )

    run = _import(path)

    assert run.counts["created"] == 1
    assert list(RegisterImportError.objects.values_list("row_number", "reason")) == [
        (7, "location id 'ABC' is not a CQC location id (like 1-466088203)"),
        (8, "Overall rating 'Fantastic' is not a CQC rating"),
        (9, "provider id '' is not a CQC provider id (like 1-101641521)"),
        (10, "Date of latest check 'yesterday' is not a date (dd/mm/yyyy)"),
    ]


def test_import_cqc_without_rating_columns(world: None, tmp_path: Path) -> None:
    path = tmp_path / "no-ratings.csv"
    write_cqc(path, [cqc_row("1-466088203")])
    lines = path.read_text().splitlines()
    # Drop the last column (Overall rating) from the header and the row.
    path.write_text("\n".join([*lines[:4], *(line.rsplit(",", 1)[0] for line in lines[4:])]) + "\n")

    run = _import(path)

    assert run.counts["created"] == 1
    assert Registration.objects.get().grades == {}


def test_import_cqc_reads_a_file_without_the_preamble_with_a_warning(world: None, tmp_path: Path) -> None:
    rows = [cqc_row(f"1-10000000{n}") for n in range(6)]
    path = write_cqc(tmp_path / "no-preamble.csv", rows, preamble=[])

    run = _import(path)

    assert run.counts["created"] == 6 and run.counts["errors"] == 0
    assert run.message == "Warning: the header is on line 1, not line 5 as in CQC's published file"


def test_import_cqc_refuses_a_care_inspectorate_file(world: None, tmp_path: Path) -> None:
    path = tmp_path / "short.csv"
    path.write_text("CSNumber,ServiceName\n")

    with pytest.raises(CommandError, match="does not look like a CQC care directory CSV: none of its first 10 lines"):
        call_command("import_cqc", str(path), stdout=StringIO())

    assert not RegisterImport.objects.exists() and not Service.objects.exists()


def test_import_cqc_header_lacks_the_closing_bracket_as_the_real_file_does() -> None:
    assert "CQC Location (for office use only" in CQC_HEADER
    assert "CQC Location (for office use only)" not in CQC_HEADER
