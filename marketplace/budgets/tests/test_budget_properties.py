"""Property tests: random sequences of money operations keep the ledger's invariants."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from carehub.errors import DomainError
from marketplace import ledger
from marketplace.budgets import selectors, services
from marketplace.ledger import ledger_verify
from marketplace.models import Account, Commitment, Payout
from marketplace.payouts import services as payouts
from marketplace.tests.factories import key, make_budget

pytestmark = pytest.mark.django_db

amounts = st.integers(min_value=-50, max_value=6_000)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("commit"), amounts, st.integers(0, 9)),
        st.tuples(st.just("release"), st.just(0), st.integers(0, 9)),
        st.tuples(st.just("settle"), st.integers(0, 6_000), st.integers(0, 9)),
        st.tuples(st.just("refund"), amounts, st.integers(0, 9)),
        st.tuples(st.just("allocate"), amounts, st.just(0)),
        st.tuples(st.just("payout"), st.just(0), st.just(0)),
        st.tuples(st.just("payout_result"), st.integers(0, 1), st.integers(0, 9)),
    ),
    max_size=14,
)


def apply(op: str, amount: int, index: int, *, cast: Any, finance: Any, budget: Any, held: list[Commitment]) -> None:
    person = cast.person.user
    if op == "commit":
        held.append(
            services.budget_commit(
                actor=person,
                budget=budget,
                amount_pence=amount,
                reference=key(),
                provider=cast.provider,
                idempotency_key=key(),
            )  # fmt: skip
        )
    elif op == "allocate":
        services.budget_allocate(actor=finance, budget=budget, amount_pence=amount, idempotency_key=key())
    elif op == "payout":
        payouts.payout_batch_create(actor=finance, idempotency_key=key())
    elif op == "payout_result":
        pending = list(Payout.objects.filter(status=Payout.Status.PENDING).order_by("pk"))
        if pending:
            payout = pending[index % len(pending)]
            if amount:
                payouts.payout_mark_paid(actor=finance, payout=payout, idempotency_key=key())
            else:
                payouts.payout_mark_failed(actor=finance, payout=payout, reason="bounced", idempotency_key=key())
    elif held:
        commitment = Commitment.objects.get(pk=held[index % len(held)].pk)
        if op == "release":
            services.budget_release(actor=person, commitment=commitment, idempotency_key=key())
        elif op == "settle":
            services.budget_settle(
                actor=person, commitment=commitment, amount_pence=amount or None, idempotency_key=key()
            )
        else:
            services.budget_refund(actor=finance, commitment=commitment, amount_pence=amount, idempotency_key=key())


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(initial=st.integers(0, 20_000), ops=operations)
def test_budget_random_operations_keep_ledger_invariants(
    cast: Any, finance: Any, initial: int, ops: list[tuple[str, int, int]]
) -> None:
    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=initial)
    held: list[Commitment] = []
    for op, amount, index in ops:
        # Refused operations are part of the game; they must leave no trace (checked below).
        with contextlib.suppress(DomainError):
            apply(op, amount, index, cast=cast, finance=finance, budget=budget, held=held)
        available = ledger.account_budget_available(budget).balance_pence
        committed = ledger.account_budget_committed(budget).balance_pence
        assert available >= 0
        assert committed >= 0
        summary = selectors.budget_summary(budget=budget)
        # allocated − committed − spent = available, by construction of the postings.
        assert summary.allocated_pence - committed - summary.spent_pence == available
    # Entries of every transaction sum to zero; every cached balance equals the sum of its entries.
    assert ledger_verify() == []
    assert sum(Account.objects.values_list("balance_pence", flat=True)) == 0
