"""import_postcodes and the centroid table, on tiny Code-Point-shaped files built here."""

import csv
import gzip
import io
import zipfile
from statistics import mean

import pytest
from django.core.management import CommandError, call_command

from directory.geo.centroids import DEFAULT_PATH, postcode_centroids_build, postcode_centroids_load
from directory.geo.postcode_import import postcode_import, read_codelist
from directory.geo.selectors import postcode_lookup
from directory.models import Council, Postcode

# Real Code-Point Open rows (fixed-width postcodes, BNG eastings/northings).
GLASGOW = [
    '"G12 8AA",10,256715,667121,"S92000003","","S08000021","","S12000046","S13002651"',
    '"G12 8QQ",10,256916,666655,"S92000003","","S08000021","","S12000046","S13002651"',
    '"G12 9AA",10,256679,667374,"S92000003","","S08000021","","S12000046","S13002651"',
    '"G12 9AB",10,256702,667327,"S92000003","","S08000021","","S12000046","S13002651"',
    '"G58 2SB",90,0,0,"S92000003","","","","",""',  # no coordinates
    '"G12 9AB",10,256702,667327,"S92000003","","S08000021","","S12000046","S13002651"',  # repeated
    '"G1 1",10',  # truncated
]
SHETLAND = ['"ZE1 0AA",10,447759,1141280,"S92000003","","S08000026","","S12000027","S13002777"']
CODELIST = [
    "area_type,area_type_name,gss_code,name",
    "UTA,Unitary Authority,S12000046,Glasgow City",
    "UTA,Unitary Authority,S12000027,Shetland Islands",
    "DIS,District,E07000008,Cambridge District (B)",
    "UTA,Unitary Authority,W06000001,Sir Ynys Mon - Isle of Anglesey",
    "CTY,County,E10000003,Cambridgeshire County",
    "DIW,District Ward,E05000001,Some Ward",
]


def build_zip(path, glasgow=GLASGOW, codelist=True):
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("Data/CSV/g.csv", "\r\n".join(glasgow) + "\r\n")
        zf.writestr("Data/CSV/ze.csv", "\r\n".join(SHETLAND) + "\r\n")
        zf.writestr("Doc/Code-Point_Open_Column_Headers.csv", "PC,PQ,EA,NO,CY,RH,LH,CC,DC,WC\n")
        if codelist:
            zf.writestr("Doc/codelist.csv", "\n".join(CODELIST) + "\n")
    return path


def run(*args):
    out = io.StringIO()
    call_command("import_postcodes", *[str(a) for a in args], stdout=out)
    return out.getvalue()


@pytest.fixture
def codepoint_zip(tmp_path):
    return build_zip(tmp_path / "codepo_gb_test.zip")


def test_import_postcodes_loads_units_sectors_districts_and_councils(db, codepoint_zip):
    output = run(codepoint_zip)
    # 5 units; sectors G12 8, G12 9, ZE1 0; districts G12, ZE1
    assert "inserted 10, updated 0, unchanged 0, skipped 3" in output
    assert "skipped (no coordinates): 1" in output
    assert "skipped (duplicate postcode): 1" in output
    assert "skipped (malformed row): 1" in output
    assert Postcode.objects.filter(precision="unit").count() == 5
    assert set(Postcode.objects.exclude(precision="unit").values_list("postcode", "precision")) == {
        ("G12 8", "sector"),
        ("G12 9", "sector"),
        ("ZE1 0", "sector"),
        ("G12", "district"),
        ("ZE1", "district"),
    }
    assert dict(Council.objects.values_list("gss_code", "name")) == {
        "S12000046": "Glasgow City",
        "S12000027": "Shetland Islands",
        "E07000008": "Cambridge",
        "W06000001": "Isle of Anglesey",
    }
    unit = Postcode.objects.get(postcode="G12 8QQ")
    # British National Grid → WGS84 (pyproj), checked against the published position.
    assert unit.latitude == pytest.approx(55.8718, abs=2e-4)
    assert unit.longitude == pytest.approx(-4.2884, abs=2e-4)
    assert unit.council.name == "Glasgow City"
    assert Postcode.objects.get(postcode="ZE1 0AA").latitude == pytest.approx(60.153, abs=2e-3)


def test_import_postcodes_sector_centroid_is_the_mean_of_its_units(db, codepoint_zip):
    postcode_import(path=codepoint_zip)
    units = Postcode.objects.filter(postcode__startswith="G12 9", precision="unit")
    sector = Postcode.objects.get(postcode="G12 9")
    assert sector.latitude == pytest.approx(mean(u.latitude for u in units), abs=1e-6)
    assert sector.longitude == pytest.approx(mean(u.longitude for u in units), abs=1e-6)
    assert sector.council.gss_code == "S12000046"
    district = Postcode.objects.get(postcode="G12")
    all_g12 = Postcode.objects.filter(postcode__startswith="G12 ", precision="unit")
    assert district.latitude == pytest.approx(mean(u.latitude for u in all_g12), abs=1e-6)
    assert postcode_lookup(postcode="G12 9ZZ") == sector


def test_import_postcodes_second_run_changes_nothing(db, codepoint_zip):
    run(codepoint_zip)
    before = list(Postcode.objects.order_by("postcode").values())
    output = run(codepoint_zip)
    assert "inserted 0, updated 0, unchanged 10, skipped 3" in output
    assert list(Postcode.objects.order_by("postcode").values()) == before


def test_import_postcodes_updates_a_moved_postcode_and_its_centroids(db, tmp_path, codepoint_zip):
    postcode_import(path=codepoint_zip)
    moved = [row.replace("256916,666655", "256990,666700") for row in GLASGOW]
    result = postcode_import(path=build_zip(tmp_path / "codepo_gb_test2.zip", glasgow=moved))
    # the unit, its sector and its district moved; everything else is untouched
    assert (result.inserted, result.updated, result.unchanged) == (0, 3, 7)


def test_import_postcodes_reads_an_unzipped_folder_with_codelist_option(db, tmp_path, codepoint_zip):
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(codepoint_zip) as zf:
        zf.extractall(folder)
    codelist = folder / "Doc" / "codelist.csv"
    renamed = tmp_path / "my-codes.csv"
    codelist.rename(renamed)
    output = run(folder, "--codelist", renamed)
    assert "inserted 10" in output
    assert Postcode.objects.get(postcode="G12 8QQ").council.name == "Glasgow City"


def test_import_postcodes_without_a_codelist_still_imports_positions(db, tmp_path):
    result = postcode_import(path=build_zip(tmp_path / "bare.zip", codelist=False))
    assert result.inserted == 10
    assert not Postcode.objects.filter(council__isnull=False).exists()


def test_import_postcodes_reads_an_onspd_csv_including_northern_ireland(db, tmp_path):
    path = tmp_path / "ONSPD_TEST.csv"
    with path.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["pcd", "pcds", "doterm", "oslaua", "ctry", "lat", "long"])
        writer.writerow(["BT1 1AA", "BT1 1AA", "", "N09000003", "N92000002", "54.598", "-5.930"])
        writer.writerow(["G12 8QQ", "G12 8QQ", "", "S12000046", "S92000003", "55.871751", "-4.28836"])
        writer.writerow(["ZZ", "G12 8ZZ", "", "", "S92000003", "99.999999", "0.000000"])
    codelist = tmp_path / "codelist.csv"
    codelist.write_text(
        "area_type,area_type_name,gss_code,name\nUTA,x,N09000003,Belfast\nUTA,x,S12000046,Glasgow City\n"
    )
    result = postcode_import(path=path, codelist=codelist)
    assert result.skipped == {"no coordinates": 1}
    belfast = Postcode.objects.get(postcode="BT1 1AA")
    assert (belfast.latitude, belfast.longitude, belfast.council.name) == (54.598, -5.93, "Belfast")
    assert belfast.council.nation == "northern_ireland"
    assert postcode_lookup(postcode="BT1 9ZZ").postcode == "BT1"


@pytest.mark.parametrize("name", ["missing.zip", "notes.txt"])
def test_import_postcodes_refuses_a_file_it_cannot_read(db, tmp_path, name):
    path = tmp_path / name
    if name.endswith(".txt"):
        path.write_text("hello\n")
    with pytest.raises(CommandError):
        run(path)


def test_build_and_load_postcode_centroids_round_trip(db, tmp_path, codepoint_zip):
    out = tmp_path / "centroids.csv.gz"
    assert postcode_centroids_build(path=codepoint_zip, out=out) == 5
    again = tmp_path / "again.csv.gz"
    postcode_centroids_build(path=codepoint_zip, out=again)
    assert out.read_bytes() == again.read_bytes()  # reproducible
    first = postcode_centroids_load(path=out)
    assert (first.inserted, first.sectors, first.districts) == (5, 3, 2)
    assert postcode_centroids_load(path=out).inserted == 0
    assert not Postcode.objects.filter(precision="unit").exists()
    assert postcode_lookup(postcode="ZE1 0ZZ").council.name == "Shetland Islands"


def test_load_postcode_centroids_loads_the_committed_table(db):
    out = io.StringIO()
    call_command("load_postcode_centroids", stdout=out)
    assert "10,820 sectors, 2,880 districts" in out.getvalue()
    with gzip.open(DEFAULT_PATH, "rt") as fh:
        assert sum(1 for _ in fh) == 13_701  # header + rows
    found = postcode_lookup(postcode="G12 8QQ")
    assert (found.postcode, found.precision, found.council.name) == ("G12 8", "sector", "Glasgow City")
    assert postcode_lookup(postcode="TR21 0LW").council.name == "Isles of Scilly"
    call_command("load_postcode_centroids", stdout=out)
    assert "inserted 0, updated 0, unchanged 13,700" in out.getvalue()


def test_read_codelist_accepts_code_point_and_onspd_names_files():
    codepoint = read_codelist(io.StringIO("\n".join(CODELIST) + "\n"))
    assert sorted(codepoint) == ["E07000008", "S12000027", "S12000046", "W06000001"]  # councils only
    assert codepoint["E07000008"].name == "Cambridge"
    onspd = read_codelist(
        io.StringIO("LAD23CD,LAD23NM,LAD23NMW\nN09000003,Belfast,\nW06000001,Isle of Anglesey,Ynys Môn\n")
    )
    assert {k: (v.name, v.nation) for k, v in onspd.items()} == {
        "N09000003": ("Belfast", "northern_ireland"),
        "W06000001": ("Isle of Anglesey", "wales"),
    }
