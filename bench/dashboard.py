"""Commissioner dashboard benchmark (`make bench`): full page response time at scale.

For PostgreSQL (database carehub_bench_dashboard by default) and SQLite
(var/bench-dashboard.sqlite3): a fresh database is migrated, `manage.py seed_spend`
adds --holders budget holders and --entries ledger entries for one council (posted
through the ledger's bulk path, ledger_post_many), `manage.py check_ledger` confirms
the ledger is sound, then the full dashboard page (/commissioning/<council>/) is fetched
through the Django test client as one of the council's commissioners: one warm-up
request, then --requests timed ones; the median and the slowest are reported, with
the public spending page and one CSV for comparison. Prints a Markdown table.

    .venv/bin/python bench/dashboard.py --entries 1000000 --holders 20000
    .venv/bin/python bench/dashboard.py --skip-postgres --entries 100000 --holders 2000
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = str(ROOT / ".venv" / "bin" / "python")
COUNCIL = "seeded-council"


def base_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SQLITE_PATH", "SECRET_KEY"}}
    env.update(DJANGO_SETTINGS_MODULE="carehub.settings", LOG_LEVEL="WARNING", **extra)
    return env


def run(args: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(args, cwd=ROOT, env=env, check=True)
    return time.perf_counter() - started


def fresh_pg(name: str) -> dict[str, str]:
    for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
        subprocess.run(["psql", "-q", "-h", "127.0.0.1", "-U", "postgres", "-c", sql], check=True)
    return base_env(DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{name}")


def fresh_sqlite(path: str) -> dict[str, str]:
    for suffix in ("", "-wal", "-shm"):
        Path(path + suffix).unlink(missing_ok=True)
    return base_env(SQLITE_PATH=path)


def measure(requests: int) -> dict[str, object]:
    """Runs inside a child process whose environment chooses the database."""
    import django

    sys.path.insert(0, str(ROOT))
    django.setup()
    from django.db import connection
    from django.test import Client

    from accounts.models import CommissionerMembership, User
    from directory.models import Council
    from marketplace.models import Entry

    council = Council.objects.get(slug=COUNCIL)
    user, _ = User.objects.get_or_create(email="bench-commissioner@example.invalid", defaults={"full_name": "Bench"})
    CommissionerMembership.objects.get_or_create(user=user, council=council)
    client = Client()
    client.force_login(user)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")

    def timed(url: str) -> dict[str, float]:
        assert client.get(url).status_code == 200, url  # warm-up
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            assert response.status_code == 200, url
        return {"median_s": statistics.median(times), "max_s": max(times)}

    return {
        "database": connection.vendor,
        "entries": Entry.objects.count(),
        "holders": council.budgets.values("person_id").distinct().count(),
        "dashboard": timed(f"/commissioning/{COUNCIL}/"),
        "csv_by_provider": timed(f"/commissioning/{COUNCIL}/by-provider.csv"),
        "public_spending": timed(f"/councils/{COUNCIL}/spending/"),
        "load": os.getloadavg()[0],  # the machine is shared: say how busy it was
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--holders", type=int, default=20_000)
    parser.add_argument("--requests", type=int, default=7)
    parser.add_argument("--pg-database", default="carehub_bench_dashboard")
    parser.add_argument("--sqlite-path", default=str(ROOT / "var" / "bench-dashboard.sqlite3"))
    parser.add_argument("--skip-postgres", action="store_true")
    parser.add_argument("--skip-sqlite", action="store_true")
    parser.add_argument("--reuse", action="store_true", help="measure the databases seeded by an earlier run")
    parser.add_argument("--measure", type=int, help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.measure:
        print(json.dumps(measure(opts.measure)))
        return

    targets = []
    pg_url = f"postgres://postgres@127.0.0.1:5432/{opts.pg_database}"
    if not opts.skip_postgres:
        targets.append(
            ("PostgreSQL", lambda: base_env(DATABASE_URL=pg_url) if opts.reuse else fresh_pg(opts.pg_database))
        )
    if not opts.skip_sqlite:
        targets.append(
            ("SQLite", lambda: base_env(SQLITE_PATH=opts.sqlite_path) if opts.reuse else fresh_sqlite(opts.sqlite_path))
        )
    results = []
    for label, make_env in targets:
        env = make_env()
        seed_s = check_s = 0.0
        run([PY, "manage.py", "migrate", "--noinput", "-v0"], env)  # a reused database may predate a migration
        if not opts.reuse:
            print(f"== {label}: seed {opts.entries:,} entries / {opts.holders:,} holders", flush=True)
            seed_s = run(
                [PY, "manage.py", "seed_spend", "--entries", str(opts.entries), "--holders", str(opts.holders)], env
            )
            check_s = run([PY, "manage.py", "check_ledger"], env)
        out = subprocess.run(
            [PY, __file__, "--measure", str(opts.requests)],
            cwd=ROOT,
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        figures = json.loads(out.strip().splitlines()[-1])
        figures.update(label=label, seed_s=seed_s, check_ledger_s=check_s)
        results.append(figures)

    print(f"\nCommissioner dashboard, {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    load = os.getloadavg()[0]
    print(
        f"{opts.requests} requests after a warm-up, Django test client, one commissioner signed in; load {load:.1f}\n"
    )
    print(
        "| database | ledger entries | holders | dashboard median | dashboard slowest | CSV median "
        "| public page median | seed | check_ledger | load average |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['label']} | {r['entries']:,} | {r['holders']:,} | {r['dashboard']['median_s'] * 1000:.0f} ms "
            f"| {r['dashboard']['max_s'] * 1000:.0f} ms | {r['csv_by_provider']['median_s'] * 1000:.0f} ms "
            f"| {r['public_spending']['median_s'] * 1000:.0f} ms | {r['seed_s']:.0f} s | {r['check_ledger_s']:.0f} s "
            f"| {r['load']:.1f} |"
        )


if __name__ == "__main__":
    main()
