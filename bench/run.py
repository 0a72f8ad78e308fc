"""CareHub benchmark (`make bench`): postcode import and search under load.

1. Imports the full Code-Point Open postcodes into a fresh PostgreSQL database
   (and, unless --skip-sqlite, into a fresh SQLite file), timing each.
2. For each N in --services: places N synthetic services at random real unit
   postcodes, serves the app with gunicorn (2 workers) on PostgreSQL, and drives
   it with wrk (one thread, --connections open connections, --duration seconds
   per endpoint): the floor (/api/v1/ping/), the postcode lookup, then searches
   that miss the answer cache (each request from a different real unit postcode
   near the city: the API at 5 and 25 miles and the HTML results page /search/),
   then the same searches repeated (cache hits), the rural ones and the Open
   Referral UK list endpoints (ADR 10). --only runs the endpoints whose label
   contains a word; --skip-seed reuses the services already placed.
   A cache-miss line warms up on postcodes it then never asks for, and its
   "distinct" figure says how many paths it had: if wrk sent more requests than
   that, some hit the cache and the table says so.
3. Prints a Markdown table (p50 / p95 / requests per second) and writes the raw
   figures to bench/results/.

Only loopback traffic; every run is bounded by --duration.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
ZIP = ROOT.parent / "shared" / "data" / "codepo_gb_2014-08.zip"
PG_ADMIN = "postgres://postgres@127.0.0.1:5432/postgres"
CITY, RURAL = "M1 1AE", "LD1 5AB"  # Manchester city centre; Llandrindod Wells, Powys


def sh(args: list[str], env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(args, cwd=ROOT, env=env, check=True, **kwargs)


def timed(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    sh(args, env)
    return time.perf_counter() - started


def fresh_pg(name: str) -> str:
    for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
        sh(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", sql], dict(os.environ))
    return f"postgres://postgres@127.0.0.1:5432/{name}"


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SQLITE_PATH", "SECRET_KEY"}}
    env.update(DJANGO_SETTINGS_MODULE="carehub.settings", LOG_LEVEL="WARNING", **extra)
    return env


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SystemExit(f"gunicorn did not start on port {port}")


def serve(port: int, env: dict[str, str]) -> subprocess.Popen:
    """The app under gunicorn with two workers, as every figure here is measured."""
    gunicorn = [str(ROOT / ".venv" / "bin" / "gunicorn"), "carehub.wsgi", "--bind", f"127.0.0.1:{port}"]
    return subprocess.Popen([*gunicorn, "--workers", "2", "--log-level", "warning"], cwd=ROOT, env=env)


def path_args(paths: list[str]) -> list[str]:
    """wrk script arguments: the paths themselves, or a file of them when the list is long."""
    if len(paths) <= 50:
        return paths
    with tempfile.NamedTemporaryFile("w", prefix="carehub-bench-", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(paths) + "\n")
    return [f"@{handle.name}"]


def wrk(port: int, paths: list[str], duration: int, connections: int, warm: list[str] | None = None) -> dict:
    """Run wrk over paths; warm (default: the same paths) is requested for 2 s first."""
    with wrk_args(warm or paths) as warm_args, wrk_args(paths) as run_args:
        wrk_once(port, warm_args, 2, connections)  # warm up workers and the database cache
        return wrk_once(port, run_args, duration, connections) | {"distinct": len(set(paths))}


@contextmanager
def wrk_args(paths: list[str]) -> Iterator[list[str]]:
    """path_args, its file of paths (if any) removed afterwards."""
    args = path_args(paths)
    try:
        yield args
    finally:
        for arg in args:
            if arg.startswith("@"):
                Path(arg[1:]).unlink(missing_ok=True)


def wrk_once(port: int, args: list[str], seconds: int, connections: int) -> dict:
    """One wrk run (one thread) over wrk_args' paths: bench/report.lua's figures."""
    out = subprocess.run(
        ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s", "-s", "bench/report.lua"]
        + [f"http://127.0.0.1:{port}", "--", *args],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out.strip().splitlines()[-1])


def search_path(postcode: str, miles: int) -> str:
    return f"/api/v1/services/?postcode={postcode.replace(' ', '%20')}&radius_miles={miles}"


def page_path(postcode: str, miles: int) -> str:
    return f"/search/?postcode={postcode.replace(' ', '+')}&radius_miles={miles}"


def nearby_postcodes(postcode: str, db_url: str, count: int = 12000) -> list[str]:
    """Distinct real unit postcodes within about 3 miles, so each search misses the cache."""
    sql = (
        "SELECT p.postcode FROM directory_postcode p, directory_postcode c "
        f"WHERE c.postcode = '{postcode}' AND p.precision = 'unit' "
        "AND p.latitude BETWEEN c.latitude - 0.04 AND c.latitude + 0.04 "
        "AND p.longitude BETWEEN c.longitude - 0.07 AND c.longitude + 0.07 "
        f"ORDER BY md5(p.postcode) LIMIT {count}"
    )
    out = subprocess.run(["psql", "-At", db_url, "-c", sql], check=True, capture_output=True, text=True).stdout
    return [line for line in out.splitlines() if line]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--services", default="10000,100000")
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--skip-import", action="store_true", help="reuse the --db database as it is")
    parser.add_argument("--db", default="carehub_bench", help="the PostgreSQL database to (re)create and use")
    parser.add_argument("--only", default="", help="comma-separated words: run only endpoints whose label has one")
    parser.add_argument("--skip-sqlite", action="store_true", help="do not time the import on SQLite")
    parser.add_argument("--skip-seed", action="store_true", help="reuse the services already in the --db database")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: `apt-get install wrk` (make bench installs it).")
    if not ZIP.exists():
        raise SystemExit(f"Postcode data not found at {ZIP}")

    results: dict = {"machine": f"{platform.node()} · {os.cpu_count()} cores · Python {platform.python_version()}"}
    pg_url = f"postgres://postgres@127.0.0.1:5432/{args.db}"
    # wrk is one client at one address: the ORUK feed's per-IP throttle would answer 429s.
    pg_env = base_env(DATABASE_URL=pg_url, ORUK_THROTTLE_RATE="100000000/minute")
    if not args.skip_import:
        fresh_pg(args.db)
        sh([PY, "manage.py", "migrate", "-v0"], pg_env)
        results["import_postgres_s"] = timed([PY, "manage.py", "import_postcodes", str(ZIP)], pg_env)
        if not args.skip_sqlite:
            sqlite_path = str(ROOT / "var" / "bench.sqlite3")
            Path(sqlite_path).parent.mkdir(exist_ok=True)
            for suffix in ("", "-wal", "-shm"):
                Path(sqlite_path + suffix).unlink(missing_ok=True)
            sqlite_env = base_env(SQLITE_PATH=sqlite_path)
            sh([PY, "manage.py", "migrate", "-v0"], sqlite_env)
            results["import_sqlite_s"] = timed([PY, "manage.py", "import_postcodes", str(ZIP)], sqlite_env)

    sh([PY, "manage.py", "migrate", "-v0"], pg_env)
    endpoints: dict[str, list[str]] = {
        "floor: /api/v1/ping/": ["/api/v1/ping/"],
        "postcode lookup": [
            f"/api/v1/postcodes/{pc.replace(' ', '%20')}/" for pc in ("G12 8QQ", CITY, RURAL, "EH1 1YZ")
        ],
    }
    # Cache misses first: each request from a different real postcode, as people search. The
    # warm-up asks for the last WARM postcodes, the measured run for the others, so no measured
    # request finds an answer the warm-up cached.
    warm = 1000
    city = nearby_postcodes(CITY, pg_url)
    cold: dict[str, tuple[list[str], list[str]]] = {}
    for miles in (5, 25):
        paths = [search_path(p, miles) for p in city]
        cold[f"search {miles} mi, city, cache miss (API)"] = (paths[:-warm], paths[-warm:])
    for miles in (5, 25):
        paths = [page_path(p, miles) for p in city]
        cold[f"search {miles} mi, city, cache miss (HTML page)"] = (paths[:-warm], paths[-warm:])
    endpoints.update({label: paths for label, (paths, _) in cold.items()})
    for miles in (5, 25):
        endpoints[f"search {miles} mi, city, one query (cached)"] = [search_path(CITY, miles)]
    rural = nearby_postcodes(RURAL, pg_url)
    for miles in (5, 25):
        endpoints[f"search {miles} mi, rural, one query (cached)"] = [search_path(RURAL, miles)]
        mixed = [search_path(p, miles) for p in rural]
        endpoints[f"search {miles} mi, rural, {len(rural):,} postcodes (mixed)"] = mixed

    oruk = "/o/ServiceDirectoryService/v3"
    endpoints["ORUK /services page 1 (cached)"] = [f"{oruk}/services"]
    endpoints["ORUK /services, 2,000 distinct pages"] = [f"{oruk}/services?page={n}" for n in range(1, 2001)]
    endpoints["ORUK /service_at_locations near postcode, distinct postcodes"] = [
        f"{oruk}/service_at_locations?postcode={p.replace(' ', '%20')}&proximity=8000"
        for p in nearby_postcodes(CITY, pg_url)
    ]
    if args.only:
        words = [w.strip().lower() for w in args.only.split(",") if w.strip()]
        endpoints = {label: paths for label, paths in endpoints.items() if any(w in label.lower() for w in words)}

    results["runs"] = {}
    for count in [int(n) for n in args.services.split(",") if n]:
        if not args.skip_seed:
            sh([PY, "bench/seed_services.py", str(count)], pg_env)
            # Fresh planner statistics and visibility map, as autovacuum would have them a minute after
            # a real bulk load; without them PostgreSQL plans for an empty table and joins every row
            # before paging, and cannot read the covering index alone.
            sh(["psql", "-q", pg_url, "-c", "VACUUM ANALYZE"], pg_env)
        server = serve(args.port, pg_env)
        try:
            wait_for_port(args.port)
            # Load every module both workers need before the first measured line (the floor), so
            # that line does not carry the workers' first requests (seconds on a busy machine).
            wrk(args.port, ["/api/v1/ping/", search_path(CITY, 5), page_path(CITY, 5)], 3, args.connections)
            run = {}
            for label, paths in endpoints.items():
                warm_paths = cold[label][1] if label in cold else None
                run[label] = wrk(args.port, paths, args.duration, args.connections, warm=warm_paths)
                print(f"{count:>7} services  {label:<40} {run[label]}", flush=True)
            results["runs"][str(count)] = run
        finally:
            server.terminate()
            server.wait(timeout=30)

    out_dir = ROOT / "bench" / "results"
    out_dir.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (out_dir / f"bench-{stamp}.json").write_text(json.dumps(results, indent=2))
    print_markdown(results)


def print_markdown(results: dict) -> None:
    print(f"\nMachine: {results['machine']}\n")
    if "import_postgres_s" in results:
        print(f"Full postcode import: PostgreSQL {results['import_postgres_s']:.1f} s", end="")
        if "import_sqlite_s" in results:
            print(f", SQLite {results['import_sqlite_s']:.1f} s", end="")
        print("\n")
    for count, run in results["runs"].items():
        floor = dict(run["floor: /api/v1/ping/"])
        # A floor that answered nothing (a stalled machine) leaves the ratios undefined, not a crash.
        floor["p95_ms"] = floor["p95_ms"] or float("nan")
        floor["rps"] = floor["rps"] or float("nan")
        print(f"### {int(count):,} services\n")
        print("| endpoint | p50 ms | p95 ms | req/s | p95 ÷ floor | req/s ÷ floor | errors |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for label, r in run.items():
            if "cache miss" in label and r["requests"] > r.get("distinct", r["requests"]):
                label += f" ({r['requests']:,} requests over {r['distinct']:,} postcodes: some hit the cache)"
            print(
                f"| {label} | {r['p50_ms']:.1f} | {r['p95_ms']:.1f} | {r['rps']:.0f} | "
                f"{r['p95_ms'] / floor['p95_ms']:.2f} | {r['rps'] / floor['rps']:.2f} | {r['errors'] + r['non_2xx']} |"
            )
        print()


if __name__ == "__main__":
    sys.exit(main())
