"""Who runs a queued register import, when workers die (issue 16).

A queued import is claimed by moving its status to RUNNING. If the worker then dies
(SIGKILL, out of memory, a lost node), Celery delivers the task again (acks_late), but
the status still says RUNNING, and "already running" used to look the same as "its
runner died": the import stayed RUNNING for ever.

On PostgreSQL the runner also holds a session-level advisory lock on the import for
as long as it runs. A process dies with its connection, and its lock with it, so a
redelivered task that gets the lock while the status says RUNNING knows the run was
abandoned and takes it over. Re-running is safe because the sync is idempotent: rows
committed by the dead run are unchanged now and are skipped. Without PostgreSQL
(SQLite: one process, tasks run in-process) there is no takeover.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum

from django.db import DatabaseError, connection

LOCK_NAMESPACE = 16_001  # pg_try_advisory_lock(namespace, import id): register imports


class RunLock(Enum):
    HELD = "held"  # we hold the lock: a RUNNING import has no live runner and may be taken over
    BUSY = "busy"  # a live process is running this import
    UNAVAILABLE = "unavailable"  # not PostgreSQL: claim pending or failed imports only


@contextmanager
def register_import_run_lock(register_import_id: int) -> Iterator[RunLock]:
    if connection.vendor != "postgresql":
        yield RunLock.UNAVAILABLE
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [LOCK_NAMESPACE, register_import_id])
        held = bool(cursor.fetchone()[0])
    try:
        yield RunLock.HELD if held else RunLock.BUSY
    finally:
        if held:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [LOCK_NAMESPACE, register_import_id])
            except DatabaseError:  # the connection is gone, and the lock went with it
                pass
