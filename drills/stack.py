"""A private CareHub stack on loopback, for fault drills (issue 16).

PostgreSQL (a throwaway cluster: initdb into a temporary directory), Redis (no
persistence), gunicorn, a Celery worker and Celery beat, each on a free port of its
own, so a drill may kill and restart any of them without touching the machine's
shared services. `Stack.stop_all()` ends every process it started (the runner calls
it in a `finally` and on SIGTERM/SIGINT) and removes the temporary directory.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout: float, what: str, interval: float = 0.2) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise RuntimeError(f"timed out after {timeout:.0f} s waiting for {what}")


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Stack:
    def __init__(self, *, web_workers: int = 4, web_threads: int = 4, worker_concurrency: int = 2) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix="carehub-drills-"))
        os.chmod(self.dir, 0o755)  # the postgres user must reach its data directory
        self.logs = self.dir / "logs"
        self.logs.mkdir()
        self.media = self.dir / "media"
        self.pg_port, self.redis_port, self.web_port = free_port(), free_port(), free_port()
        self.pg_data = self.dir / "pg"
        self.pg_logs = self.logs / "postgres"  # written by the postgres user
        self.web_workers, self.web_threads, self.worker_concurrency = web_workers, web_threads, worker_concurrency
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self._as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        self.smtp_port = 0  # set by the runner once its SMTP sink listens
        self.extra_env: dict[str, str] = {}

    # --- environment ---------------------------------------------------------------------

    @property
    def database_url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.pg_port}/carehub"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def env(self) -> dict[str, str]:
        keep = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_", "REDIS_", "SECRET_", "EMAIL_"))}
        return {
            **keep,
            "DJANGO_SETTINGS_MODULE": "carehub.settings",
            "DATABASE_URL": self.database_url,
            "REDIS_URL": self.redis_url,
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(self.smtp_port),
            "MEDIA_ROOT": str(self.media),
            "SITE_URL": self.base_url,
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
            **self.extra_env,
        }

    def _spawn(self, name: str, args: list[str], env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
        log = (self.logs / f"{name}.log").open("ab")
        proc = subprocess.Popen(
            args, cwd=ROOT, env=env or self.env(), stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        self.procs[name] = proc
        return proc

    def manage(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(VENV_BIN / "python"), "manage.py", *args],
            cwd=ROOT, env=self.env(), capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip

    def django(self, script: str, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        """Run drills/<script> with the stack's settings (data set-up and inspection)."""
        return subprocess.run(
            [str(VENV_BIN / "python"), str(ROOT / "drills" / script), *args],
            cwd=ROOT, env=self.env(), capture_output=True, text=True, timeout=timeout, check=False,
        )  # fmt: skip

    # --- PostgreSQL ---------------------------------------------------------------------------

    def pg_init(self) -> None:
        self.pg_data.mkdir()
        self.pg_logs.mkdir()
        if self._as_postgres:
            shutil.chown(self.pg_data, "postgres", "postgres")
            shutil.chown(self.pg_logs, "postgres", "postgres")
        subprocess.run(
            [*self._as_postgres, str(PG_BIN / "initdb"), "-D", str(self.pg_data), "-U", "postgres",
             "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8"],
            check=True, capture_output=True,
        )  # fmt: skip

    def pg_start(self) -> None:
        opts = (
            f"-p {self.pg_port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.pg_data} "
            "-c max_connections=120 -c fsync=off -c synchronous_commit=off -c full_page_writes=off "
            "-c shared_buffers=64MB"
        )
        subprocess.run(
            [*self._as_postgres, str(PG_BIN / "pg_ctl"), "-D", str(self.pg_data), "-l",
             str(self.pg_logs / "postgres.log"), "-o", opts, "-w", "-t", "60", "start"],
            check=True, capture_output=True,
        )  # fmt: skip

    def pg_stop(self, mode: str = "fast") -> None:
        """mode: fast (clean shutdown, sessions rolled back) or immediate (like a crash: recovery at start)."""
        subprocess.run(
            [*self._as_postgres, str(PG_BIN / "pg_ctl"), "-D", str(self.pg_data), "-m", mode, "-w", "-t", "60", "stop"],
            check=False, capture_output=True,
        )  # fmt: skip

    def pg_create_database(self) -> None:
        subprocess.run(
            ["psql", "-q", "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres",
             "-c", "CREATE DATABASE carehub"],
            check=True, capture_output=True,
        )  # fmt: skip

    def psql(self, sql: str) -> str:
        return subprocess.run(
            ["psql", "-At", "-h", "127.0.0.1", "-p", str(self.pg_port), "-U", "postgres", "-d", "carehub", "-c", sql],
            check=True, capture_output=True, text=True,
        ).stdout.strip()  # fmt: skip

    # --- Redis ----------------------------------------------------------------------------------

    def redis_start(self) -> None:
        self._spawn(
            "redis",
            ["redis-server", "--port", str(self.redis_port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.dir)],
        )  # fmt: skip
        wait_until(lambda: port_open(self.redis_port), 20, "redis")

    def redis_stop(self) -> None:
        self._stop("redis", signal.SIGKILL)

    # --- gunicorn, Celery ------------------------------------------------------------------------

    def web_start(self) -> None:
        self._spawn(
            "gunicorn",
            [str(VENV_BIN / "gunicorn"), "carehub.wsgi", "--bind", f"127.0.0.1:{self.web_port}",
             "--workers", str(self.web_workers), "--threads", str(self.web_threads), "--worker-class", "gthread",
             "--backlog", "2048", "--timeout", "60", "--graceful-timeout", "5", "--log-level", "warning"],
        )  # fmt: skip
        wait_until(self._web_answers, 60, "gunicorn")

    def _web_answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.base_url}/api/v1/ping/", timeout=2) as response:  # noqa: S310
                return response.status == 200
        except OSError:
            return False

    def worker_start(self) -> subprocess.Popen[bytes]:
        return self._spawn(
            "worker",
            [str(VENV_BIN / "celery"), "-A", "carehub", "worker", "--loglevel=INFO",
             f"--concurrency={self.worker_concurrency}", "--without-gossip", "--without-mingle",
             f"--hostname=drills-{self.web_port}@%h"],
        )  # fmt: skip

    def worker_children(self) -> list[int]:
        proc = self.procs.get("worker")
        if proc is None or proc.poll() is not None:
            return []
        out = subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True, check=False).stdout
        return [int(pid) for pid in out.split()]

    def worker_kill(self) -> None:
        """SIGKILL the worker and its pool processes at once (a crashed node)."""
        proc = self.procs.get("worker")
        if proc is not None and proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)

    def beat_start(self) -> None:
        self._spawn(
            "beat",
            [str(VENV_BIN / "celery"), "-A", "carehub", "beat", "--loglevel=INFO",
             f"--schedule={self.dir / 'celerybeat-schedule'}"],
        )  # fmt: skip

    # --- stopping ------------------------------------------------------------------------------

    def _stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 15) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=timeout)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
            except (ProcessLookupError, subprocess.TimeoutExpired):
                pass

    def stop_all(self, keep_dir: bool = False) -> None:
        for name in ("beat", "worker", "gunicorn", "redis"):
            self._stop(name)
        if self.pg_data.exists() and (self.pg_data / "postmaster.pid").exists():
            self.pg_stop("immediate")
        if not keep_dir:
            shutil.rmtree(self.dir, ignore_errors=True)
