"""Operations defaults: Celery reliability settings, task autodiscovery, JSON logs."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings

from carehub.celery import app
from carehub.tests.processes import run_python


def test_celery_redelivers_a_task_whose_worker_dies() -> None:
    # acks_late + reject_on_worker_lost: the message is acknowledged only after the
    # task finishes, so a crash puts it back; prefetch 1 keeps one task per worker slot.
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1


def test_celery_time_limits_and_retry_delays_stay_below_the_visibility_timeout() -> None:
    visibility = app.conf.broker_transport_options["visibility_timeout"]
    assert 0 < app.conf.task_soft_time_limit < app.conf.task_time_limit
    # With acks_late, a task still running when the visibility timeout ends is handed
    # to a second worker; so is a retry scheduled further out than it.
    assert app.conf.task_time_limit < visibility
    assert app.conf.task_default_retry_delay < settings.CELERY_TASK_MAX_RETRY_DELAY < visibility
    assert app.conf.result_backend_transport_options["visibility_timeout"] == visibility


def test_settings_refuse_a_visibility_timeout_below_the_longest_retry_delay(tmp_path: Path) -> None:
    result = run_python(
        ["-c", "from django.conf import settings; settings.DEBUG"],
        {"CELERY_BROKER_VISIBILITY_TIMEOUT": "300"},
        tmp_path,
    )
    assert result.returncode != 0
    assert "CELERY_TASK_MAX_RETRY_DELAY must be below CELERY_BROKER_VISIBILITY_TIMEOUT" in result.stderr


def test_celery_autodiscovers_tasks_modules(tmp_path: Path) -> None:
    script = (
        "import django; django.setup()\n"
        "from carehub.celery import app\n"
        "app.loader.import_default_modules()\n"
        "print('\\n'.join(sorted(app.tasks)))"
    )
    result = run_python(["-c", script], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    # Nothing imported carehub.tasks explicitly: autodiscovery found it.
    assert "carehub.tasks.healthcheck" in result.stdout.splitlines()


def test_logs_are_one_json_object_per_line(tmp_path: Path) -> None:
    script = (
        "import django, logging; django.setup()\n"
        "logging.getLogger('carehub.example').warning('booking %s declined', 'B-1', extra={'booking': 'B-1'})"
    )
    result = run_python(["-c", script], {}, tmp_path)
    assert result.returncode == 0, result.stderr
    record = json.loads(result.stderr.strip().splitlines()[-1])
    assert record["level"] == "WARNING"
    assert record["logger"] == "carehub.example"
    assert record["message"] == "booking B-1 declined"
    assert record["booking"] == "B-1"
    assert record["time"]
