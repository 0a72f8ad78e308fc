"""import_care_inspectorate: parsing, the sync rules and the reconciliation with the file."""

from __future__ import annotations

import csv
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from directory.models import (
    Council,
    GradeChange,
    Provider,
    RegisteredProvider,
    RegisterImport,
    RegisterImportError,
    Registration,
    Regulator,
    Service,
)
from directory.registers.importers.files import RegisterFileInvalid
from directory.registers.services import register_import_from_path
from directory.tests.register_fixtures import (
    CI_HEADER,
    ci_row,
    make_categories,
    make_client_groups,
    make_postcodes,
    write_ci,
)

pytestmark = pytest.mark.django_db

CI = Regulator.CARE_INSPECTORATE


def _import(path: Path) -> RegisterImport:
    return register_import_from_path(regulator=CI, path=path)


@pytest.fixture
def world(db: None) -> None:
    make_postcodes()
    make_categories("care-homes", "residential-care-homes", "dementia-care-homes", "help-at-home", "personal-care")
    make_client_groups("older-people", "dementia", "children-and-young-people")


def _first_file(tmp_path: Path) -> Path:
    return write_ci(
        tmp_path / "datastore_2025-05-31.csv",
        [
            ci_row("CS2003000001"),
            ci_row(
                "CS2003000002",
                CareService="Support Service",
                Subtype="Care at Home",
                CareHome_Main_Area_of_Care="",
                Service_Postcode="G20 7ZZ",  # not in the unit table: sector centroid
                SP_number="SP2003000002",
                ServiceProvider="Hillhead Home Support",
                TotalBeds="",
            ),
            ci_row(
                "CS2003000003",
                CareService="Child Minding",
                Subtype="",
                ServiceName="Smith, Jo",
                CareHome_Main_Area_of_Care="",
                ServiceProvider="",  # the register leaves a childminder's provider blank
                SP_number="SP2003000003",
                Service_Postcode="",
                Council_Area_Name="City of Edinburgh",
                Client_group="Children",
                KQ_Support_Wellbeing="",
                KQ_Care_and_Support_Planning="",
                KQ_Setting="5.0",
                KQ_Staff_Team="",
                KQ_Leadership="4.0",
                KQ_Care_Play_and_Learning="5.0",
            ),
            ci_row("CS2003000004", ServiceStatus="Inactive", SP_number="SP2003000001"),
            ci_row("CS2003000005", SP_number="SP2003000001"),
        ],
    )


def test_import_care_inspectorate_creates_services_with_register_details(world: None, tmp_path: Path) -> None:
    run = _import(_first_file(tmp_path))

    assert run.status == RegisterImport.Status.DONE
    assert run.counts["created"] == 5 and run.counts["errors"] == 0 and run.counts["providers_created"] == 3
    home = Service.objects.get(registration__registration_number="CS2003000001")
    assert home.status == Service.Status.PUBLISHED
    assert (home.postcode, home.location_precision, home.latitude) == ("G12 8QQ", "unit", 55.8733)
    assert home.council.gss_code == "S12000046"
    assert {c.slug for c in home.categories.all()} == {"care-homes", "residential-care-homes", "dementia-care-homes"}
    assert {g.slug for g in home.client_groups.all()} == {"older-people", "dementia"}
    reg = home.registration
    assert reg.grades == {
        "support_wellbeing": 5,
        "care_and_support_planning": 4,
        "setting": 4,
        "staff_team": 5,
        "leadership": 5,
    }
    assert [(g["label"], g["grade"], g["words"]) for g in reg.grade_list()][:2] == [
        ("How well do we support people's wellbeing?", 5, "Very Good"),
        ("How good is our care and support planning?", 4, "Good"),
    ]
    assert str(reg.graded_on) == "2024-12-08" and str(reg.registered_since) == "2002-04-01"
    assert (reg.beds, reg.registered_places, reg.complaints_upheld) == (40, 40, {"2425": 1})
    assert reg.registered_provider.provider_number == "SP2003000001"
    assert reg.url.endswith("detail=CS2003000001")

    at_home = Service.objects.get(registration__registration_number="CS2003000002")
    assert at_home.location_precision == "sector" and at_home.delivered_at_home
    assert {c.slug for c in at_home.categories.all()} == {"help-at-home", "personal-care"}


def test_import_care_inspectorate_lists_a_service_without_postcode_by_council_only(world: None, tmp_path: Path) -> None:
    _import(_first_file(tmp_path))

    minder = Service.objects.get(registration__registration_number="CS2003000003")
    assert minder.latitude is None and minder.longitude is None and minder.location_precision == ""
    assert minder.council == Council.objects.get(gss_code="S12000036")
    assert minder.provider.name == "Smith, Jo" and minder.provider.kind == Provider.Kind.INDIVIDUAL
    assert [g.slug for g in minder.client_groups.all()] == ["children-and-young-people"]
    assert minder.registration.grades == {"setting": 5, "leadership": 4, "care_play_and_learning": 5}


def test_import_care_inspectorate_inactive_service_is_not_published(world: None, tmp_path: Path) -> None:
    _import(_first_file(tmp_path))

    inactive = Service.objects.get(registration__registration_number="CS2003000004")
    assert inactive.status == Service.Status.SUSPENDED
    assert inactive.registration.status == Registration.Status.INACTIVE


def test_import_care_inspectorate_same_file_twice_changes_nothing(world: None, tmp_path: Path) -> None:
    path = _first_file(tmp_path)
    _import(path)
    before = list(Service.objects.order_by("pk").values_list("pk", "updated_at", "status"))
    registrations_before = list(Registration.objects.order_by("pk").values_list("pk", "updated_at"))

    run = _import(path)

    assert run.counts["unchanged"] == 5
    assert run.counts["created"] == run.counts["updated"] == run.counts["closed"] == run.counts["grade_changes"] == 0
    assert list(Service.objects.order_by("pk").values_list("pk", "updated_at", "status")) == before
    assert list(Registration.objects.order_by("pk").values_list("pk", "updated_at")) == registrations_before
    assert Provider.objects.count() == 3 and GradeChange.objects.count() == 0


def _second_file(tmp_path: Path) -> Path:
    return write_ci(
        tmp_path / "datastore_2026-05-31.csv",
        [
            ci_row("CS2003000001", KQ_Staff_Team="3.0", Publication_of_Latest_Grading="01/03/2026"),  # regraded
            # CS2003000002 is gone from the register
            ci_row(
                "CS2003000003",
                CareService="Child Minding",
                Subtype="",
                ServiceName="Smith, Jo",
                CareHome_Main_Area_of_Care="",
                ServiceProvider="",
                SP_number="SP2003000003",
                Service_Postcode="",
                Council_Area_Name="City of Edinburgh",
                Client_group="Children",
                KQ_Support_Wellbeing="",
                KQ_Care_and_Support_Planning="",
                KQ_Setting="5.0",
                KQ_Staff_Team="",
                KQ_Leadership="4.0",
                KQ_Care_Play_and_Learning="5.0",
            ),
            ci_row("CS2003000004", SP_number="SP2003000001"),  # active again
            ci_row("CS2003000005", SP_number="SP2003000001", ServiceName="Renamed Home"),
            ci_row("CS2024000006", SP_number="SP2024000009", ServiceProvider="New Provider Ltd"),  # new
        ],
    )


def test_import_care_inspectorate_newer_file_updates_closes_and_adds(world: None, tmp_path: Path) -> None:
    _import(_first_file(tmp_path))

    run = _import(_second_file(tmp_path))

    assert run.counts["created"] == 1 and run.counts["updated"] == 3 and run.counts["unchanged"] == 1
    assert run.counts["closed"] == 1 and run.counts["providers_created"] == 1
    gone = Service.objects.get(registration__registration_number="CS2003000002")  # kept, never deleted
    assert gone.status == Service.Status.NO_LONGER_REGISTERED
    assert gone.registration.status == Registration.Status.NO_LONGER_REGISTERED
    assert Service.objects.get(registration__registration_number="CS2003000004").status == Service.Status.PUBLISHED
    assert Service.objects.get(registration__registration_number="CS2003000005").name == "Renamed Home"
    assert Service.objects.get(registration__registration_number="CS2024000006").provider.name == "New Provider Ltd"


def test_import_care_inspectorate_records_grade_history_with_its_file(world: None, tmp_path: Path) -> None:
    _import(_first_file(tmp_path))

    run = _import(_second_file(tmp_path))

    change = GradeChange.objects.get()
    assert (change.registration.registration_number, change.key, change.old_grade, change.new_grade) == (
        "CS2003000001",
        "staff_team",
        5,
        3,
    )
    assert change.register_import == run and change.register_import.file_name.endswith("datastore_2026-05-31.csv")
    assert str(change.graded_on) == "2026-03-01"


def test_import_care_inspectorate_reopens_a_service_back_on_the_register(world: None, tmp_path: Path) -> None:
    first = _first_file(tmp_path)
    _import(first)
    _import(_second_file(tmp_path))

    run = _import(first)

    assert run.counts["reopened"] == 1
    back = Service.objects.get(registration__registration_number="CS2003000002")
    assert back.status == Service.Status.PUBLISHED and back.registration.status == Registration.Status.ACTIVE
    assert Service.objects.get(registration__registration_number="CS2024000006").status == (
        Service.Status.NO_LONGER_REGISTERED
    )


def test_import_care_inspectorate_keeps_a_providers_draft_unpublished(world: None, tmp_path: Path) -> None:
    _import(_first_file(tmp_path))
    Service.objects.filter(registration__registration_number="CS2003000001").update(status=Service.Status.DRAFT)

    _import(_second_file(tmp_path))  # a grade change, register status unchanged

    assert Service.objects.get(registration__registration_number="CS2003000001").status == Service.Status.DRAFT


def test_import_care_inspectorate_reports_bad_rows_and_imports_the_rest(world: None, tmp_path: Path) -> None:
    path = write_ci(
        tmp_path / "bad.csv",
        [
            ci_row("CS2003000001"),
            ci_row("XX123"),
            ci_row("CS2003000003", KQ_Setting="7.0"),
            ci_row("CS2003000004", DateReg="31/02/2020"),
            ci_row("CS2003000005", ServiceStatus="Closed"),
            ci_row("CS2003000006", Council_Area_Name="Atlantis"),
            ci_row("CS2003000001"),
            ci_row("CS2003000008", TotalBeds="lots"),
            ci_row("CS2003000009", ServiceName=" "),
        ],
    )

    run = _import(path)

    assert run.counts["created"] == 1 and run.counts["errors"] == 8
    reasons = list(RegisterImportError.objects.filter(register_import=run).values_list("row_number", "reason"))
    assert reasons == [
        (3, "CSNumber 'XX123' is not a Care Inspectorate number (CS and 10 digits)"),
        (4, "KQ_Setting '7.0' is not a grade from 1 to 6"),
        (5, "DateReg '31/02/2020' is not a date (dd/mm/yyyy)"),
        (6, "ServiceStatus 'Closed' is neither Active nor Inactive"),
        (7, "Council_Area_Name 'Atlantis' is not a Scottish council area"),
        (8, "CS2003000001 appears again (first at row 2)"),
        (9, "TotalBeds 'lots' is not a whole number"),
        (10, "ServiceName is blank"),
    ]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "is empty"),
        ("CSNumber,ServiceName\nCS2003000001,Home\n", "missing column(s) CareService"),
        ("\0\1\2binary", "not a CSV file"),
    ],
)
def test_import_care_inspectorate_refuses_a_bad_file_and_writes_nothing(
    world: None, tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content)

    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("import_care_inspectorate", str(path), stdout=StringIO())

    assert not RegisterImport.objects.exists() and not Service.objects.exists()


def test_import_care_inspectorate_refuses_a_file_where_no_row_is_valid(world: None, tmp_path: Path) -> None:
    _import(_first_file(tmp_path))
    path = write_ci(tmp_path / "all-bad.csv", [ci_row("nope"), ci_row("CS1")])

    with pytest.raises(RegisterFileInvalid, match="No row of all-bad.csv could be imported"):
        _import(path)

    # Nothing was closed: an unusable file must not empty the directory.
    assert not Service.objects.filter(status=Service.Status.NO_LONGER_REGISTERED).exists()


def test_import_care_inspectorate_refuses_a_missing_file(db: None, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="There is no file at"):
        call_command("import_care_inspectorate", str(tmp_path / "nope.csv"), stdout=StringIO())


def test_import_care_inspectorate_command_prints_counts_and_progress(world: None, tmp_path: Path) -> None:
    out = StringIO()

    call_command("import_care_inspectorate", str(_first_file(tmp_path)), stdout=out)

    text = out.getvalue()
    assert "5 / 5 rows" in text
    assert "      5  services added" in text and "      3  providers added" in text
    assert "      1  no usable postcode: listed by council only" in text


def test_import_care_inspectorate_active_services_reconcile_with_published(world: None, tmp_path: Path) -> None:
    _import(_first_file(tmp_path))
    path = _second_file(tmp_path)
    _import(path)

    with path.open(newline="") as fh:
        active = {row["CSNumber"] for row in csv.DictReader(fh) if row["ServiceStatus"] == "Active"}
    published = set(
        Service.objects.filter(status=Service.Status.PUBLISHED, registration__regulator=CI).values_list(
            "registration__registration_number", flat=True
        )
    )
    assert published == active
    assert RegisteredProvider.objects.filter(regulator=CI).count() == 4


def test_import_care_inspectorate_header_order_does_not_matter(world: None, tmp_path: Path) -> None:
    path = write_ci(tmp_path / "reordered.csv", [ci_row("CS2003000001")], header=list(reversed(CI_HEADER)))

    assert _import(path).counts["created"] == 1


def test_import_care_inspectorate_renames_a_provider_unless_it_chose_its_own_name(world: None, tmp_path: Path) -> None:
    _import(write_ci(tmp_path / "a.csv", [ci_row("CS2003000001"), ci_row("CS2003000002", SP_number="SP2003000002")]))
    Provider.objects.filter(registered_as__provider_number="SP2003000002").update(name="Our Own Name")
    renamed = [
        ci_row("CS2003000001", ServiceProvider="Kelvin Care Group"),
        ci_row("CS2003000002", SP_number="SP2003000002", ServiceProvider="Register Rename Ltd"),
    ]

    run = _import(write_ci(tmp_path / "b.csv", renamed))

    assert run.counts["providers_updated"] == 2
    assert Provider.objects.get(registered_as__provider_number="SP2003000001").name == "Kelvin Care Group"
    assert Provider.objects.get(registered_as__provider_number="SP2003000002").name == "Our Own Name"
    assert RegisteredProvider.objects.get(provider_number="SP2003000002").registered_name == "Register Rename Ltd"


def test_import_care_inspectorate_refuses_a_file_the_csv_reader_cannot_read(world: None, tmp_path: Path) -> None:
    path = write_ci(tmp_path / "broken.csv", [ci_row("CS2003000001")])
    path.write_text(path.read_text() + "CS2003000002," + "x" * 200_000 + "\n")

    with pytest.raises(CommandError, match="is not a valid CSV file near line .*field larger than field limit"):
        call_command("import_care_inspectorate", str(path), stdout=StringIO())

    assert not Service.objects.exists()
