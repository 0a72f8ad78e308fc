"""Celery tasks for the directory. Each loads by id and calls one service."""

from __future__ import annotations

from celery import shared_task


# --- Regulators' registers (issue 4) ---------------------------------------------
@shared_task(acks_late=True)
def register_import_task(register_import_id: int) -> None:
    from directory.importers.services import register_import_process

    register_import_process(register_import_id=register_import_id)


@shared_task(acks_late=True)
def listing_freshness_remind_task() -> int:
    """Daily (Celery beat): remind providers to confirm listings unconfirmed for 6 months."""
    from directory.portal_services import listing_freshness_remind

    return listing_freshness_remind()


# --- Vetting (issue 8) -------------------------------------------------------------
@shared_task(acks_late=True)
def vetting_check_task(provider_id: int, kind: str) -> str:
    """One check for one provider (registration, insurance, criminal record...): its dated result's status."""
    from directory.models import Provider
    from directory.vetting import vetting_check_run

    try:
        return vetting_check_run(provider_id=provider_id, kind=kind).status
    except Provider.DoesNotExist:  # deleted after the check was queued: nothing to check
        return "gone"


@shared_task(acks_late=True)
def vetting_registration_checks_task(regulator: str | None = None) -> int:
    """After every register import and nightly (Celery beat): queue registration checks."""
    from directory.vetting import vetting_registration_checks_enqueue

    return vetting_registration_checks_enqueue(regulator=regulator)


@shared_task(acks_late=True)
def vetting_expire_task() -> int:
    """Nightly (Celery beat): evidence that ran out today takes the 'Vetted' mark away."""
    from directory.vetting import vetting_expire

    return vetting_expire()


@shared_task(acks_late=True)
def vetting_remind_task() -> int:
    """Daily (Celery beat): remind providers 30 and 7 days before their evidence runs out."""
    from directory.vetting import vetting_remind

    return vetting_remind()
