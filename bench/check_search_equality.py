"""Compare the paged search with service_search on a loaded database (real postcodes, many services).

Run with the benchmark's environment, on a database `bench/run.py` has loaded:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/carehub_bench python bench/check_search_equality.py
For 40 random real unit postcodes and three fixed ones, at 5 and 25 miles, ordered by distance,
name and price, page 3 (20 results from the 41st) and the count must be the same both ways, with
the same services in the same order at the same distances to 0.01 mile, and the API's rows built
from SQL (search_api_rows) the same as its serializer's for the same page.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carehub.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402

from directory.search.api import ServiceSearchApi  # noqa: E402
from directory.search.api_rows import search_api_rows  # noqa: E402
from directory.search.selectors import search_origin, service_search, service_search_results  # noqa: E402


def main() -> None:
    with connection.cursor() as cursor:
        cursor.execute(  # md5: a fixed shuffle, on PostgreSQL (the bench's database)
            "SELECT postcode FROM directory_postcode WHERE precision = 'unit' ORDER BY md5(postcode) LIMIT 40"
        )
        postcodes = [row[0] for row in cursor.fetchall()] + ["M1 1AE", "LD1 5AB", "G12 8QQ"]
    pages = 0
    for postcode in postcodes:
        origin = search_origin(postcode=postcode)
        for miles in (5, 25):
            for ordering in ("distance", "name", "price"):
                expected = service_search(origin=origin, radius_miles=miles, ordering=ordering)
                results = service_search_results(origin=origin, radius_miles=miles, ordering=ordering)
                results.expect(40, 20)
                assert results.count() == expected.count(), (postcode, miles, ordering)
                got = [(s.pk, round(s.distance_miles, 2)) for s in results[40:60]]
                assert got == [(s.pk, round(s.distance_miles, 2)) for s in expected[40:60]], (postcode, miles, ordering)
                rows = service_search_results(
                    origin=origin, radius_miles=miles, ordering=ordering, load=search_api_rows
                )
                rows.expect(40, 20)  # as the API does: on PostgreSQL, with the area's density hint learned
                # by the count above, the count and this page are read in one statement
                serialised = ServiceSearchApi.OutputSerializer(expected[40:60], many=True).data
                assert rows[40:60] == [dict(row) for row in serialised], (postcode, miles, ordering)
                assert rows.count() == expected.count(), (postcode, miles, ordering)
                pages += 1
    print(f"{pages} pages equal on {connection.vendor}")


if __name__ == "__main__":
    main()
