"""CPU per request under wrk: the gunicorn workers' and PostgreSQL's, read from /proc around the run.

On a machine whose cores the workers, the database and wrk share, throughput is CPU per request,
and a request's CPU is steadier from run to run than its latency. Run on a database `bench/run.py`
has loaded, from each checkout in turn to compare them:
    python bench/cpu_per_request.py [--db carehub_s13] [--kinds floor,api,html] [--miles 5] [--duration 8]
Serves the app with gunicorn (2 workers, as `make bench`) on PostgreSQL and drives each kind with
wrk (4 connections), every search from a different real postcode near M1 1AE (so every one misses
the answer cache), after a warm-up on other postcodes. Prints, per kind: requests a second, p50 and
p95, and milliseconds of CPU per request in the gunicorn workers and in PostgreSQL's processes.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.run import (  # noqa: E402
    CITY,
    base_env,
    nearby_postcodes,
    page_path,
    search_path,
    serve,
    wait_for_port,
    wrk_args,
    wrk_once,
)

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User and system CPU of these processes so far (those that have gone count nothing)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def postgres_pids() -> list[int]:
    out = subprocess.run(["pgrep", "-x", "postgres"], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="carehub_bench")
    parser.add_argument("--kinds", default="floor,api,html")
    parser.add_argument("--miles", type=int, default=5)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--port", type=int, default=8899)
    args = parser.parse_args()
    db_url = f"postgres://postgres@127.0.0.1:5432/{args.db}"
    env = base_env(DATABASE_URL=db_url, ORUK_THROTTLE_RATE="100000000/minute")
    postcodes = nearby_postcodes(CITY, db_url)
    warm, measured = postcodes[:1000], postcodes[1000:]
    server = serve(args.port, env)
    try:
        wait_for_port(args.port)
        workers = children(server.pid)
        while len(workers) < 2:  # the port opens before both workers are forked
            time.sleep(0.2)
            workers = children(server.pid)
        for kind in args.kinds.split(","):
            if kind == "floor":
                warm_paths = run_paths = ["/api/v1/ping/"]
            else:
                path = search_path if kind == "api" else page_path
                warm_paths = [path(p, args.miles) for p in warm]
                run_paths = [path(p, args.miles) for p in measured]
            with wrk_args(warm_paths) as warm_args, wrk_args(run_paths) as run_args:
                wrk_once(args.port, warm_args, 2, 4)
                database = postgres_pids()
                gunicorn_before, database_before = cpu_seconds(workers), cpu_seconds(database)
                result = wrk_once(args.port, run_args, args.duration, 4)
            gunicorn_ms = (cpu_seconds(workers) - gunicorn_before) * 1000 / result["requests"]
            database_ms = (cpu_seconds(database) - database_before) * 1000 / result["requests"]
            print(
                f"{kind:<6} {result['rps']:7.1f} req/s  p50 {result['p50_ms']:6.2f} ms  "
                f"p95 {result['p95_ms']:6.2f} ms  "
                f"CPU per request: gunicorn {gunicorn_ms:.2f} ms, PostgreSQL {database_ms:.2f} ms"
                f"{'' if result['errors'] == 0 and result['non_2xx'] == 0 else '  ERRORS ' + json.dumps(result)}",
                flush=True,
            )
            time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
