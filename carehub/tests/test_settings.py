"""The settings read the environment as the README promises.

Each case loads carehub.settings in a fresh `python -c` process with a clean
environment (see processes.py).
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path
from typing import Any

import pytest

from carehub.tests.processes import run_python

SHOW_SETTINGS = """
import json
from django.conf import settings
from carehub.celery import app
db = settings.DATABASES["default"]
print(json.dumps({
    "engine": db["ENGINE"],
    "name": str(db["NAME"]),
    "options": db.get("OPTIONS", {}),
    "cache": settings.CACHES["default"]["BACKEND"],
    "cache_location": settings.CACHES["default"].get("LOCATION"),
    "broker": settings.CELERY_BROKER_URL,
    "result_backend": settings.CELERY_RESULT_BACKEND,
    "eager": settings.CELERY_TASK_ALWAYS_EAGER,
    "celery_broker": app.conf.broker_url,
    "celery_eager": app.conf.task_always_eager,
    "debug": settings.DEBUG,
}))
"""


def load_settings(tmp_path: Path, **env: str) -> dict[str, Any]:
    result = run_python(["-c", SHOW_SETTINGS], env, tmp_path)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def settings_error(tmp_path: Path, **env: str) -> str:
    result = run_python(["-c", SHOW_SETTINGS], env, tmp_path)
    assert result.returncode != 0, f"settings loaded but should have been refused: {result.stdout}"
    return result.stderr


def test_settings_without_database_url_use_sqlite_with_immediate_transactions(tmp_path: Path) -> None:
    loaded = load_settings(tmp_path)
    assert loaded["engine"] == "django.db.backends.sqlite3"
    assert loaded["options"]["transaction_mode"] == "IMMEDIATE"
    assert loaded["name"] == str(tmp_path / "settings-test.sqlite3")


def test_settings_with_a_postgres_database_url_use_postgresql(tmp_path: Path) -> None:
    loaded = load_settings(tmp_path, DATABASE_URL="postgres://carehub:secret@db.example:5432/carehub")
    assert loaded["engine"] == "carehub.db.postgresql"  # Django's, with a cheaper health check
    assert loaded["name"] == "carehub"
    assert "transaction_mode" not in loaded["options"]


def test_settings_without_redis_url_run_tasks_eagerly_with_a_local_memory_cache(tmp_path: Path) -> None:
    loaded = load_settings(tmp_path)
    assert loaded["eager"] is True
    assert loaded["celery_eager"] is True
    assert loaded["cache"] == "django.core.cache.backends.locmem.LocMemCache"
    assert loaded["broker"] == "memory://"


def test_settings_with_redis_url_use_redis_for_cache_broker_and_results(tmp_path: Path) -> None:
    url = "redis://redis.example:6379/2"
    loaded = load_settings(tmp_path, REDIS_URL=url)
    assert loaded["cache"] == "carehub.cache.FailSoftRedisCache"
    assert loaded["cache_location"] == url
    assert loaded["broker"] == loaded["celery_broker"] == url
    assert loaded["result_backend"] == url
    assert loaded["eager"] is False
    assert loaded["celery_eager"] is False


@pytest.mark.parametrize(
    ("env", "debug"),
    [({}, False), ({"DEBUG": ""}, False), ({"DEBUG": "0"}, False), ({"DEBUG": "1"}, True), ({"DEBUG": "true"}, True)],
    ids=["unset", "empty", "0", "1", "true"],
)
def test_settings_debug_is_off_unless_asked_for(tmp_path: Path, env: dict[str, str], debug: bool) -> None:
    assert load_settings(tmp_path, **env)["debug"] is debug


def test_settings_refuse_a_malformed_debug_value(tmp_path: Path) -> None:
    stderr = settings_error(tmp_path, DEBUG="maybe")
    assert "ImproperlyConfigured: DEBUG must be true or false, not 'maybe'" in stderr


def test_settings_refuse_a_secret_key_without_allowed_hosts(tmp_path: Path) -> None:
    stderr = settings_error(tmp_path, SECRET_KEY=secrets.token_urlsafe(50))
    assert "ImproperlyConfigured: ALLOWED_HOSTS must be set" in stderr


def test_check_deploy_passes_with_production_settings(tmp_path: Path) -> None:
    env = {"SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "carehub.example"}
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], env, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_with_development_settings(tmp_path: Path) -> None:
    # The counterpart of the test above: without production settings the deploy checks must object.
    result = run_python(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], {}, tmp_path)
    assert result.returncode != 0
    assert "security.W009" in result.stderr  # the development SECRET_KEY
