"""Load geocoded postcodes from the official open data.

Sources: OS Code-Point Open (zip or unzipped folder; British National Grid
eastings/northings, converted to WGS84 with pyproj) or an ONS Postcode
Directory CSV (already WGS84, also covers Northern Ireland).

The import streams the source in chunks: each chunk is converted with one
vectorised pyproj call and written with one bulk statement (COPY into a
temporary table on PostgreSQL, batched ``executemany`` on SQLite), then an
``INSERT ... ON CONFLICT DO UPDATE ... WHERE <changed>`` merges it, so a
second run of the same file changes nothing. Sector and district centroids
(the mean position of their units; the council most of their units are in)
are derived from the same stream and merged the same way.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from array import array
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connection, transaction
from django.utils.text import slugify
from pyproj import Transformer

from carehub.errors import DomainError
from carehub.postcodes import _FULL, split_compact
from directory.models import Council, Nation, Postcode
from directory.search.cache import search_cache_bump

Progress = Callable[[str], None]

COUNCIL_AREA_TYPES = {"UTA", "DIS", "MTD", "LBO"}
NATION_BY_PREFIX = {"E": Nation.ENGLAND, "S": Nation.SCOTLAND, "W": Nation.WALES, "N": Nation.NORTHERN_IRELAND}
CHUNK_SIZE = 100_000
# 6 decimal places is about 0.1 m: finer than the data, and stable across runs so
# that an unchanged postcode compares equal and is not rewritten.
DECIMALS = 6


class ImportFileError(DomainError):
    code = "import_file_invalid"


@dataclass
class CouncilInfo:
    gss_code: str
    name: str
    nation: str


@dataclass
class Chunk:
    postcodes: list[str]
    latitudes: array
    longitudes: array
    councils: list[str]
    countries: list[str]


@dataclass
class Accumulator:
    """Running sums for one sector or district centroid."""

    lat: float = 0.0
    lng: float = 0.0
    n: int = 0
    councils: Counter[str] = field(default_factory=Counter)
    countries: Counter[str] = field(default_factory=Counter)


@dataclass
class CentroidRow:
    postcode: str
    precision: str
    latitude: float
    longitude: float
    council_gss: str
    nation: str


@dataclass
class ImportResult:
    read: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    sectors: int = 0
    districts: int = 0
    councils: int = 0

    @property
    def skipped_total(self) -> int:
        return sum(self.skipped.values())


# --- Council names ---------------------------------------------------------------------

_NAME_SUFFIXES = re.compile(r"( London Boro| District \(B\)| District| \(B\))$")


def clean_council_name(raw: str) -> str:
    """``Cambridge District (B)`` → ``Cambridge``; ``Gwynedd - Gwynedd`` → ``Gwynedd``;
    ``Sir Ynys Mon - Isle of Anglesey`` → ``Isle of Anglesey`` (the English name)."""
    name = _NAME_SUFFIXES.sub("", raw.strip())
    if " - " in name:
        name = name.split(" - ")[-1]
    return name.strip()


def nation_for_gss(gss_code: str) -> str:
    return NATION_BY_PREFIX.get(gss_code[:1].upper(), "")


def read_codelist(text: io.TextIOBase | Iterator[str]) -> dict[str, CouncilInfo]:
    """Councils from a Code-Point code list CSV (``area_type, area_type_name, gss_code, name``)
    or from ONSPD's local authority names file (``LAD23CD, LAD23NM``...)."""
    councils: dict[str, CouncilInfo] = {}
    reader = csv.DictReader(text)
    fields = {f.strip().lower(): f for f in reader.fieldnames or []}
    code_col = next((fields[f] for f in fields if re.fullmatch(r"lad\d*cd", f)), None)
    name_col = next((fields[f] for f in fields if re.fullmatch(r"lad\d*nm", f)), None)
    if code_col and name_col:
        for row in reader:
            gss = (row.get(code_col) or "").strip().upper()
            if gss and nation_for_gss(gss):
                councils[gss] = CouncilInfo(gss, (row.get(name_col) or gss).strip(), nation_for_gss(gss))
        return councils
    for row in reader:
        area_type = (row.get("area_type") or "").strip().upper()
        gss = (row.get("gss_code") or "").strip().upper()
        if area_type in COUNCIL_AREA_TYPES and gss and nation_for_gss(gss):
            councils[gss] = CouncilInfo(gss, clean_council_name(row.get("name") or gss), nation_for_gss(gss))
    return councils


def find_codelist(path: Path) -> dict[str, CouncilInfo]:
    """The code list next to the zip/folder (``<stem>_codelist.csv`` or ``codelist.csv``)
    or inside it (any ``*codelist.csv``). Empty when there is none."""
    base = path.parent if path.is_file() else path
    for candidate in (base / f"{path.stem}_codelist.csv", base / "codelist.csv", base / "Doc" / "codelist.csv"):
        if candidate.is_file():
            with candidate.open(encoding="utf-8-sig", newline="") as fh:
                return read_codelist(fh)
    if path.is_file() and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.lower().endswith("codelist.csv"):
                    with zf.open(name) as raw:
                        return read_codelist(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
    return {}


def council_upsert_many(*, councils: dict[str, CouncilInfo]) -> dict[str, int]:
    """Create or rename councils by GSS code; return {gss_code: id} for all of them."""
    existing = {c.gss_code: c for c in Council.objects.filter(gss_code__in=list(councils))}
    taken_slugs = set(Council.objects.values_list("slug", flat=True))
    for gss, info in sorted(councils.items()):
        council = existing.get(gss)
        if council is None:
            slug = slugify(info.name)[:190] or gss.lower()
            if slug in taken_slugs:
                slug = f"{slug}-{gss.lower()}"
            taken_slugs.add(slug)
            existing[gss] = Council.objects.create(gss_code=gss, name=info.name, nation=info.nation, slug=slug)
        elif (council.name, council.nation) != (info.name, info.nation):
            council.name, council.nation = info.name, info.nation
            council.save(update_fields=["name", "nation"])
    return {gss: c.id for gss, c in existing.items()}


# --- Reading the sources ---------------------------------------------------------------


class _Reader:
    """Turns a source into chunks of WGS84 unit postcodes, counting what it skips."""

    def __init__(self, path: Path, skipped: Counter[str], chunk_size: int) -> None:
        self.path = path
        self.skipped = skipped
        self.chunk_size = chunk_size
        self.seen: set[str] = set()
        self.kind, self.source = self._detect()

    def _detect(self) -> tuple[str, str]:
        path = self.path
        if path.is_dir():
            if not list((path / "Data" / "CSV").glob("*.csv")):
                raise ImportFileError(f"{path} has no Data/CSV/*.csv files: is it an unzipped Code-Point Open folder?")
            return "codepoint-dir", f"codepoint:{path.name}"[:40]
        if not path.is_file():
            raise ImportFileError(f"{path} does not exist")
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as zf:
                names = zf.namelist()
            if any(re.match(r"(.*/)?Data/CSV/[^/]+\.csv$", n, re.IGNORECASE) for n in names):
                return "codepoint-zip", f"codepoint:{path.stem}"[:40]
            if any(re.match(r"(.*/)?Data/ONSPD[^/]*\.csv$", n, re.IGNORECASE) for n in names):
                return "onspd-zip", f"onspd:{path.stem}"[:40]
            raise ImportFileError(f"{path.name} is neither a Code-Point Open zip nor an ONSPD zip")
        with path.open(encoding="utf-8-sig", newline="") as fh:
            header = [h.strip().lower() for h in next(csv.reader(fh), [])]
        if ("pcds" in header or "pcd" in header) and "lat" in header and "long" in header:
            return "onspd-csv", f"onspd:{path.stem}"[:40]
        raise ImportFileError(f"{path.name} is not an ONSPD CSV (it needs pcds, lat and long columns)")

    # Code-Point: Postcode, Quality, Eastings, Northings, Country, NHS region, NHS HA, County, District, Ward
    def _codepoint_files(self) -> Iterator[tuple[str, Iterator[list[str]]]]:
        if self.kind == "codepoint-dir":
            for csv_path in sorted((self.path / "Data" / "CSV").glob("*.csv")):
                with csv_path.open(encoding="latin-1", newline="") as fh:
                    yield csv_path.name, csv.reader(fh)
        else:
            with zipfile.ZipFile(self.path) as zf:
                for name in sorted(zf.namelist()):
                    if re.match(r"(.*/)?Data/CSV/[^/]+\.csv$", name, re.IGNORECASE):
                        with zf.open(name) as raw:
                            yield name.rsplit("/", 1)[-1], csv.reader(io.TextIOWrapper(raw, "latin-1", newline=""))

    def _accept(self, compact: str) -> str:
        """The normalised postcode, or "" after counting why it was skipped."""
        pc = split_compact(compact)
        if not pc or not _FULL.match(pc.replace(" ", "")):
            self.skipped["invalid postcode"] += 1
            return ""
        if pc in self.seen:
            self.skipped["duplicate postcode"] += 1
            return ""
        self.seen.add(pc)
        return pc

    def grid_chunks(self) -> Iterator[tuple[list[str], array, array, list[str], list[str]]]:
        """Chunks of (postcodes, eastings, northings, council codes, country codes)."""
        pcs: list[str] = []
        east, north = array("d"), array("d")
        councils: list[str] = []
        countries: list[str] = []
        for _name, rows in self._codepoint_files():
            for row in rows:
                if len(row) < 9:
                    self.skipped["malformed row"] += 1
                    continue
                try:
                    e, n = float(row[2]), float(row[3])
                except ValueError:
                    self.skipped["no coordinates"] += 1
                    continue
                # Quality 90 = no coordinates; OS gives them 0,0.
                if row[1].strip() == "90" or (e == 0 and n == 0):
                    self.skipped["no coordinates"] += 1
                    continue
                pc = self._accept(row[0])
                if not pc:
                    continue
                pcs.append(pc)
                east.append(e)
                north.append(n)
                councils.append(row[8].strip() or row[7].strip())
                countries.append(row[4].strip())
                if len(pcs) >= self.chunk_size:
                    yield pcs, east, north, councils, countries
                    pcs, east, north, councils, countries = [], array("d"), array("d"), [], []
        if pcs:
            yield pcs, east, north, councils, countries

    def _onspd_rows(self) -> Iterator[dict[str, str]]:
        if self.kind == "onspd-csv":
            with self.path.open(encoding="utf-8-sig", newline="") as fh:
                yield from csv.DictReader(fh)
        else:
            with zipfile.ZipFile(self.path) as zf:
                name = next(n for n in zf.namelist() if re.match(r"(.*/)?Data/ONSPD[^/]*\.csv$", n, re.IGNORECASE))
                with zf.open(name) as raw:
                    yield from csv.DictReader(io.TextIOWrapper(raw, "utf-8-sig", newline=""))

    def onspd_chunks(self) -> Iterator[Chunk]:
        chunk = Chunk([], array("d"), array("d"), [], [])
        for row in self._onspd_rows():
            row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k}
            try:
                lat, lng = float(row.get("lat", "")), float(row.get("long", ""))
            except ValueError:
                self.skipped["no coordinates"] += 1
                continue
            # ONSPD marks postcodes without a grid reference with 99.999999 / 0.000000.
            if not (49 <= lat <= 61.5 and -9 <= lng <= 2.5):
                self.skipped["no coordinates"] += 1
                continue
            pc = self._accept(row.get("pcds") or row.get("pcd") or "")
            if not pc:
                continue
            council = row.get("oslaua") or next((v for k, v in row.items() if re.fullmatch(r"lad\d*cd", k)), "")
            chunk.postcodes.append(pc)
            chunk.latitudes.append(round(lat, DECIMALS))
            chunk.longitudes.append(round(lng, DECIMALS))
            chunk.councils.append(council)
            chunk.countries.append(row.get("ctry", ""))
            if len(chunk.postcodes) >= self.chunk_size:
                yield chunk
                chunk = Chunk([], array("d"), array("d"), [], [])
        if chunk.postcodes:
            yield chunk

    def chunks(self) -> Iterator[Chunk]:
        if self.kind.startswith("onspd"):
            yield from self.onspd_chunks()
            return
        transformer = Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)
        for pcs, east, north, councils, countries in self.grid_chunks():
            # One vectorised call per chunk: pyproj transforms array('d') buffers in C.
            lngs, lats = transformer.transform(east, north)
            yield Chunk(
                pcs,
                array("d", (round(v, DECIMALS) for v in lats)),
                array("d", (round(v, DECIMALS) for v in lngs)),
                councils,
                countries,
            )


# --- Centroids -------------------------------------------------------------------------


def accumulate_centroids(chunk: Chunk, sectors: dict[str, Accumulator], districts: dict[str, Accumulator]) -> None:
    for pc, lat, lng, council, country in zip(
        chunk.postcodes, chunk.latitudes, chunk.longitudes, chunk.councils, chunk.countries, strict=True
    ):
        for key, table in ((pc[:-2], sectors), (pc[: pc.index(" ")], districts)):
            acc = table.get(key)
            if acc is None:
                acc = table[key] = Accumulator()
            acc.lat += lat
            acc.lng += lng
            acc.n += 1
            if council:
                acc.councils[council] += 1
            if country:
                acc.countries[country] += 1


def centroid_rows(
    sectors: dict[str, Accumulator], districts: dict[str, Accumulator], councils: dict[str, CouncilInfo]
) -> list[CentroidRow]:
    """Mean position of each sector's and district's units; the council most of them are in."""
    rows = []
    for precision, table in (
        (Postcode.Precision.SECTOR.value, sectors),
        (Postcode.Precision.DISTRICT.value, districts),
    ):
        for key in sorted(table):
            acc = table[key]
            council = next((c for c, _ in acc.councils.most_common() if c in councils), "")
            country = acc.countries.most_common(1)[0][0] if acc.countries else ""
            nation = councils[council].nation if council else nation_for_gss(country)
            rows.append(
                CentroidRow(
                    key,
                    precision,
                    round(acc.lat / acc.n, DECIMALS),
                    round(acc.lng / acc.n, DECIMALS),
                    council,
                    nation,
                )
            )
    return rows


# --- Writing ---------------------------------------------------------------------------

Row = tuple[str, float, float, int | None, str, str]

# Plain SQL constants (no user input). A row is rewritten only when its position, council or
# precision changed: a new release of the same data (another file name, so another source
# label) then changes nothing, and `source` records the release that last changed the row.
_PG_TEMP_TABLE = (
    "CREATE TEMP TABLE IF NOT EXISTS tmp_postcode_import (postcode varchar(8), latitude double precision, "
    "longitude double precision, council_id bigint, precision varchar(8), source varchar(40)) ON COMMIT DROP"
)
_PG_COPY = (
    "COPY tmp_postcode_import (postcode, latitude, longitude, council_id, precision, source) "
    "FROM STDIN WITH (FORMAT csv)"
)
_PG_MERGE = """
INSERT INTO directory_postcode (postcode, latitude, longitude, council_id, precision, source)
SELECT postcode, latitude, longitude, council_id, precision, source FROM tmp_postcode_import
ON CONFLICT (postcode) DO UPDATE SET
    latitude = EXCLUDED.latitude, longitude = EXCLUDED.longitude, council_id = EXCLUDED.council_id,
    precision = EXCLUDED.precision, source = EXCLUDED.source
WHERE (directory_postcode.latitude, directory_postcode.longitude, directory_postcode.council_id,
       directory_postcode.precision)
    IS DISTINCT FROM (EXCLUDED.latitude, EXCLUDED.longitude, EXCLUDED.council_id, EXCLUDED.precision)
"""
# SQLite: IS NOT is its null-safe inequality. A row left alone by the WHERE does not count in
# total_changes, so the change count means the same on both databases.
_SQLITE_UPSERT = """
INSERT INTO directory_postcode (postcode, latitude, longitude, council_id, precision, source)
VALUES (%s, %s, %s, %s, %s, %s)
ON CONFLICT (postcode) DO UPDATE SET
    latitude = excluded.latitude, longitude = excluded.longitude, council_id = excluded.council_id,
    precision = excluded.precision, source = excluded.source
WHERE (directory_postcode.latitude, directory_postcode.longitude, directory_postcode.council_id,
       directory_postcode.precision)
    IS NOT (excluded.latitude, excluded.longitude, excluded.council_id, excluded.precision)
"""


class _Writer:
    """Merges rows into directory_postcode; counts rows actually inserted or changed."""

    def __init__(self) -> None:
        self.vendor = connection.vendor
        self.changed = 0
        if self.vendor == "postgresql":
            with connection.cursor() as cur:
                cur.execute(_PG_TEMP_TABLE)

    def write(self, rows: list[Row]) -> None:
        if not rows:
            return
        with connection.cursor() as cur:
            if self.vendor == "postgresql":
                buf = io.StringIO()
                csv.writer(buf, lineterminator="\n").writerows(
                    (pc, repr(lat), repr(lng), "" if cid is None else cid, prec, src)
                    for pc, lat, lng, cid, prec, src in rows
                )
                buf.seek(0)
                cur.execute("TRUNCATE tmp_postcode_import")
                cur.cursor.copy_expert(_PG_COPY, buf)
                cur.execute(_PG_MERGE)
                self.changed += cur.rowcount
            else:
                before = connection.connection.total_changes
                cur.executemany(_SQLITE_UPSERT, rows)
                self.changed += connection.connection.total_changes - before


def _count_postcodes() -> int:
    return Postcode.objects.count()


def postcode_rows_merge(*, rows_chunks: Iterator[list[Row]], result: ImportResult) -> None:
    """Merge chunks of rows into the postcode table, filling result.inserted/updated/unchanged.
    Call inside a transaction."""
    before = _count_postcodes()
    writer = _Writer()
    total = 0
    for rows in rows_chunks:
        writer.write(rows)
        total += len(rows)
    result.inserted += _count_postcodes() - before
    result.updated += writer.changed - (_count_postcodes() - before)
    result.unchanged += total - writer.changed
    if writer.changed:
        search_cache_bump()  # cached lookups and searches may use the old positions


# --- The service -----------------------------------------------------------------------


def postcode_import(
    *,
    path: Path,
    codelist: Path | None = None,
    progress: Progress | None = None,
    chunk_size: int = CHUNK_SIZE,
) -> ImportResult:
    """Import every unit postcode in a Code-Point Open zip/folder or an ONSPD CSV,
    with derived sector and district centroids, in one transaction.

    Idempotent: re-importing the same file changes no row. Raises ImportFileError
    for a file it cannot read."""
    say = progress or (lambda _msg: None)
    path = Path(path)
    result = ImportResult()
    reader = _Reader(path, result.skipped, chunk_size)
    if codelist is not None:
        if not Path(codelist).is_file():
            raise ImportFileError(f"Code list {codelist} does not exist")
        with Path(codelist).open(encoding="utf-8-sig", newline="") as fh:
            council_info = read_codelist(fh)
    else:
        council_info = find_codelist(path)
    say(f"{path.name}: {reader.kind}, {len(council_info)} councils in the code list")
    sectors: dict[str, Accumulator] = {}
    districts: dict[str, Accumulator] = {}

    with transaction.atomic():
        council_ids = council_upsert_many(councils=council_info)
        result.councils = len(council_ids)

        def unit_rows() -> Iterator[list[Row]]:
            for chunk in reader.chunks():
                result.read += len(chunk.postcodes)
                accumulate_centroids(chunk, sectors, districts)
                yield [
                    (pc, lat, lng, council_ids.get(council), Postcode.Precision.UNIT.value, reader.source)
                    for pc, lat, lng, council in zip(
                        chunk.postcodes, chunk.latitudes, chunk.longitudes, chunk.councils, strict=True
                    )
                ]
                say(f"  {result.read:,} postcodes read, {result.skipped_total:,} skipped")

        postcode_rows_merge(rows_chunks=unit_rows(), result=result)
        centroids = centroid_rows(sectors, districts, council_info)
        result.sectors = len(sectors)
        result.districts = len(districts)
        say(f"  deriving {len(sectors):,} sector and {len(districts):,} district centroids")
        rows = [
            (c.postcode, c.latitude, c.longitude, council_ids.get(c.council_gss), c.precision, reader.source)
            for c in centroids
        ]
        postcode_rows_merge(rows_chunks=iter([rows]), result=result)
    return result
