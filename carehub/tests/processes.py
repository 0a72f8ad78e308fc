"""Run Python in a fresh process with a clean environment.

Settings are evaluated once per process, and the test run's own DATABASE_URL
or REDIS_URL must not leak into a case that is about the environment.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_python(args: list[str], env: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    clean_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "carehub.settings",
        # Never the project's own SQLite file.
        "SQLITE_PATH": str(tmp_path / "settings-test.sqlite3"),
        **env,
    }
    return subprocess.run(  # noqa: S603 - fixed interpreter, arguments from the tests
        [sys.executable, *args], cwd=ROOT, env=clean_env, capture_output=True, text=True, timeout=60, check=False
    )
