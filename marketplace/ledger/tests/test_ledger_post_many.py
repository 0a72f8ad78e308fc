"""ledger_post_many: many postings at once, with the rules of ledger_post given each in turn.

The world: Glasgow's funding account, a provider's payable account and two budgets,
funded, committed, released and settled only through the bulk path; every balance is
asserted, and ledger_verify recomputes each from the entries."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from django.core.management import call_command

from accounts.models import User
from accounts.services import system_actor
from carehub.errors import DomainError
from marketplace import ledger
from marketplace.ledger import InsufficientFunds, Posting, UnbalancedPosting, ledger_post_many, ledger_verify
from marketplace.models import Account, Budget, Commitment, Entry, LedgerTransaction
from marketplace.tests.factories import key, make_budget
from marketplace.tests.parallel import run_parallel

Reason = LedgerTransaction.Reason


@dataclass
class Books:
    actor: User
    funding: int
    payable: int
    a: Budget
    a_available: int
    a_held: int
    b: Budget
    b_available: int

    def balances(self) -> dict[str, int]:
        names = ("funding", "payable", "a_available", "a_held", "b_available")
        found = dict(Account.objects.values_list("pk", "balance_pence"))
        return {name: found[getattr(self, name)] for name in names}


@pytest.fixture
def books(cast: Any) -> Books:
    a = make_budget(person=cast.person, funder=cast.council)
    b = make_budget(person=cast.other_person, funder=cast.council)
    return Books(
        actor=system_actor(),
        funding=ledger.account_council_funding(cast.council.pk).pk,
        payable=ledger.account_provider_payable(cast.provider.pk).pk,
        a=a,
        a_available=ledger.account_budget_available(a).pk,
        a_held=ledger.account_budget_committed(a).pk,
        b=b,
        b_available=ledger.account_budget_available(b).pk,
    )


def allocate(bk: Books, pence: int, *, to_b: bool = False) -> Posting:
    budget, account = (bk.b, bk.b_available) if to_b else (bk.a, bk.a_available)
    return Posting(Reason.ALLOCATION, [(bk.funding, -pence), (account, pence)], budget_id=budget.pk)


def commit(bk: Books, pence: int, reference: str = "") -> Posting:
    return Posting(Reason.COMMIT, [(bk.a_available, -pence), (bk.a_held, pence)], bk.a.pk, reference)


def release(bk: Books, pence: int, reference: str = "") -> Posting:
    return Posting(Reason.RELEASE, [(bk.a_held, -pence), (bk.a_available, pence)], bk.a.pk, reference)


def settle(bk: Books, pence: int, reference: str = "") -> Posting:
    return Posting(Reason.SETTLE, [(bk.a_held, -pence), (bk.payable, pence)], bk.a.pk, reference)


def counts() -> tuple[int, int]:
    return LedgerTransaction.objects.count(), Entry.objects.count()


def nothing_written(bk: Books, before: tuple[int, int]) -> bool:
    return counts() == before and set(bk.balances().values()) == {0} and ledger_verify() == []


def test_ledger_post_many_posts_balanced_transactions_and_moves_every_balance(books: Books) -> None:
    paid_on = datetime(2026, 5, 1, 9, tzinfo=UTC)
    postings = [
        allocate(books, 10_000),
        allocate(books, 5_000, to_b=True),
        commit(books, 3_000, "booking-1"),
        commit(books, 2_000, "booking-2"),
        release(books, 2_000, "booking-2"),
        Posting(
            Reason.SETTLE,
            [(books.a_held, -3_000), (books.payable, 2_900), (books.payable, 100)],  # one account twice: netted
            books.a.pk,
            "booking-1",
            memo="x" * 300,
            created_at=paid_on,
        ),
    ]
    assert ledger_post_many(actor=books.actor, postings=postings) == 6
    assert books.balances() == {
        "funding": -15_000,
        "payable": 3_000,
        "a_available": 7_000,
        "a_held": 0,
        "b_available": 5_000,
    }
    assert ledger_verify() == []  # every cached balance equals the sum of its entries
    txns = list(LedgerTransaction.objects.order_by("pk"))
    assert [t.reason for t in txns] == ["allocation", "allocation", "commit", "commit", "release", "settle"]
    assert {t.actor_id for t in txns} == {books.actor.pk}
    assert [t.reference for t in txns][2:] == ["booking-1", "booking-2", "booking-2", "booking-1"]
    assert (txns[5].created_at, len(txns[5].memo), txns[5].entries.count()) == (paid_on, 255, 3)
    assert [sorted(t.entries.values_list("amount_pence", flat=True)) for t in txns[:2]] == [
        [-10_000, 10_000],
        [-5_000, 5_000],
    ]


def test_ledger_post_many_reads_a_generator_in_batches(books: Books) -> None:
    def postings() -> Iterator[Posting]:
        yield allocate(books, 10_000)
        for n in range(7):
            yield commit(books, 1_000, f"booking-{n}")
            yield settle(books, 1_000, f"booking-{n}")

    assert ledger_post_many(actor=books.actor, postings=postings(), batch_size=3) == 15
    assert books.balances() == {
        "funding": -10_000,
        "payable": 7_000,
        "a_available": 3_000,
        "a_held": 0,
        "b_available": 0,
    }
    assert ledger_verify() == []
    assert ledger_post_many(actor=books.actor, postings=[]) == 0


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (lambda bk: Posting(Reason.ALLOCATION, [(bk.funding, -100), (bk.a_available, 101)]), "sum to zero"),
        (lambda bk: Posting(Reason.ALLOCATION, [(bk.a_available, 100)]), "at least two entries"),
        (lambda bk: Posting(Reason.ALLOCATION, [(bk.funding, 0), (bk.a_available, 0)]), "non-zero whole pence"),
        (lambda bk: Posting(Reason.ALLOCATION, [(bk.funding, -1.5), (bk.a_available, 1.5)]), "non-zero whole pence"),
        (lambda bk: Posting("gift", [(bk.funding, -100), (bk.a_available, 100)]), "Unknown reason"),
        (lambda bk: Posting(Reason.ALLOCATION, [(bk.funding, -100), (999_999, 100)]), "saved accounts"),
    ],
)
def test_ledger_post_many_refuses_the_whole_batch_when_one_posting_is_unbalanced(
    books: Books, bad: Any, message: str
) -> None:
    before = counts()
    # In batches of two, the good postings before the bad one are inserted already: they are undone.
    good = [allocate(books, 10_000), commit(books, 1_000), settle(books, 1_000)]
    with pytest.raises(UnbalancedPosting, match=message):
        ledger_post_many(actor=books.actor, postings=[*good, bad(books)], batch_size=2)
    assert nothing_written(books, before)


def test_ledger_post_many_refuses_to_overdraw_a_budget(books: Books) -> None:
    before = counts()
    postings = [allocate(books, 5_000), commit(books, 3_000), commit(books, 2_001)]
    with pytest.raises(InsufficientFunds) as refused:
        ledger_post_many(actor=books.actor, postings=postings)
    assert refused.value.message == ledger.NOT_ENOUGH_IN_BUDGET
    assert refused.value.account.pk == books.a_available
    assert nothing_written(books, before)


def test_ledger_post_many_refuses_a_batch_that_overdraws_on_the_way(books: Books) -> None:
    before = counts()
    # The net is fine (5,000 in, 3,000 out), but the commit comes before the money:
    # ledger_post would refuse it in this order, so the batch is refused too.
    early = [commit(books, 3_000), settle(books, 3_000), allocate(books, 5_000)]
    with pytest.raises(InsufficientFunds):
        ledger_post_many(actor=books.actor, postings=early)
    assert nothing_written(books, before)
    # Set aside and released again (net nothing) before there was any money: refused as well.
    with pytest.raises(InsufficientFunds):
        ledger_post_many(actor=books.actor, postings=[commit(books, 1_000), release(books, 1_000)])
    assert nothing_written(books, before)
    # The money first: posted.
    assert ledger_post_many(actor=books.actor, postings=[early[2], *early[:2]]) == 3
    assert books.balances() == {
        "funding": -5_000,
        "payable": 3_000,
        "a_available": 2_000,
        "a_held": 0,
        "b_available": 0,
    }
    assert ledger_verify() == []


def test_ledger_post_many_checks_against_what_is_already_in_the_accounts(books: Books) -> None:
    ledger_post_many(actor=books.actor, postings=[allocate(books, 4_000)])
    assert ledger_post_many(actor=books.actor, postings=[commit(books, 4_000), settle(books, 4_000)]) == 2
    with pytest.raises(InsufficientFunds):
        ledger_post_many(actor=books.actor, postings=[commit(books, 1), settle(books, 1)])
    assert books.balances() == {"funding": -4_000, "payable": 4_000, "a_available": 0, "a_held": 0, "b_available": 0}
    call_command("check_ledger")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_ledger_post_many_and_ledger_post_in_parallel_never_overspend(cast: Any) -> None:
    from marketplace.budgets import services

    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=10_000)
    available = ledger.account_budget_available(budget).pk
    held = ledger.account_budget_committed(budget).pk
    payable = ledger.account_provider_payable(cast.provider.pk).pk
    actor = system_actor()

    def spend(i: int) -> Any:
        # Odd callers commit £10 through ledger_post (budget_commit), even ones spend £10 through
        # the bulk path (set aside, then paid), on the same accounts at the same time.
        if i % 2:
            return services.budget_commit(
                actor=cast.person.user, budget=budget, amount_pence=1_000, reference=f"one-{i}",
                provider=cast.provider, idempotency_key=key(),
            )  # fmt: skip
        bulk = [
            Posting(Reason.COMMIT, [(available, -1_000), (held, 1_000)], budget.pk, f"bulk-{i}"),
            Posting(Reason.SETTLE, [(held, -1_000), (payable, 1_000)], budget.pk, f"bulk-{i}"),
        ]
        return ledger_post_many(actor=actor, postings=bulk)

    results = run_parallel(30, spend)
    succeeded = [r for r in results if isinstance(r, Commitment) or r == 2]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(succeeded) == 10 and len(refused) == 20  # no deadlock, no other error
    assert {r.message for r in refused} == {ledger.NOT_ENOUGH_IN_BUDGET}
    assert ledger.account_budget_available(budget).balance_pence == 0  # every penny once, never more
    held_by_bookings = sum(1_000 for r in succeeded if isinstance(r, Commitment))
    assert ledger.account_budget_committed(budget).balance_pence == held_by_bookings
    assert ledger.account_provider_payable(cast.provider.pk).balance_pence == 10_000 - held_by_bookings
    assert ledger_verify() == []
