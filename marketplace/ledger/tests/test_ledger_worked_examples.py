"""Worked examples: allocate → commit → release/settle → payout → refund, every balance asserted."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from accounts.services import system_actor
from accounts.tests import factories as af
from carehub.errors import Conflict
from marketplace import ledger
from marketplace.budgets import selectors, services, topups
from marketplace.ledger import ledger_verify
from marketplace.models import Account, Commitment, Entry, LedgerTransaction, Payout, TopUp
from marketplace.payouts import services as payouts
from marketplace.tests.factories import budget_period, key, make_budget, make_commitment

pytestmark = pytest.mark.django_db


def balances(budget: Any, provider: Any) -> dict[str, int]:
    return {
        "available": ledger.account_budget_available(budget).balance_pence,
        "committed": ledger.account_budget_committed(budget).balance_pence,
        "spent": selectors.budget_spent_pence(budget=budget),
        "council": ledger.account_council_funding(budget.funder_id).balance_pence if budget.funder_id else 0,
        "payable": ledger.account_provider_payable(provider.pk).balance_pence,
        "fees": ledger.account_platform_fees().balance_pence,
        "clearing": ledger.account_payouts_clearing().balance_pence,
        "paid": ledger.account_provider_paid(provider.pk).balance_pence,
    }


@override_settings(CAREHUB_PLATFORM_FEE_PERCENT="5")
def test_budget_full_life_cycle_every_balance(cast: Any, finance: Any) -> None:
    manager = af.make_commissioner(council=cast.council, role="manager")
    period_start, period_end = budget_period()
    budget = services.budget_create(
        actor=manager,
        person=cast.person,
        kind="direct_payment",
        funder=cast.council,
        period_start=period_start,
        period_end=period_end,
    )
    services.budget_allocate(
        actor=manager, budget=budget, amount_pence=100_000, idempotency_key=key(), effective_on=period_start
    )
    assert balances(budget, cast.provider) == {
        "available": 100_000, "committed": 0, "spent": 0, "council": -100_000,
        "payable": 0, "fees": 0, "clearing": 0, "paid": 0,
    }  # fmt: skip

    booking_a = services.budget_commit(
        actor=cast.person.user, budget=budget, amount_pence=30_000, reference="A", provider=cast.provider,
        idempotency_key=key(),
    )  # fmt: skip
    booking_b = services.budget_commit(
        actor=cast.carer, budget=budget, amount_pence=20_000, reference="B", provider=cast.provider,
        idempotency_key=key(),
    )  # fmt: skip
    assert balances(budget, cast.provider)["available"] == 50_000
    assert balances(budget, cast.provider)["committed"] == 50_000

    services.budget_release(actor=cast.provider_staff, commitment=booking_b, idempotency_key=key())
    assert balances(budget, cast.provider)["available"] == 70_000
    assert balances(budget, cast.provider)["committed"] == 30_000
    with pytest.raises(Conflict):
        services.budget_release(actor=cast.person.user, commitment=booking_b, idempotency_key=key())

    services.budget_settle(actor=cast.person.user, commitment=booking_a, idempotency_key=key())
    assert balances(budget, cast.provider) == {
        "available": 70_000, "committed": 0, "spent": 30_000, "council": -100_000,
        "payable": 28_500, "fees": 1_500, "clearing": 0, "paid": 0,
    }  # fmt: skip

    batch = payouts.payout_batch_create(actor=finance, idempotency_key=key())
    payout = batch.payouts.get()
    assert payout.amount_pence == 28_500
    assert f"{payout.code},{cast.provider.code},Kelvin Companions,28500,285.00" in batch.remittance_csv
    assert balances(budget, cast.provider)["payable"] == 0
    assert balances(budget, cast.provider)["clearing"] == 28_500
    # A second batch finds nothing to pay: the money is already in clearing.
    assert payouts.payout_batch_create(actor=finance, idempotency_key=key()).payouts.count() == 0

    payouts.payout_mark_paid(actor=finance, payout=payout, idempotency_key=key())
    with pytest.raises(Conflict):
        payouts.payout_mark_paid(actor=finance, payout=payout, idempotency_key=key())
    assert balances(budget, cast.provider)["clearing"] == 0
    assert balances(budget, cast.provider)["paid"] == 28_500

    # The provider refunds a third after paying out: the person gets all of it back,
    # the fee on that part is returned, and the provider's payable goes negative (netted next time).
    services.budget_refund(actor=cast.provider_owner, commitment=booking_a, amount_pence=10_000, idempotency_key=key())
    assert balances(budget, cast.provider) == {
        "available": 80_000, "committed": 0, "spent": 20_000, "council": -100_000,
        "payable": -9_500, "fees": 1_000, "clearing": 0, "paid": 28_500,
    }  # fmt: skip
    assert ledger_verify() == []
    call_command("check_ledger")


@override_settings(CAREHUB_PLATFORM_FEE_PERCENT="5")
def test_budget_settle_partial_releases_the_rest_and_takes_fee_from_provider(cast: Any) -> None:
    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=10_000)
    commitment = make_commitment(budget=budget, provider=cast.provider, amount_pence=10_000)
    settled = services.budget_settle(actor=cast.carer, commitment=commitment, amount_pence=6_001, idempotency_key=key())
    assert (settled.status, settled.settled_pence, settled.fee_pence) == (Commitment.Status.SETTLED, 6_001, 300)
    b = balances(budget, cast.provider)
    assert (b["available"], b["committed"], b["spent"], b["payable"], b["fees"]) == (3_999, 0, 6_001, 5_701, 300)
    assert ledger_verify() == []


def test_payout_failed_returns_money_to_payable_and_next_batch_pays_it(cast: Any, finance: Any) -> None:
    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=10_000)
    commitment = make_commitment(budget=budget, provider=cast.provider, amount_pence=4_000)
    services.budget_settle(actor=cast.person.user, commitment=commitment, idempotency_key=key())
    payable = ledger.account_provider_payable(cast.provider.pk).balance_pence
    payout = payouts.payout_batch_create(actor=finance, idempotency_key=key()).payouts.get()
    failed = payouts.payout_mark_failed(actor=finance, payout=payout, reason="Account closed", idempotency_key=key())
    assert failed.status == Payout.Status.FAILED
    assert ledger.account_provider_payable(cast.provider.pk).balance_pence == payable
    assert ledger.account_payouts_clearing().balance_pence == 0
    with pytest.raises(Conflict):
        payouts.payout_mark_paid(actor=finance, payout=payout, idempotency_key=key())
    again = payouts.payout_batch_create(actor=finance, idempotency_key=key()).payouts.get()
    assert again.amount_pence == payable
    assert ledger_verify() == []


def test_budget_topup_goes_through_gateway_outside_a_transaction(cast: Any, fake_gateway: Any) -> None:
    budget = make_budget(person=cast.person)
    topup = topups.budget_topup(actor=cast.person.user, budget=budget, amount_pence=2_500, idempotency_key="t-1")
    assert topup.status == TopUp.Status.SUCCEEDED
    assert ledger.account_budget_available(budget).balance_pence == 2_500
    assert ledger.account_topup_receipts().balance_pence == -2_500
    # Same key again: the first result, no second charge, no money moved.
    again = topups.budget_topup(actor=cast.person.user, budget=budget, amount_pence=2_500, idempotency_key="t-1")
    assert again.pk == topup.pk
    assert len(fake_gateway.charges) == 1
    assert ledger.account_budget_available(budget).balance_pence == 2_500
    assert ledger_verify() == []


def test_ledger_reverse_posts_a_mirror_and_keeps_the_original(cast: Any) -> None:
    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=5_000)
    original = LedgerTransaction.objects.get(budget=budget, reason="allocation")
    correction = ledger.ledger_reverse(actor=system_actor(), original=original)
    assert ledger.account_budget_available(budget).balance_pence == 0
    assert sorted(correction.entries.values_list("amount_pence", flat=True)) == [-5_000, 5_000]
    assert LedgerTransaction.objects.filter(pk=original.pk).exists()


def test_ledger_post_refuses_unbalanced_entries_and_writes_nothing(cast: Any) -> None:
    budget = make_budget(person=cast.person, funder=cast.council)
    available = ledger.account_budget_available(budget)
    funding = ledger.account_council_funding(cast.council.pk)
    before = Entry.objects.count()
    for entries in ([(available, 100), (funding, -99)], [(available, 100)], [(available, 1.5), (funding, -1.5)]):
        with pytest.raises(ledger.UnbalancedPosting):
            ledger.ledger_post(reason="allocation", actor=system_actor(), entries=entries)
    assert Entry.objects.count() == before
    assert Account.objects.get(pk=available.pk).balance_pence == 0


def test_ledger_rows_are_append_only(cast: Any) -> None:
    make_budget(person=cast.person, funder=cast.council, allocated_pence=5_000)
    txn = LedgerTransaction.objects.first()
    with pytest.raises(Exception, match="append-only"):
        Entry.objects.all().update(amount_pence=1)
    with pytest.raises(Exception, match="append-only"):
        txn.delete()
    txn.memo = "changed"
    with pytest.raises(Exception, match="append-only"):
        txn.save()


def test_check_ledger_exits_non_zero_when_a_cached_balance_differs(cast: Any) -> None:
    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=5_000)
    Account.objects.filter(budget=budget, kind="budget_available").update(balance_pence=4_999)
    err = io.StringIO()
    # From the command line a CommandError exits with status 1.
    with pytest.raises(CommandError, match="1 problem"):
        call_command("check_ledger", stderr=err)
    assert "caches 4999, entries sum to 5000" in err.getvalue()


def test_payout_batch_command_writes_the_remittance(cast: Any, tmp_path: Any) -> None:
    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=10_000)
    commitment = make_commitment(budget=budget, provider=cast.provider, amount_pence=2_000)
    services.budget_settle(actor=cast.person.user, commitment=commitment, idempotency_key=key())
    out = tmp_path / "remittance.csv"
    call_command("payout_batch", output=out, stderr=io.StringIO())
    lines = out.read_text().splitlines()
    assert lines[0].startswith("payout_reference,provider_code,provider_name,amount_pence,amount_gbp")
    assert ",Kelvin Companions,1900,19.00," in lines[1]
    assert Payout.objects.get().status == Payout.Status.PENDING
