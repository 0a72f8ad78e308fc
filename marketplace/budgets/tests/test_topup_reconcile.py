"""Top-ups left pending by a crash between the gateway's charge and recording it: the beat task asks
the gateway and credits once (charged) or fails (not charged), however often and however many run."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command

from accounts.models import AuditEvent
from carehub import clock
from carehub.celery import app
from marketplace import ledger
from marketplace.budgets import topups
from marketplace.budgets.tasks import budget_topups_reconcile_task
from marketplace.budgets.topups import PaymentDeclined, Reconciled
from marketplace.models import LedgerTransaction, TopUp
from marketplace.tests.factories import key, make_budget
from marketplace.tests.fakes import SimulatedCrash
from marketplace.tests.parallel import run_parallel

AFTER = timedelta(seconds=settings.TOPUP_RECONCILE_AFTER_SECONDS)


def crashed_topup(cast: Any, gateway: Any, *, charged: bool, amount_pence: int = 5_000, idem: str = "") -> TopUp:
    """A self-funder's top-up whose request died before (charged=False) or after (True) the gateway charged."""
    budget = make_budget(person=cast.person)
    gateway.crash_before_charge, gateway.crash_after_charge = not charged, charged
    with pytest.raises(SimulatedCrash):
        topups.budget_topup(
            actor=cast.person.user, budget=budget, amount_pence=amount_pence, idempotency_key=idem or key()
        )
    gateway.crash_before_charge = gateway.crash_after_charge = False
    return TopUp.objects.get(budget=budget)


def reconcile_later() -> dict[str, int]:
    return topups.budget_topups_reconcile(older_than=AFTER, now=clock.now() + AFTER + timedelta(seconds=1))


def credited(topup: TopUp) -> int:
    return ledger.account_budget_available(topup.budget).balance_pence


@pytest.mark.django_db(transaction=True)  # a real autocommit connection, so "in a transaction" means something
def test_topup_crashed_after_the_charge_stays_pending_then_is_credited_once(cast: Any, fake_gateway: Any) -> None:
    topup = crashed_topup(cast, fake_gateway, charged=True)
    assert topup.status == TopUp.Status.PENDING and credited(topup) == 0
    assert len(fake_gateway.charges) == 1  # the money was taken

    first, second = reconcile_later(), reconcile_later()

    topup.refresh_from_db()
    assert first[Reconciled.CREDITED] == 1 and sum(second.values()) == 0  # nothing pending the second time
    assert topup.status == TopUp.Status.SUCCEEDED and topup.gateway_reference == "fake-1"
    assert credited(topup) == 5_000
    assert LedgerTransaction.objects.filter(reason="topup", reference=str(topup.code)).count() == 1
    assert AuditEvent.objects.filter(action="budget.topup", object_id=str(topup.pk)).count() == 1
    assert not any(lookup["in_transaction"] for lookup in fake_gateway.lookups)  # no lock held while asking
    assert len(fake_gateway.charges) == 1  # asking never charges again
    call_command("check_ledger")


@pytest.mark.django_db
def test_topup_crashed_before_the_charge_is_marked_failed_and_moves_no_money(cast: Any, fake_gateway: Any) -> None:
    idem = key()
    topup = crashed_topup(cast, fake_gateway, charged=False, idem=idem)
    assert fake_gateway.charges == []

    assert reconcile_later()[Reconciled.FAILED] == 1

    topup.refresh_from_db()
    assert topup.status == TopUp.Status.FAILED and topup.completed_at is not None
    assert credited(topup) == 0 and not LedgerTransaction.objects.filter(reason="topup").exists()
    assert AuditEvent.objects.filter(action="budget.topup_failed", object_id=str(topup.pk)).exists()
    # The person retrying the same form is told it did not go through, and is not charged.
    with pytest.raises(PaymentDeclined, match="not completed. No money was taken"):
        topups.budget_topup(actor=cast.person.user, budget=topup.budget, amount_pence=5_000, idempotency_key=idem)
    assert fake_gateway.charges == []


@pytest.mark.django_db
def test_topup_reconcile_leaves_a_pending_topup_when_the_gateway_cannot_say(cast: Any, fake_gateway: Any) -> None:
    topup = crashed_topup(cast, fake_gateway, charged=True)
    fake_gateway.unreachable = True
    assert reconcile_later()[Reconciled.UNKNOWN] == 1
    topup.refresh_from_db()
    assert topup.status == TopUp.Status.PENDING and credited(topup) == 0
    fake_gateway.unreachable = False  # the next run, once it answers
    assert reconcile_later()[Reconciled.CREDITED] == 1 and credited(topup) == 5_000


@pytest.mark.django_db
def test_topup_reconcile_leaves_young_topups_to_their_request(cast: Any, fake_gateway: Any) -> None:
    topup = crashed_topup(cast, fake_gateway, charged=True)
    counts = topups.budget_topups_reconcile(older_than=AFTER, now=clock.now() + AFTER - timedelta(seconds=5))
    assert sum(counts.values()) == 0 and fake_gateway.lookups == []
    topup.refresh_from_db()
    assert topup.status == TopUp.Status.PENDING


@pytest.mark.django_db
def test_topup_reconcile_asks_only_the_gateway_that_took_the_payment(cast: Any, fake_gateway: Any) -> None:
    topup = crashed_topup(cast, fake_gateway, charged=True)
    TopUp.objects.filter(pk=topup.pk).update(gateway="another-card-processor")
    assert reconcile_later()[Reconciled.UNKNOWN] == 1 and fake_gateway.lookups == []
    topup.refresh_from_db()
    assert topup.status == TopUp.Status.PENDING


@pytest.mark.django_db
def test_topup_offline_gateway_never_guesses(cast: Any) -> None:
    budget = make_budget(person=cast.person)
    topup = TopUp.objects.create(budget=budget, actor=cast.person.user, amount_pence=1_000, gateway="offline")
    TopUp.objects.filter(pk=topup.pk).update(created_at=clock.now() - 2 * AFTER)
    assert topups.budget_topups_reconcile(older_than=AFTER)[Reconciled.UNKNOWN] == 1
    topup.refresh_from_db()
    assert topup.status == TopUp.Status.PENDING


@pytest.mark.django_db
def test_topup_confirmed_after_being_marked_failed_is_credited_once(cast: Any, fake_gateway: Any) -> None:
    # Should a charge the gateway denied at first turn up later, the money was taken: it must reach the budget.
    topup = crashed_topup(cast, fake_gateway, charged=False)
    reconcile_later()
    topup.refresh_from_db()
    assert topup.status == TopUp.Status.FAILED
    actor = cast.person.user
    assert topups._topup_credit(topup=topup, actor=actor, gateway_reference="late-1") is True
    assert topups._topup_credit(topup=topup, actor=actor, gateway_reference="late-1") is False
    assert credited(topup) == 5_000
    call_command("check_ledger")


@pytest.mark.django_db
def test_topup_reconcile_task_run_twice_credits_once(cast: Any, fake_gateway: Any, time_machine: Any) -> None:
    topup = crashed_topup(cast, fake_gateway, charged=True)
    time_machine.move_to(clock.now() + AFTER + timedelta(minutes=1))
    first = budget_topups_reconcile_task.delay().get()
    second = budget_topups_reconcile_task.delay().get()
    assert first[Reconciled.CREDITED] == 1 and second[Reconciled.CREDITED] == 0
    assert credited(topup) == 5_000
    assert LedgerTransaction.objects.filter(reason="topup").count() == 1


def test_topup_reconcile_task_has_its_name_and_a_beat_entry() -> None:
    name = "marketplace.budgets.tasks.budget_topups_reconcile_task"
    assert budget_topups_reconcile_task.name == name and name in app.tasks
    entry = settings.CELERY_BEAT_SCHEDULE["marketplace-budgets-topups-reconcile"]
    assert entry["task"] == name
    assert entry["schedule"] < settings.TOPUP_RECONCILE_AFTER_SECONDS  # a stuck top-up waits at most two periods


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_topup_reconcile_in_parallel_credits_once(cast: Any, fake_gateway: Any) -> None:
    topups = [crashed_topup(cast, fake_gateway, charged=charged) for charged in (True, True, False)]

    results = run_parallel(8, lambda _: reconcile_later())

    assert [r for r in results if isinstance(r, Exception)] == []
    totals = {outcome: sum(r[outcome] for r in results) for outcome in Reconciled}
    # Each top-up is credited or failed by exactly one run; the others find it done.
    assert totals[Reconciled.CREDITED] == 2 and totals[Reconciled.FAILED] == 1
    for topup, charged in zip(topups, (True, True, False), strict=True):
        topup.refresh_from_db()
        assert topup.status == (TopUp.Status.SUCCEEDED if charged else TopUp.Status.FAILED)
        assert credited(topup) == (5_000 if charged else 0)
    assert LedgerTransaction.objects.filter(reason="topup").count() == 2
    call_command("check_ledger")
