"""A real Celery worker against Redis: broker → worker → result backend, end to end.

Skipped without REDIS_URL. The worker consumes a queue of its own, so a worker
started by `make run` on the same Redis never takes this test's task.
"""

from __future__ import annotations

import os

import pytest
from django.conf import settings

from carehub.tasks import healthcheck

pytestmark = pytest.mark.redis


def test_healthcheck_task_runs_in_a_real_worker_and_returns_its_result(
    start_celery_worker, worker_queue: str, publish_to_broker: None
) -> None:
    worker, log = start_celery_worker()

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
