"""Instructions per request in the app's Python process, counted by valgrind: a measure that does
not move with the machine's speed, for comparing two checkouts on a machine too noisy for wrk.

Run on a database `bench/run.py` has loaded, from each checkout to compare (or give several):
    python bench/instructions.py [--db carehub_s13] [--kinds floor,api,html] [--checkouts DIR,DIR]
Each count runs the app in one process under `valgrind --tool=callgrind`. The app is loaded
from carehub.wsgi, as a gunicorn worker loads it, and gets requests through it: first a warm-up
on other postcodes, then two runs of distinct real postcodes near M1 1AE at 5 miles, so every
search misses the answer cache. Those two runs are SMALL and LARGE requests long. The difference in instructions between
them, divided by LARGE − SMALL, is one request's; start-up and warm-up cancel out. It prints
instructions per request for each checkout and kind. PostgreSQL's work is not counted: it is
another process.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
COLLECTED = re.compile(r"Collected : (\d+)")


def child(checkout: str, kind: str, warm: int, count: int, postcodes_file: str) -> None:
    """Inside valgrind: the checkout's app, `warm` requests, then `count` measured ones on the
    postcodes after the warm-up's."""
    sys.path.insert(0, checkout)
    os.chdir(checkout)
    os.environ["DJANGO_SETTINGS_MODULE"] = "carehub.settings"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    from django.test.client import RequestFactory

    from bench.run import page_path, search_path
    from carehub.wsgi import application as handler  # as gunicorn loads it (its gc.freeze() included)

    postcodes = Path(postcodes_file).read_text().split("\n")
    factory = RequestFactory()

    def path(postcode: str) -> str:
        if kind == "floor":
            return "/api/v1/ping/"
        return search_path(postcode, 5) if kind == "api" else page_path(postcode, 5)

    def request(postcode: str) -> None:
        statuses: list[str] = []
        environ = factory.get(path(postcode), HTTP_HOST="127.0.0.1").environ
        response = handler(environ, lambda status, headers, exc_info=None: statuses.append(status))
        b"".join(response)
        response.close()
        if not statuses[0].startswith("200"):
            raise SystemExit(f"{path(postcode)} answered {statuses[0]}")

    for postcode in postcodes[:warm]:
        request(postcode)
    for postcode in postcodes[warm : warm + count]:
        request(postcode)


def instructions(checkout: str, kind: str, count: int, args: argparse.Namespace, postcodes_file: str) -> int:
    with tempfile.TemporaryDirectory() as out:
        command = [
            "valgrind",
            "--tool=callgrind",
            f"--callgrind-out-file={out}/callgrind.out",
            sys.executable,
            __file__,
            "--child",
            checkout,
            kind,
            str(args.warm),
            str(count),
            postcodes_file,
        ]
        env = {**os.environ, "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{args.db}"}
        result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
    found = COLLECTED.search(result.stderr)
    if result.returncode != 0 or found is None:
        raise SystemExit(f"valgrind failed for {checkout} {kind} {count}:\n{result.stderr[-2000:]}")
    return int(found.group(1))


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        checkout, kind, warm, count, postcodes_file = sys.argv[2:7]
        child(checkout, kind, int(warm), int(count), postcodes_file)
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", default="carehub_bench")
    parser.add_argument("--kinds", default="floor,api,html")
    parser.add_argument("--checkouts", default=str(ROOT), help="comma-separated checkout directories")
    parser.add_argument("--warm", type=int, default=100)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--large", type=int, default=400)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from bench.run import CITY, nearby_postcodes

    postcodes = nearby_postcodes(CITY, f"postgres://postgres@127.0.0.1:5432/{args.db}")
    if len(postcodes) < args.warm + args.large:
        raise SystemExit(f"Only {len(postcodes)} postcodes near {CITY}: is {args.db} loaded?")
    with tempfile.NamedTemporaryFile("w", prefix="carehub-postcodes-", suffix=".txt", delete=False) as handle:
        handle.write("\n".join(postcodes))
    try:
        jobs = [
            (checkout, kind, count)
            for checkout in args.checkouts.split(",")
            for kind in args.kinds.split(",")
            for count in (args.small, args.large)
        ]
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            counted = dict(zip(jobs, pool.map(lambda job: instructions(*job, args, handle.name), jobs), strict=True))
    finally:
        Path(handle.name).unlink(missing_ok=True)
    for checkout in args.checkouts.split(","):
        for kind in args.kinds.split(","):
            per_request = (counted[checkout, kind, args.large] - counted[checkout, kind, args.small]) / (
                args.large - args.small
            )
            print(f"{checkout}  {kind:<6} {per_request:>12,.0f} instructions per request", flush=True)


if __name__ == "__main__":
    main()
