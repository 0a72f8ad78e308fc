"""In-process cost of cache-miss searches as a multiple of the floor request, each search
interleaved with a floor request so that the machine's drift (a third within minutes on the
benchmark VM) falls on both alike.

Run with the benchmark's environment, on a database `bench/run.py` has loaded:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/carehub_bench \\
        python bench/interleaved.py [--paths /search/,/api/v1/services/] [--miles 5] [--count 400]
Every search uses a distinct real unit postcode near M1 1AE (as bench/profile_search.py), so
every one misses the answer cache. Prints the medians and their ratios to the floor's. Run it
from two checkouts in turn to compare them.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carehub.settings")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from profile_search import nearby  # noqa: E402

FLOOR = "/api/v1/ping/"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--paths", default="/search/,/api/v1/services/")
    parser.add_argument("--miles", type=int, default=5)
    parser.add_argument("--count", type=int, default=400)
    args = parser.parse_args()
    paths = args.paths.split(",")
    client = Client(HTTP_HOST="127.0.0.1")
    searches: dict[str, list[float]] = {path: [] for path in paths}
    floor: list[float] = []
    for n, postcode in enumerate(nearby(args.count)):
        for path in paths:
            started = time.perf_counter()
            assert client.get(FLOOR).status_code == 200
            middle = time.perf_counter()
            assert client.get(path, {"postcode": postcode, "radius_miles": args.miles}).status_code == 200
            if n >= 10:  # the first few warm up imports, templates and connections
                floor.append(middle - started)
                searches[path].append(time.perf_counter() - middle)
    base = statistics.median(floor)
    parts = [f"floor {base * 1000:.3f} ms"]
    for path, times in searches.items():
        median = statistics.median(times)
        parts.append(f"{path} {median * 1000:.2f} ms = {median / base:.1f}x")
    print(f"{args.miles} mi, {len(floor)} searches: " + "; ".join(parts))


if __name__ == "__main__":
    main()
