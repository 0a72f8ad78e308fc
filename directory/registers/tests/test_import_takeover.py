"""A register import whose worker died is taken over by the redelivered task (issue 16).

PostgreSQL only: the live runner is recognised by its session-level advisory lock,
which a dead process's connection takes with it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg2
import pytest
from django.core.files.base import ContentFile
from django.db import connection

from directory.models import RegisterImport, Regulator, Service
from directory.registers.importers.run_lock import LOCK_NAMESPACE
from directory.registers.services import register_import_process
from directory.tests.register_fixtures import ci_row, make_postcodes, write_ci

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def _abandoned_run(tmp_path: Path) -> RegisterImport:
    """An import left RUNNING half-way, as a SIGKILLed worker leaves it."""
    make_postcodes()
    path = write_ci(tmp_path / "datastore.csv", [ci_row("CS2003000001"), ci_row("CS2003000002")])
    run = RegisterImport(regulator=Regulator.CARE_INSPECTORATE, status=RegisterImport.Status.RUNNING)
    run.file.save("datastore.csv", ContentFile(path.read_bytes()), save=False)
    run.save()
    return run


def _other_session() -> Any:
    db = connection.settings_dict
    return psycopg2.connect(
        dbname=db["NAME"], user=db["USER"], password=db["PASSWORD"] or None, host=db["HOST"] or None, port=db["PORT"]
    )


def test_register_import_abandoned_by_a_dead_worker_is_taken_over(tmp_path: Path) -> None:
    run = _abandoned_run(tmp_path)

    done = register_import_process(register_import_id=run.pk)

    assert done.status == RegisterImport.Status.DONE
    assert Service.objects.filter(registration__registration_number__startswith="CS200300000").count() == 2
    # Done means done: a further redelivery changes nothing.
    assert register_import_process(register_import_id=run.pk).finished_at == done.finished_at


def test_register_import_running_in_a_live_process_is_left_alone(tmp_path: Path) -> None:
    run = _abandoned_run(tmp_path)
    live = _other_session()  # a live runner holds the lock
    try:
        with live.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [LOCK_NAMESPACE, run.pk])

        assert register_import_process(register_import_id=run.pk).status == RegisterImport.Status.RUNNING
        assert not Service.objects.exists()
    finally:
        live.close()  # the runner dies: its lock goes with its connection

    assert register_import_process(register_import_id=run.pk).status == RegisterImport.Status.DONE
