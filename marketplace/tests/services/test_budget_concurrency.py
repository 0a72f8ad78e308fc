"""Parallel commits on separate PostgreSQL connections never overspend."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection

from carehub.errors import DomainError
from marketplace import ledger
from marketplace.models import Commitment, LedgerTransaction
from marketplace.tests.factories import key, make_budget

PRICE = 1_000
# The test server allows 100 connections shared with other test runs; like a
# connection pooler (PgBouncer) in production, at most this many requests hold
# a connection at once, the rest of the parallel requests queue for one.
MAX_CONNECTIONS = 50


def run_parallel(count: int, target: Any) -> list[Any]:
    """Start `count` threads together; each uses its own connection and closes it."""
    barrier = threading.Barrier(count)
    pool = threading.BoundedSemaphore(MAX_CONNECTIONS)
    results: list[Any] = [None] * count

    def worker(i: int) -> None:
        barrier.wait()
        with pool:
            try:
                results[i] = target(i)
            except Exception as exc:  # noqa: BLE001 - recorded and asserted by the test
                results[i] = exc
            finally:
                connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("buyers", [50, 200])
def test_budget_commit_parallel_buyers_exactly_ten_succeed(cast: Any, buyers: int) -> None:
    from marketplace import services

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
    assert {r.status_code for r in refused} == {400}
    assert ledger.account_budget_available(budget).balance_pence == 0
    assert ledger.account_budget_committed(budget).balance_pence == 10 * PRICE
    assert LedgerTransaction.objects.filter(budget=budget, reason="commit").count() == 10
    call_command("check_ledger")
