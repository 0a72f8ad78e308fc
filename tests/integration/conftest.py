"""A real Celery worker process for integration tests (Redis required).

Each test gets a queue of its own, so a worker started by `make run` on the same
Redis never takes its tasks, and the test's tasks are published to Redis even
though the test settings run every other test's tasks eagerly.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from django.conf import settings

from carehub.celery import app
from carehub.testing.celery import celery_conf

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")

StartWorker = Callable[..., tuple[subprocess.Popen[bytes], Path]]


@pytest.fixture
def worker_queue() -> Iterator[str]:
    queue = f"test-{uuid.uuid4().hex[:12]}"
    yield queue
    # Leave nothing behind in Redis: the queue list and kombu's bindings for it.
    client = redis.Redis.from_url(settings.REDIS_URL)
    for key in [queue.encode(), *client.scan_iter(match=f"_kombu.binding*.{queue}")]:
        client.delete(key)


@pytest.fixture
def publish_to_broker() -> Iterator[None]:
    with celery_conf(task_always_eager=False):
        assert app.conf.broker_url == settings.REDIS_URL
        yield


@pytest.fixture
def start_celery_worker(worker_queue: str, tmp_path: Path) -> Iterator[StartWorker]:
    """Start `celery worker` (solo pool) on this test's queue; stopped after the test.
    Returns (process, log file). Extra environment variables go to the worker."""
    workers: list[subprocess.Popen[bytes]] = []

    def start(**extra_env: str) -> tuple[subprocess.Popen[bytes], Path]:
        env = {
            **os.environ,
            "REDIS_URL": settings.REDIS_URL,
            "DJANGO_SETTINGS_MODULE": "carehub.settings_test",
            "CELERY_TASK_ALWAYS_EAGER": "false",
            # Never the project's own SQLite file (ignored when DATABASE_URL is set).
            "SQLITE_PATH": str(tmp_path / "worker.sqlite3"),
            **extra_env,
        }
        log = tmp_path / "worker.log"
        with log.open("wb") as out:
            worker = subprocess.Popen(  # noqa: S603 - fixed argument list, no shell
                [
                    str(CELERY),
                    *("-A", "carehub", "worker", "--pool=solo", "-Q", worker_queue),
                    *("--without-heartbeat", "--without-gossip", "--without-mingle", "--loglevel=INFO"),
                    f"--hostname={worker_queue}@%h",
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        workers.append(worker)
        return worker, log

    yield start
    for worker in workers:
        # SIGTERM is Celery's warm shutdown; kill only if it hangs.
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)
