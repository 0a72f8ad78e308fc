"""A real Celery worker against Redis: broker → worker → result backend, end to end.

Skipped without REDIS_URL. The worker consumes a queue of its own, so a worker
started by `make run` on the same Redis never takes this test's task.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings

from carehub.celery import app
from carehub.tasks import healthcheck

pytestmark = pytest.mark.redis

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")


@pytest.fixture
def worker_queue() -> Iterator[str]:
    queue = f"test-healthcheck-{uuid.uuid4().hex[:12]}"
    yield queue
    # Leave nothing behind in Redis: the queue list and kombu's bindings for it.
    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in [queue.encode(), *client.scan_iter(match=f"_kombu.binding*.{queue}")]:
        client.delete(key)


@pytest.fixture
def celery_worker(worker_queue: str, tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], Path]]:
    env = {
        **os.environ,
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "carehub.settings_test",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # Never the project's own SQLite file (ignored when DATABASE_URL is set).
        "SQLITE_PATH": str(tmp_path / "worker.sqlite3"),
    }
    log = tmp_path / "worker.log"
    with log.open("wb") as out:
        worker = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
            [
                str(CELERY),
                "-A",
                "carehub",
                "worker",
                "--pool=solo",
                "-Q",
                worker_queue,
                "--without-heartbeat",
                "--without-gossip",
                "--without-mingle",
                "--loglevel=INFO",
                f"--hostname={worker_queue}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield worker, log
    finally:
        # SIGTERM is Celery's warm shutdown; kill only if it hangs.
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)


def test_healthcheck_task_runs_in_a_real_worker_and_returns_its_result(
    celery_worker, worker_queue: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    worker, log = celery_worker
    # The test process must publish to Redis, not run the task in-process, even
    # if the test settings make every other test's tasks eager.
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    assert app.conf.broker_url == settings.REDIS_URL

    result = healthcheck.apply_async(queue=worker_queue)
    try:
        report = result.get(timeout=30)
    except Exception as exc:
        worker_output = log.read_text(errors="replace")[-4000:]
        pytest.fail(f"no result from the worker ({exc!r}); worker exit code {worker.poll()}; log:\n{worker_output}")

    assert result.status == "SUCCESS"
    assert report["pid"] == worker.pid  # ran in the worker process (solo pool), not here
    assert report["pid"] != os.getpid()
    assert report["database"] == "ok"
    engine = settings.DATABASES["default"]["ENGINE"]
    assert report["database_vendor"] == ("postgresql" if engine.endswith("postgresql") else "sqlite")
    assert worker.poll() is None, "the worker stopped while the test ran"
    result.forget()
