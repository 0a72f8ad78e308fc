"""Diagnostic tasks: what a worker sees of the services it depends on."""

from __future__ import annotations

import logging
import os
import socket
from typing import Any

from celery import shared_task
from django.db import connection

logger = logging.getLogger(__name__)


@shared_task(name="carehub.tasks.healthcheck", ignore_result=False)
def healthcheck() -> dict[str, Any]:
    """Report the worker's view of the database: run from an operator's shell
    (`healthcheck.delay().get(timeout=30)`) it proves broker → worker → result
    backend end to end, and that the worker can reach the database."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            database_ok = cursor.fetchone() == (1,)
    except Exception:  # any failure means "not reachable"
        logger.exception("healthcheck task: database check failed")
        database_ok = False
    return {
        "worker": socket.gethostname(),
        "pid": os.getpid(),
        "database": "ok" if database_ok else "down",
        "database_vendor": connection.vendor,
    }
