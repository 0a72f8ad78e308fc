"""Interleaved A/B of one PostgreSQL session setting on the cache-miss search's statements.

Run on a database `bench/run.py` has loaded:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/carehub_bench \
        python bench/ab_plans.py [--miles 5] [--count 300] [--rounds 3]
For each of --count real unit postcodes near M1 1AE, runs the search API's statements (count,
nearest page, rows) once with plan_cache_mode = auto and once with force_generic_plan, in
alternating order, on one connection whose statements are already prepared: the two sides see
the same machine at the same moment, so drift in the machine's speed falls on both. Prints the
median and mean wall time of the statements per search for each side; also the health check
each request makes on a reused connection (Django's SELECT 1 against the socket check).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carehub.settings")

import django  # noqa: E402

django.setup()

from django.db import connection, connections  # noqa: E402
from django.db.backends.postgresql.base import DatabaseWrapper as DjangoWrapper  # noqa: E402

from bench.profile_search import nearby  # noqa: E402
from directory.search.api_rows import search_api_rows  # noqa: E402
from directory.search.selectors import Ordering, ServiceSearchResults, search_origin  # noqa: E402


def one_search(postcode: str, miles: int) -> float:
    origin = search_origin(postcode=postcode)
    started = time.perf_counter()
    results = ServiceSearchResults(
        origin=origin, radius_miles=miles, ordering=Ordering.DISTANCE, filtered=None, load=search_api_rows
    )
    results.count()
    results[0:20]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--miles", type=int, default=5)
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("PostgreSQL only: set DATABASE_URL")
    postcodes = nearby(args.count)
    for postcode in postcodes[:10]:  # prepare every statement, warm the caches
        one_search(postcode, args.miles)
    times: dict[str, list[float]] = {"auto": [], "force_generic_plan": []}
    with connection.cursor() as cursor:
        for round_ in range(args.rounds):
            for i, postcode in enumerate(postcodes):
                modes = ["auto", "force_generic_plan"]
                if (i + round_) % 2:
                    modes.reverse()
                for mode in modes:
                    cursor.execute(f"SET plan_cache_mode = {mode}")
                    times[mode].append(one_search(postcode, args.miles))
    for mode, values in times.items():
        print(
            f"{args.miles} mi, plan_cache_mode = {mode:<18}: median {statistics.median(values) * 1000:.2f} ms, "
            f"mean {statistics.mean(values) * 1000:.2f} ms per search ({len(values)} searches)"
        )
    checks: dict[str, list[float]] = {"SELECT 1 (Django)": [], "socket": []}
    wrapper = connections["default"]
    for _ in range(args.rounds * len(postcodes)):
        for name, check in (("SELECT 1 (Django)", DjangoWrapper.is_usable), ("socket", type(wrapper).is_usable)):
            started = time.perf_counter()
            assert check(wrapper)
            checks[name].append(time.perf_counter() - started)
    for name, values in checks.items():
        print(f"health check, {name:<17}: median {statistics.median(values) * 1000:.3f} ms")


if __name__ == "__main__":
    main()
