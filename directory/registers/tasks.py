"""Celery tasks for register imports. Names are the old module paths (directory.tasks.*),
so queued messages and beat entries still run."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="directory.tasks.register_import_task", acks_late=True)
def register_import_task(register_import_id: int) -> None:
    from directory.registers.services import register_import_process

    register_import_process(register_import_id=register_import_id)
