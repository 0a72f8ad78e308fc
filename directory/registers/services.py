"""Starting and running register imports (from the command line, the admin or a Celery task)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import IO

from django.db import transaction

from accounts.models import User
from carehub import clock
from directory.models import RegisterImport, Regulator
from directory.registers.importers.care_inspectorate import parse_care_inspectorate
from directory.registers.importers.cqc import parse_cqc
from directory.registers.importers.files import ParsedFile, RegisterFileInvalid
from directory.registers.importers.run_lock import RunLock, register_import_run_lock
from directory.registers.importers.sync import ProgressCallback, register_sync
from directory.vetting.services import vetting_registration_checks_enqueue

logger = logging.getLogger(__name__)

PARSERS: dict[str, Callable[[str | Path | IO[bytes]], ParsedFile]] = {
    Regulator.CARE_INSPECTORATE: parse_care_inspectorate,
    Regulator.CQC: parse_cqc,
}


def _parse(regulator: str, source: str | Path | IO[bytes]) -> ParsedFile:
    parsed = PARSERS[regulator](source)
    if not parsed.records:
        # Syncing an empty result would mark every service as no longer registered.
        first = "; ".join(f"row {e.row_number}: {e.reason}" for e in parsed.errors[:3])
        raise RegisterFileInvalid(f"No row of {parsed.file_name} could be imported. {first}".strip())
    return parsed


def _run(
    *, register_import: RegisterImport, parsed: ParsedFile, regulator: str, progress: ProgressCallback | None
) -> RegisterImport:
    register_import.file_name = register_import.file_name or parsed.file_name
    register_import.file_sha256 = parsed.sha256
    register_import.total_rows = parsed.total_rows
    register_import.processed_rows = len(parsed.errors)
    register_import.stage = "Writing changes"
    register_import.save(update_fields=["file_name", "file_sha256", "total_rows", "processed_rows", "stage"])

    def report(done: int, total: int) -> None:
        # Saved outside the batch transactions, so the admin sees it while the import runs.
        RegisterImport.objects.filter(pk=register_import.pk).update(processed_rows=done)
        if progress:
            progress(done, total)

    counts = register_sync(
        regulator=regulator,
        records=parsed.records,
        errors=parsed.errors,
        register_import=register_import,
        total_rows=parsed.total_rows,
        progress=report,
    )
    counts.warnings = len({w.row_number for w in parsed.warnings})
    register_import.counts = counts.as_dict()
    register_import.status = RegisterImport.Status.DONE
    register_import.stage = ""
    register_import.message = parsed.warnings_summary()  # what was read differently; "" when nothing was
    register_import.processed_rows = parsed.total_rows
    register_import.finished_at = clock.now()
    register_import.save(update_fields=["counts", "status", "stage", "message", "processed_rows", "finished_at"])
    # Vetting (issue 8): re-check every vetted or vetting provider against this newest register.
    vetting_registration_checks_enqueue(regulator=regulator)
    return register_import


def register_import_from_path(
    *,
    regulator: str,
    path: str | Path,
    actor: User | None = None,
    progress: ProgressCallback | None = None,
) -> RegisterImport:
    """Import a register file from disk. Raises RegisterFileInvalid before writing anything for a bad file."""
    parsed = _parse(regulator, path)
    register_import = RegisterImport.objects.create(
        regulator=regulator,
        file_name=str(path),
        status=RegisterImport.Status.RUNNING,
        started_at=clock.now(),
        started_by=actor,
    )
    return _run(register_import=register_import, parsed=parsed, regulator=regulator, progress=progress)


def register_import_start(*, actor: User | None, register_import: RegisterImport) -> None:
    """Queue an uploaded register file for import by a Celery worker (after this transaction commits)."""
    from directory.registers.tasks import register_import_task

    if register_import.status not in (RegisterImport.Status.PENDING, RegisterImport.Status.FAILED):
        return
    RegisterImport.objects.filter(pk=register_import.pk).update(
        status=RegisterImport.Status.PENDING, stage="Queued", started_by=actor, message=""
    )
    transaction.on_commit(lambda: register_import_task.delay(register_import.pk))


def register_import_process(*, register_import_id: int) -> RegisterImport:
    """Run a queued import of an uploaded file; a bad file marks the run failed with the reason.
    A run abandoned by a dead worker is taken over by the redelivered task (run_lock.py)."""
    with register_import_run_lock(register_import_id) as lock:
        return _process(register_import_id=register_import_id, lock=lock)


def _process(*, register_import_id: int, lock: RunLock) -> RegisterImport:
    claimable = [RegisterImport.Status.PENDING, RegisterImport.Status.FAILED]
    if lock is RunLock.HELD:
        claimable.append(RegisterImport.Status.RUNNING)
    claimed = lock is not RunLock.BUSY and RegisterImport.objects.filter(
        pk=register_import_id, status__in=claimable
    ).update(status=RegisterImport.Status.RUNNING, started_at=clock.now(), stage="Reading the file")
    register_import = RegisterImport.objects.get(pk=register_import_id)
    if not claimed:  # running in a live process, or done: a redelivered task must not import twice
        return register_import
    try:
        if not register_import.file:
            raise RegisterFileInvalid("No file was uploaded for this import.")
        with register_import.file.open("rb") as fh:
            parsed = _parse(register_import.regulator, fh)
        return _run(register_import=register_import, parsed=parsed, regulator=register_import.regulator, progress=None)
    except RegisterFileInvalid as exc:
        register_import.status, register_import.message = RegisterImport.Status.FAILED, exc.message
    except Exception as exc:
        logger.exception("register import %s failed", register_import_id)
        register_import.status, register_import.message = RegisterImport.Status.FAILED, f"Unexpected error: {exc}"
    register_import.stage, register_import.finished_at = "", clock.now()
    register_import.save(update_fields=["status", "message", "stage", "finished_at"])
    return register_import
