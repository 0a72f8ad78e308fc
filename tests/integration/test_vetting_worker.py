"""A vetting check end to end through a real Celery worker on Redis (issue 8).

The test publishes `vetting_check_task` to Redis; a worker process (solo pool,
its own queue) runs it against this test's PostgreSQL database and writes the
dated check and the provider's status, which the test then reads back. Needs
PostgreSQL (the worker shares the test database, which SQLite's in-memory test
database cannot) and Redis.
"""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone

from directory.models import ProviderVetting, VettingCheck
from directory.models.vetting import CheckKind
from directory.tests.factories import make_provider
from directory.tests.vetting_factories import make_insurance
from directory.vetting.tasks import vetting_check_task

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    db = connection.settings_dict  # the test database, as this process uses it
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    return f"postgres://{db['USER']}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def test_vetting_insurance_check_runs_in_a_real_worker_and_records_its_result(
    start_celery_worker: Any, worker_queue: str, publish_to_broker: None, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = tmp_path / "uploads"
    worker, log = start_celery_worker(DATABASE_URL=_database_url(), MEDIA_ROOT=str(settings.MEDIA_ROOT))
    provider = make_provider(name="Partick Lunch Club")
    make_insurance(provider, timezone.localdate() + timedelta(days=90))

    result = vetting_check_task.apply_async(
        (provider.pk, CheckKind.INSURANCE),
        queue=worker_queue,
        ignore_result=False,  # results are off by default
    )
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
