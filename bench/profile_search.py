"""Profile cache-miss searches in-process (cProfile), as one gunicorn worker would run them.

Run with the benchmark's environment, on a database `bench/run.py` has loaded:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/carehub_bench \
        python bench/profile_search.py [--path api|html|floor] [--miles 5] [--count 200] [--top 30]
Every request uses a distinct real unit postcode near M1 1AE, so every search misses the
answer cache; prints the mean wall time per request, the SQL time and count per request,
and the functions where the time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carehub.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

CITY = "M1 1AE"


def nearby(count: int) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT latitude, longitude FROM directory_postcode WHERE postcode = %s", [CITY])
        lat, lng = cursor.fetchone()
        cursor.execute(
            "SELECT postcode FROM directory_postcode WHERE precision = 'unit' "
            "AND latitude BETWEEN %s AND %s AND longitude BETWEEN %s AND %s ORDER BY postcode",
            [lat - 0.04, lat + 0.04, lng - 0.07, lng + 0.07],
        )
        rows = [r[0] for r in cursor.fetchall()]
    return rows[:: max(1, len(rows) // count)][:count]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--path", choices=["api", "html", "floor"], default="api")
    parser.add_argument("--miles", type=int, default=5)
    parser.add_argument("--count", type=int, default=200)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args()
    base = {"api": "/api/v1/services/", "html": "/search/", "floor": "/api/v1/ping/"}[args.path]
    urls = [f"{base}?postcode={pc.replace(' ', '%20')}&radius_miles={args.miles}" for pc in nearby(args.count)]
    if args.path == "floor":
        urls = [base] * len(urls)
    client = Client(HTTP_HOST="127.0.0.1")
    for url in urls[:5]:  # warm up: imports, templates, connection
        assert client.get(url).status_code == 200
    urls = urls[5:]
    sql = {"n": 0, "s": 0.0}
    by_statement: dict[str, list[float]] = {}

    def timer(execute, query, params, many, context):
        started = time.perf_counter()
        try:
            return execute(query, params, many, context)
        finally:
            sql["n"] += 1
            sql["s"] += time.perf_counter() - started
            by_statement.setdefault(" ".join(query.split())[:110], []).append(time.perf_counter() - started)

    profiler = cProfile.Profile()
    started, cpu_started = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(timer):
        if args.top:
            profiler.enable()
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
        profiler.disable()
    wall = (time.perf_counter() - started) / len(urls)
    cpu = (time.process_time() - cpu_started) / len(urls)
    print(
        f"{len(urls)} requests to {base} at {args.miles} mi: {wall * 1000:.1f} ms each"
        f"{' (profiled)' if args.top else ''}, Python CPU {cpu * 1000:.1f} ms, "
        f"SQL {sql['s'] / len(urls) * 1000:.1f} ms in {sql['n'] / len(urls):.1f} queries"
    )
    if not args.top:
        return
    for statement, times in sorted(by_statement.items(), key=lambda kv: -sum(kv[1])):
        print(f"  {sum(times) / len(urls) * 1000:6.2f} ms/request  x{len(times) / len(urls):.2f}  {statement}")
    stats = pstats.Stats(profiler)
    stats.sort_stats("cumulative").print_stats(args.top)
    stats.sort_stats("tottime").print_stats(args.top)


if __name__ == "__main__":
    main()
