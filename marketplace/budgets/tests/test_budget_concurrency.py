"""Parallel commits on separate PostgreSQL connections never overspend."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.core.management import call_command

from carehub.errors import DomainError
from marketplace import ledger
from marketplace.models import Commitment, LedgerTransaction
from marketplace.payouts import services as payouts
from marketplace.tests.factories import key, make_budget
from marketplace.tests.parallel import run_parallel

PRICE = 1_000
# The test server allows 100 connections shared with other test runs; like a
# connection pooler (PgBouncer) in production, at most this many requests hold
# a connection at once, the rest of the parallel requests queue for one.


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("buyers", [50, 200])
def test_budget_commit_parallel_buyers_exactly_ten_succeed(cast: Any, buyers: int) -> None:
    from marketplace.budgets import services

    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=10 * PRICE)

    def buy(i: int) -> Commitment:
        return services.budget_commit(
            actor=cast.person.user, budget=budget, amount_pence=PRICE, reference=f"booking-{i}",
            provider=cast.provider, idempotency_key=key(),
        )  # fmt: skip

    started = time.monotonic()
    results = run_parallel(buyers, buy)
    elapsed = time.monotonic() - started

    succeeded = [r for r in results if isinstance(r, Commitment)]
    refused = [r for r in results if isinstance(r, DomainError)]
    unexpected = [r for r in results if not isinstance(r, Commitment | DomainError)]
    print(f"\n{buyers} parallel commits: {len(succeeded)} succeeded, {len(refused)} refused in {elapsed:.2f}s")
    assert unexpected == []
    assert len(succeeded) == 10
    assert len(refused) == buyers - 10
    assert {r.message for r in refused} == {ledger.NOT_ENOUGH_IN_BUDGET}
    assert {r.status_code for r in refused} == {409}
    assert ledger.account_budget_available(budget).balance_pence == 0
    assert ledger.account_budget_committed(budget).balance_pence == 10 * PRICE
    assert LedgerTransaction.objects.filter(budget=budget, reason="commit").count() == 10
    call_command("check_ledger")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_payout_batches_in_parallel_pay_each_penny_once(cast: Any, finance: Any) -> None:
    from marketplace.budgets import services
    from marketplace.models import Payout

    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=100_000)
    for provider in (cast.provider, cast.other_provider):
        for _ in range(3):
            commitment = services.budget_commit(
                actor=cast.person.user, budget=budget, amount_pence=5_000, reference=key(), provider=provider,
                idempotency_key=key(),
            )  # fmt: skip
            services.budget_settle(actor=cast.person.user, commitment=commitment, idempotency_key=key())
    payable = sum(ledger.account_provider_payable(p.pk).balance_pence for p in (cast.provider, cast.other_provider))
    ledger.account_payouts_clearing()  # exists already, as in production: nothing else serialises the batches

    results = run_parallel(10, lambda i: payouts.payout_batch_create(actor=finance, idempotency_key=key()))
    assert [r for r in results if isinstance(r, Exception)] == []
    assert sum(Payout.objects.values_list("amount_pence", flat=True)) == payable
    assert Payout.objects.count() == 2
    assert ledger.account_payouts_clearing().balance_pence == payable
    call_command("check_ledger")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_settle_and_release_in_parallel_only_one_wins(cast: Any) -> None:
    from marketplace.budgets import services

    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=10_000)
    commitment = services.budget_commit(
        actor=cast.person.user, budget=budget, amount_pence=10_000, reference="one", provider=cast.provider,
        idempotency_key=key(),
    )  # fmt: skip
    operations = [services.budget_settle, services.budget_release] * 10
    results = run_parallel(
        len(operations),
        lambda i: operations[i](actor=cast.person.user, commitment=commitment, idempotency_key=key()),
    )
    assert len([r for r in results if isinstance(r, Commitment)]) == 1
    assert all(isinstance(r, Commitment | DomainError) for r in results)
    available = ledger.account_budget_available(budget).balance_pence
    assert available in (0, 10_000)  # settled (paid out of the budget) or released, never both
    assert ledger.account_budget_committed(budget).balance_pence == 0
    call_command("check_ledger")
