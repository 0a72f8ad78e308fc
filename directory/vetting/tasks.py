"""Celery tasks for vetting: each loads by id and calls one service (names kept from
directory.tasks, which beat uses)."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="directory.tasks.vetting_check_task", acks_late=True)
def vetting_check_task(provider_id: int, kind: str) -> str:
    """One check for one provider (registration, insurance, criminal record...): its dated result's status."""
    from directory.models import Provider
    from directory.vetting.services import vetting_check_run

    try:
        return vetting_check_run(provider_id=provider_id, kind=kind).status
    except Provider.DoesNotExist:  # deleted after the check was queued: nothing to check
        return "gone"


@shared_task(name="directory.tasks.vetting_registration_checks_task", acks_late=True)
def vetting_registration_checks_task(regulator: str | None = None) -> int:
    """After every register import and nightly (Celery beat): queue registration checks."""
    from directory.vetting.services import vetting_registration_checks_enqueue

    return vetting_registration_checks_enqueue(regulator=regulator)


@shared_task(name="directory.tasks.vetting_expire_task", acks_late=True)
def vetting_expire_task() -> int:
    """Nightly (Celery beat): evidence that ran out today takes the 'Vetted' mark away."""
    from directory.vetting.services import vetting_expire

    return vetting_expire()


@shared_task(name="directory.tasks.vetting_remind_task", acks_late=True)
def vetting_remind_task() -> int:
    """Daily (Celery beat): remind providers 30 and 7 days before their evidence runs out."""
    from directory.vetting.services import vetting_remind

    return vetting_remind()
