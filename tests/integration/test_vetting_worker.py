"""A vetting check end to end through a real Celery worker on Redis (issue 8).

The test publishes `vetting_check_task` to Redis; a worker process (solo pool,
its own queue) runs it against this test's PostgreSQL database and writes the
dated check and the provider's status, which the test then reads back. Needs
PostgreSQL (the worker shares the test database, which SQLite's in-memory test
database cannot) and Redis.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from carehub.celery import app
from directory.tasks import vetting_check_task
from directory.tests.factories import make_provider
from directory.tests.vetting_factories import make_insurance
from directory.vetting_models import CheckKind, ProviderVetting, VettingCheck

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")


def _database_url() -> str:
    db = connection.settings_dict  # the test database, as this process uses it
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


@pytest.fixture
def worker_queue() -> Iterator[str]:
    queue = f"test-vetting-{uuid.uuid4().hex[:12]}"
    yield queue
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
        "DATABASE_URL": _database_url(),
        "MEDIA_ROOT": str(tmp_path / "uploads"),
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
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(timeout=10)


def test_vetting_insurance_check_runs_in_a_real_worker_and_records_its_result(
    celery_worker: Any, worker_queue: str, monkeypatch: pytest.MonkeyPatch, settings: Any, tmp_path: Path
) -> None:
    worker, log = celery_worker
    settings.MEDIA_ROOT = tmp_path / "uploads"
    monkeypatch.setitem(app.conf, "task_always_eager", False)
    provider = make_provider(name="Partick Lunch Club")
    make_insurance(provider, timezone.localdate() + timedelta(days=90))

    result = vetting_check_task.apply_async((provider.pk, CheckKind.INSURANCE), queue=worker_queue)
    try:
        status = result.get(timeout=60)
    except Exception as exc:
        pytest.fail(f"no result from the worker ({exc!r}); exit code {worker.poll()}; log:\n{log.read_text()[-4000:]}")

    assert status == VettingCheck.Status.PASSED
    check = VettingCheck.objects.get(provider=provider, kind=CheckKind.INSURANCE, is_current=True)
    assert check.status == VettingCheck.Status.PASSED and "PL-12345" in check.detail
    vetting = ProviderVetting.objects.get(provider=provider)
    assert vetting.vetted_at is None and "Two references: not checked yet." in vetting.reason  # a micro-provider
    # The worker logs after storing the result: wait a moment for its line rather than race it.
    deadline = time.monotonic() + 10
    while f"vetting_check_task[{result.id}] succeeded" not in log.read_text(errors="replace"):
        assert time.monotonic() < deadline, log.read_text(errors="replace")[-4000:]
        time.sleep(0.2)
    result.forget()
