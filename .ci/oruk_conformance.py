"""Open Referral UK conformance (`make oruk-conformance`, run by .ci/run).

Starts CareHub on a free port with the demo data, runs schemathesis with the standard's
own OpenAPI file (docs/extras/openapi30.json of the UK profile, its remote schemas copied
in, plus the ids of a few real records as path examples) against the ORUK stub, bounded
in time, and stops the app. Fails on any server error or any answer that does not match
the standard's schemas. The standard's OpenAPI documents only 200 answers, so the 400s
CareHub gives for bad input and the 404s for unknown ids are not counted as mismatches
(schemathesis' status_code_conformance check is left out).

Uses DATABASE_URL when set (CI's throwaway database), else var/oruk-conformance.sqlite3.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from directory.oruk.standard import openapi_self_contained  # noqa: E402 (plain module, no Django needed)

PY = str(ROOT / ".venv" / "bin" / "python")
STUB = "/o/ServiceDirectoryService/v3"
MAX_SECONDS = int(os.environ.get("ORUK_CONFORMANCE_SECONDS", "120"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (our own loopback server)
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"CareHub did not answer at {url}")


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 (our own loopback server)
        return json.load(response)


def main() -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "carehub.settings", "LOG_LEVEL": "WARNING"}
    env.pop("SECRET_KEY", None)
    if not env.get("DATABASE_URL"):
        (ROOT / "var").mkdir(exist_ok=True)
        env["SQLITE_PATH"] = str(ROOT / "var" / "oruk-conformance.sqlite3")
    # One client fires thousands of requests: the per-IP throttle has its own unit test.
    env["ORUK_THROTTLE_RATE"] = "1000000/minute"
    for command in (["migrate", "--noinput", "-v0"], ["load_postcode_centroids"], ["seed_demo"]):
        subprocess.run(  # noqa: S603 (fixed arguments)
            [PY, "manage.py", *command], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )

    port = int(os.environ.get("ORUK_CONFORMANCE_PORT") or free_port())
    base = f"http://127.0.0.1:{port}{STUB}"
    log_path = ROOT / "var" / "oruk-conformance-server.log"
    log_path.parent.mkdir(exist_ok=True)
    log = log_path.open("w")
    server = subprocess.Popen(  # noqa: S603 (fixed arguments)
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "carehub.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_for(f"{base}/")
        services = get_json(f"{base}/services?per_page=5")["contents"]
        places = get_json(f"{base}/service_at_locations?per_page=5")["contents"]
        taxonomies = get_json(f"{base}/taxonomies")["contents"]
        terms = get_json(f"{base}/taxonomy_terms?per_page=5")["contents"]
        examples = {
            "/services/{id}": [s["id"] for s in services],
            "/service_at_locations/{id}": [p["id"] for p in places],
            "/taxonomies/{id}": [t["id"] for t in taxonomies],
            "/taxonomy_terms/{id}": [t["id"] for t in terms],
        }
        spec_path = ROOT / "var" / "oruk-openapi.json"
        spec_path.parent.mkdir(exist_ok=True)
        spec_path.write_text(json.dumps(openapi_self_contained(examples), indent=1))
        st = os.environ.get("SCHEMATHESIS", str(ROOT / ".venv" / "bin" / "st"))
        command = [
            st,
            "run",
            str(spec_path),
            "--url",
            base,
            "--checks",
            "not_a_server_error,response_schema_conformance,content_type_conformance",
            "--phases",
            "examples,coverage,fuzzing",
            "--max-time",
            str(MAX_SECONDS),
            "--workers",
            "2",
            "--request-timeout",
            "10",
            "--warnings",
            "off",
        ]
        print("$", " ".join(command), flush=True)
        # Bounded twice: schemathesis' own time budget, and a hard stop well after it.
        # Run from var/ so that schemathesis keeps its cache folder out of the work tree.
        code = subprocess.run(command, cwd=ROOT / "var", timeout=MAX_SECONDS + 300, check=False).returncode  # noqa: S603
        if code:
            print(f"The app's log: {log_path}")
        return code
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()


if __name__ == "__main__":
    sys.exit(main())
