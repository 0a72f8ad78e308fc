"""Both importers read a register as .csv, .csv.gz or a .zip holding one CSV; they import a
slightly odd file with warnings and refuse a file of the wrong kind before writing anything."""

from __future__ import annotations

import csv
import gzip
import io
import zipfile
from collections.abc import Callable
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from directory.models import RegisterImport, RegisterImportError, Registration, Regulator, Service
from directory.registers.importers.care_inspectorate import COLUMNS as CI_COLUMNS
from directory.registers.importers.care_inspectorate import (
    EMBEDDED_PATH,
    care_inspectorate_extract_write,
    parse_care_inspectorate,
)
from directory.registers.importers.files import RegisterFileInvalid, register_file_sha256
from directory.registers.services import register_import_from_path
from directory.tests.factories import make_council
from directory.tests.register_fixtures import (
    CI_HEADER,
    CQC_HEADER,
    CQC_PREAMBLE,
    ci_row,
    cqc_row,
    make_postcodes,
    write_ci,
    write_cqc,
)

pytestmark = pytest.mark.django_db

CI, CQC = Regulator.CARE_INSPECTORATE, Regulator.CQC


@pytest.fixture
def world(db: None) -> None:
    make_postcodes()
    make_council(name="Westminster", gss_code="E09000033", nation="england", slug="westminster")


def _gzip(path: Path) -> Path:
    packed = path.with_name(path.name + ".gz")
    packed.write_bytes(gzip.compress(path.read_bytes()))
    return packed


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return path


def _ci_file(tmp_path: Path) -> Path:
    return write_ci(tmp_path / "datastore.csv", [ci_row("CS2003000001"), ci_row("CS2003000002")])


def _cqc_file(tmp_path: Path) -> Path:
    return write_cqc(tmp_path / "cqc.csv", [cqc_row("1-466088203"), cqc_row("1-100000002")])


def _nothing_written() -> bool:
    return not RegisterImport.objects.exists() and not Service.objects.exists()


# --- Packed files -------------------------------------------------------------------------


@pytest.mark.parametrize("packing", ["csv", "csv.gz", "zip"])
@pytest.mark.parametrize(
    ("regulator", "command", "make_file"), [(CI, "import_care_inspectorate", _ci_file), (CQC, "import_cqc", _cqc_file)]
)
def test_import_files_read_csv_gzip_and_zip_alike(
    world: None, tmp_path: Path, packing: str, regulator: str, command: str, make_file: Callable[[Path], Path]
) -> None:
    plain = make_file(tmp_path)
    path = {
        "csv": lambda: plain,
        "csv.gz": lambda: _gzip(plain),
        "zip": lambda: _zip(
            tmp_path / "register.zip", {f"export/{plain.name}": plain.read_bytes(), "README.txt": b"hi"}
        ),
    }[packing]()
    out = StringIO()

    call_command(command, str(path), stdout=out)

    run = RegisterImport.objects.get()
    assert (run.regulator, run.counts["created"], run.counts["errors"], run.counts["warnings"]) == (regulator, 2, 0, 0)
    # The checksum is the CSV's own, so the same register is recognised however it was packed.
    assert run.file_sha256 == register_file_sha256(plain) == register_file_sha256(path)
    assert run.message == ""
    assert "      2  services added" in out.getvalue()


def test_import_files_same_register_packed_differently_changes_nothing(world: None, tmp_path: Path) -> None:
    plain = _ci_file(tmp_path)
    register_import_from_path(regulator=CI, path=plain)

    again = register_import_from_path(regulator=CI, path=_gzip(plain))

    assert again.counts["unchanged"] == 2 and again.counts["created"] == again.counts["updated"] == 0


# --- Refused: the wrong kind of file --------------------------------------------------------


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", "empty.csv is empty"),
        ("blank.csv", b"\n \r\n", "blank.csv is empty"),
        ("empty.csv.gz", gzip.compress(b""), "empty.csv is empty"),
        ("image.csv", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "image.csv is not a CSV file (it looks like a binary file)"),
        ("letter.pdf", b"%PDF-1.4\n1 0 obj << >> endobj\n", "letter.pdf is a PDF document, not a CSV file"),
        ("cut.csv.gz", gzip.compress(b"CSNumber,ServiceName\n" * 50)[:30], "cut.csv.gz is not a readable gzip file"),
        ("cut.zip", b"PK\x03\x04" + b"\0" * 40, "cut.zip is not a readable zip file"),
        ("notes.csv", b"just,some\ncolumns,here\n", "notes.csv does not look like a Care Inspectorate datastore CSV"),
        ("page.csv", b"<!doctype html><html><body>Not found</body></html>\n", "missing column(s) CSNumber"),
    ],
)
def test_import_files_refuse_a_file_that_is_not_a_register_and_write_nothing(
    world: None, tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = _write(tmp_path, name, data)

    with pytest.raises(CommandError) as refused:
        call_command("import_care_inspectorate", str(path), stdout=StringIO())

    assert message in str(refused.value)
    assert _nothing_written()


def test_import_files_refuse_a_zip_without_a_csv(world: None, tmp_path: Path) -> None:
    path = _zip(tmp_path / "register.zip", {"README.txt": b"read me", "data/register.json": b"{}"})

    with pytest.raises(
        RegisterFileInvalid, match=r"register.zip holds no CSV file \(it holds README.txt, register.json\)"
    ):
        register_import_from_path(regulator=CI, path=path)

    assert _nothing_written()


def test_import_files_refuse_a_zip_with_several_csvs(world: None, tmp_path: Path) -> None:
    data = _ci_file(tmp_path).read_bytes()
    path = _zip(tmp_path / "both.zip", {"2025.csv": data, "2026.csv": data, "__MACOSX/._2026.csv": b"\0"})

    with pytest.raises(
        RegisterFileInvalid, match=r"both.zip holds 2 CSV files \(2025.csv, 2026.csv\): import them one"
    ):
        register_import_from_path(regulator=CI, path=path)

    assert _nothing_written()


def test_import_files_refuse_an_excel_workbook_and_say_what_to_do(world: None, tmp_path: Path) -> None:
    path = _zip(tmp_path / "datastore.xlsx", {"[Content_Types].xml": b"<x/>", "xl/workbook.xml": b"<workbook/>"})

    with pytest.raises(
        RegisterFileInvalid, match="is an Excel workbook, not a CSV file: save the sheet as 'CSV UTF-8'"
    ):
        register_import_from_path(regulator=CI, path=path)

    assert _nothing_written()


def test_import_files_refuse_the_other_regulators_file(world: None, tmp_path: Path) -> None:
    with pytest.raises(RegisterFileInvalid, match="does not look like a Care Inspectorate datastore CSV"):
        register_import_from_path(regulator=CI, path=_gzip(_cqc_file(tmp_path)))
    with pytest.raises(RegisterFileInvalid, match="does not look like a CQC care directory CSV: none of its first"):
        register_import_from_path(regulator=CQC, path=_ci_file(tmp_path))

    assert _nothing_written()


def test_import_files_refuse_a_file_without_a_column_that_defines_a_service(world: None, tmp_path: Path) -> None:
    header = [c for c in CI_HEADER if c not in ("ServiceStatus", "KQ_Setting")]
    path = write_ci(tmp_path / "cut.csv", [ci_row("CS2003000001")], header=header)

    with pytest.raises(RegisterFileInvalid, match=r"missing column\(s\) ServiceStatus, KQ_Setting\. Check that"):
        register_import_from_path(regulator=CI, path=path)

    assert _nothing_written()


# --- Imported with a warning ----------------------------------------------------------------


def test_import_files_read_an_na_or_blank_date_as_unknown_with_a_warning(world: None, tmp_path: Path) -> None:
    rows = [
        ci_row("CS2003000001", DateReg="NA"),
        ci_row("CS2003000002", DateReg=""),
        ci_row("CS2003000003", Last_inspection_Date="N/A", Publication_of_Latest_Grading="NA"),
        ci_row("CS2003000004", Last_inspection_Date="", Publication_of_Latest_Grading=""),  # not inspected yet
        ci_row("CS2003000005", DateReg="NA"),
    ]

    run = register_import_from_path(regulator=CI, path=write_ci(tmp_path / "dates.csv", rows))

    assert (run.counts["created"], run.counts["errors"], run.counts["warnings"]) == (5, 0, 4)
    dates = dict(Registration.objects.values_list("registration_number", "registered_since"))
    assert dates["CS2003000001"] is None and dates["CS2003000002"] is None
    inspected = Registration.objects.get(registration_number="CS2003000003")
    assert inspected.last_inspected_on is None and inspected.graded_on is None
    assert run.message.splitlines() == [
        "Warning: DateReg is 'NA': read as no date: rows 2, 6",
        "Warning: DateReg is blank: read as unknown: row 3",
        "Warning: Publication_of_Latest_Grading is 'NA': read as no date: row 4",
        "Warning: Last_inspection_Date is 'N/A': read as no date: row 4",
    ]


def test_import_files_cqc_na_date_is_a_warning_and_a_word_is_still_an_error(world: None, tmp_path: Path) -> None:
    rows = [
        cqc_row("1-466088203", **{"Date of latest check": "NA"}),
        cqc_row("1-100000002", **{"Date of latest check": "soon"}),
    ]

    run = register_import_from_path(regulator=CQC, path=write_cqc(tmp_path / "cqc.csv", rows))

    assert (run.counts["created"], run.counts["errors"], run.counts["warnings"]) == (1, 1, 1)
    assert Registration.objects.get().last_inspected_on is None
    assert "Warning: Date of latest check is 'NA': read as no date: row 6" in run.message
    assert RegisterImportError.objects.get().reason == "Date of latest check 'soon' is not a date (dd/mm/yyyy)"


def test_import_files_a_missing_phone_column_reads_as_blank_with_a_warning(world: None, tmp_path: Path) -> None:
    header = [c for c in CI_HEADER if c not in ("Service_Phone_Number", "Address_line_4")]
    path = write_ci(
        tmp_path / "no-phone.csv",
        [ci_row("CS2003000001"), ci_row("CS2003000002", Service_Phone_Number="")],
        header=header,
    )

    run = register_import_from_path(regulator=CI, path=path)

    assert run.counts["created"] == 2 and run.counts["errors"] == 0
    assert set(Service.objects.values_list("phone", flat=True)) == {""}
    assert run.message == "Warning: column(s) Address_line_4, Service_Phone_Number missing: read as blank"


def test_import_files_cqc_without_phone_or_website_reads_them_as_blank_with_a_warning(
    world: None, tmp_path: Path
) -> None:
    header = [c for c in CQC_HEADER if c not in ("Phone number", "Service's website (if available)")]
    path = tmp_path / "cqc.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerows(CQC_PREAMBLE)
        writer.writerow(header)
        writer.writerows([[row[h] for h in header] for row in (cqc_row("1-466088203"), cqc_row("1-100000002"))])

    run = register_import_from_path(regulator=CQC, path=path)

    assert run.counts["created"] == 2 and run.counts["errors"] == 0
    assert set(Service.objects.values_list("phone", "website")) == {("", "")}
    assert run.message == "Warning: column(s) Phone number, Service's website (if available) missing: read as blank"


def test_import_files_a_reordered_header_is_read_by_name_with_a_warning(world: None, tmp_path: Path) -> None:
    header = list(reversed(CI_HEADER))
    path = write_ci(tmp_path / "reordered.csv", [ci_row("CS2003000001", ServiceName="Hillhead House")], header=header)

    run = register_import_from_path(regulator=CI, path=path)

    assert run.counts["created"] == 1
    assert Service.objects.get().name == "Hillhead House"
    assert run.message == (
        "Warning: the columns are in a different order from the register's published layout (read by name)"
    )


def test_import_files_unused_columns_are_not_a_warning(world: None, tmp_path: Path) -> None:
    # The real datastore has ~100 columns; CareHub reads 32 of them.
    path = write_ci(tmp_path / "wide.csv", [ci_row("CS2003000001")], header=[*CI_HEADER, "SIMD_rank", "Datazone"])

    assert register_import_from_path(regulator=CI, path=path).message == ""


def test_import_files_extra_cells_at_the_end_of_a_row_are_ignored_with_a_warning(world: None, tmp_path: Path) -> None:
    path = write_ci(tmp_path / "ragged.csv", [ci_row("CS2003000001"), ci_row("CS2003000002"), ci_row("CS2003000003")])
    lines = path.read_text().splitlines()
    lines[1] += ",,"  # a spreadsheet's empty trailing cells
    lines[2] += ",stray note"
    path.write_text("\n".join(lines) + "\n")

    run = register_import_from_path(regulator=CI, path=path)

    assert (run.counts["created"], run.counts["errors"], run.counts["warnings"]) == (3, 0, 2)
    assert run.message.splitlines() == [
        "Warning: 2 cell(s) after the last column ignored: row 2",
        "Warning: 1 cell(s) after the last column ignored ('stray note'): row 3",
    ]


def test_import_files_a_row_shifted_by_an_unquoted_comma_is_an_error_that_says_so(world: None, tmp_path: Path) -> None:
    path = write_ci(tmp_path / "shifted.csv", [ci_row("CS2003000001"), ci_row("CS2003000002")])
    text = path.read_text().replace("Home 0002,1 Byres Road", "Home 0002,1, Byres Road")
    path.write_text(text)

    run = register_import_from_path(regulator=CI, path=path)

    assert run.counts["created"] == 1 and run.counts["errors"] == 1
    reason = RegisterImportError.objects.get().reason
    assert reason == (
        "SP_number '0141 000 0000' is not a Care Inspectorate provider number (SP and 10 digits) "
        "(1 cell(s) after the last column ignored: a comma outside quotes?)"
    )


def test_import_files_a_row_with_too_few_cells_is_an_error(world: None, tmp_path: Path) -> None:
    path = write_ci(tmp_path / "short.csv", [ci_row("CS2003000001"), ci_row("CS2003000002")])
    lines = path.read_text().splitlines()
    lines[2] = lines[2].rsplit(",", 5)[0]
    path.write_text("\n".join(lines) + "\n")

    run = register_import_from_path(regulator=CI, path=path)

    assert run.counts["created"] == 1
    assert RegisterImportError.objects.get().reason == "the row has fewer cells than the header"


def test_import_files_cqc_header_found_off_its_usual_line_with_a_warning(world: None, tmp_path: Path) -> None:
    path = write_cqc(tmp_path / "trimmed.csv", [cqc_row("1-466088203")], preamble=[["Care directory"]])

    run = register_import_from_path(regulator=CQC, path=path)

    assert run.counts["created"] == 1
    assert run.message == "Warning: the header is on line 2, not line 5 as in CQC's published file"
    assert run.counts["errors"] == 0


def test_import_files_command_prints_the_warnings(world: None, tmp_path: Path) -> None:
    path = write_ci(tmp_path / "dates.csv", [ci_row("CS2003000001", DateReg="NA")])
    out = StringIO()

    call_command("import_care_inspectorate", str(path), stdout=out)

    assert "      1  rows imported with a warning" in out.getvalue()
    assert "Warning: DateReg is 'NA': read as no date: row 2" in out.getvalue()


def test_import_files_a_service_whose_row_has_an_error_stays_on_the_directory(world: None, tmp_path: Path) -> None:
    register_import_from_path(regulator=CI, path=_ci_file(tmp_path))
    newer = write_ci(tmp_path / "newer.csv", [ci_row("CS2003000001"), ci_row("CS2003000002", KQ_Setting="9.0")])

    run = register_import_from_path(regulator=CI, path=newer)

    # A typo in the register must not close a service that is still on it.
    assert run.counts["closed"] == 0 and run.counts["errors"] == 1
    kept = Registration.objects.get(registration_number="CS2003000002")
    assert kept.status == Registration.Status.ACTIVE and kept.service.status == Service.Status.PUBLISHED


# --- The shipped copy of the datastore --------------------------------------------------------


def test_import_files_extract_keeps_every_row_and_the_columns_read(world: None, tmp_path: Path) -> None:
    source = write_ci(
        tmp_path / "datastore.csv",
        [ci_row("CS2003000001", DateReg="NA"), ci_row("CS2003000002", CareService="Support Service")],
        header=[*CI_HEADER, "SIMD_rank", "Datazone"],
    )
    out, again = tmp_path / "extract.csv.gz", tmp_path / "again.csv.gz"

    assert care_inspectorate_extract_write(source=_gzip(source), out=out) == 2
    care_inspectorate_extract_write(source=source, out=again)

    assert out.read_bytes() == again.read_bytes()  # reproducible
    header = gzip.decompress(out.read_bytes()).decode().splitlines()[0].split(",")
    assert [c for c in header if c in CI_COLUMNS] == CI_COLUMNS and "Datazone" not in header
    full, extract = parse_care_inspectorate(source), parse_care_inspectorate(out)
    # The same records: importing the full file after the extract finds nothing changed.
    assert [r.digest() for r in extract.records] == [r.digest() for r in full.records]
    assert [(w.row_number, w.reason) for w in extract.warnings] == [(2, "DateReg is 'NA': read as no date")]


def test_import_files_extract_refuses_a_file_that_is_not_a_datastore(tmp_path: Path) -> None:
    source = _write(tmp_path, "notes.csv", b"a,b\n1,2\n")

    with pytest.raises(RegisterFileInvalid, match="does not look like a Care Inspectorate datastore CSV"):
        care_inspectorate_extract_write(source=source, out=tmp_path / "out.csv.gz")

    assert not (tmp_path / "out.csv.gz").exists()


def test_import_files_read_an_open_upload_in_any_packing(world: None, tmp_path: Path) -> None:
    data = gzip.compress(_ci_file(tmp_path).read_bytes())
    upload = io.BytesIO(data)
    upload.name = "datastore.csv.gz"

    parsed = parse_care_inspectorate(upload)

    assert parsed.file_name == "datastore.csv" and len(parsed.records) == 2


def test_import_files_the_shipped_datastore_reads_cleanly() -> None:
    parsed = parse_care_inspectorate(EMBEDDED_PATH)

    assert parsed.file_name == "care_inspectorate_datastore_2026-05-31.csv"
    assert (parsed.total_rows, len(parsed.records), parsed.errors, parsed.warnings) == (10_566, 10_566, [], [])
    assert parsed.file_warnings == []
    assert sum(r.status == Registration.Status.ACTIVE for r in parsed.records) == 10_436
