"""The embedded default: a small table of sector and district centroids.

``postcode_centroids_build`` derives it from the full Code-Point Open data
(no database needed); the project commits the result as
``directory/data/postcode_centroids.csv.gz`` and ``postcode_centroids_load``
loads it at set-up, so that a fresh clone geocodes any GB postcode to its
sector (typically within about 700 m) without downloading anything.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections import Counter
from pathlib import Path

from django.db import transaction

from directory.geo.postcode_import import (
    Accumulator,
    CouncilInfo,
    ImportFileError,
    ImportResult,
    Progress,
    Row,
    _Reader,
    accumulate_centroids,
    centroid_rows,
    council_upsert_many,
    find_codelist,
    postcode_rows_merge,
    read_codelist,
)

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "postcode_centroids.csv.gz"
FIELDS = ["postcode", "precision", "latitude", "longitude", "council_gss", "council_name", "nation", "source"]


def postcode_centroids_build(
    *, path: Path, out: Path, codelist: Path | None = None, progress: Progress | None = None
) -> int:
    """Write the sector + district centroid table derived from a Code-Point Open zip
    (or ONSPD CSV) as gzip CSV; return the number of rows. Byte-for-byte reproducible."""
    say = progress or (lambda _msg: None)
    skipped: Counter[str] = Counter()
    reader = _Reader(Path(path), skipped, chunk_size=100_000)
    if codelist is not None:
        with Path(codelist).open(encoding="utf-8-sig", newline="") as fh:
            councils = read_codelist(fh)
    else:
        councils = find_codelist(Path(path))
    sectors: dict[str, Accumulator] = {}
    districts: dict[str, Accumulator] = {}
    read = 0
    for chunk in reader.chunks():
        read += len(chunk.postcodes)
        accumulate_centroids(chunk, sectors, districts)
        say(f"  {read:,} postcodes read")
    rows = centroid_rows(sectors, districts, councils)
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(FIELDS)
    for r in rows:
        name = councils[r.council_gss].name if r.council_gss else ""
        writer.writerow(
            [r.postcode, r.precision, r.latitude, r.longitude, r.council_gss, name, r.nation, reader.source]
        )
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    # mtime=0 and no file name in the header: the same input gives the same bytes.
    with out.open("wb") as raw, gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        gz.write(buf.getvalue().encode("utf-8"))
    say(f"  skipped: {dict(skipped)}")
    return len(rows)


@transaction.atomic
def postcode_centroids_load(*, path: Path = DEFAULT_PATH) -> ImportResult:
    """Load the centroid table and the councils it names. Idempotent."""
    path = Path(path)
    if not path.is_file():
        raise ImportFileError(f"{path} does not exist: build it with manage.py build_postcode_centroids")
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        records = list(csv.DictReader(fh))
    if not records or set(FIELDS) - set(records[0]):
        raise ImportFileError(f"{path.name} is not a centroid table (columns: {', '.join(FIELDS)})")
    councils = {
        r["council_gss"]: CouncilInfo(r["council_gss"], r["council_name"], r["nation"])
        for r in records
        if r["council_gss"]
    }
    council_ids = council_upsert_many(councils=councils)
    rows: list[Row] = [
        (
            r["postcode"],
            float(r["latitude"]),
            float(r["longitude"]),
            council_ids.get(r["council_gss"]),
            r["precision"],
            r["source"],
        )
        for r in records
    ]
    result = ImportResult(read=len(rows), councils=len(council_ids))
    result.sectors = sum(1 for r in rows if r[4] == "sector")
    result.districts = sum(1 for r in rows if r[4] == "district")
    postcode_rows_merge(rows_chunks=iter([rows]), result=result)
    return result
