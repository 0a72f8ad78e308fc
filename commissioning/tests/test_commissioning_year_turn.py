"""Dashboard months and budget years follow the UK clock: money paid at 00:30 BST on
1 April (23:30 UTC on 31 March) is April's, in the new budget year."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from accounts.services import system_actor
from commissioning.filters import Filters, period_parse
from commissioning.spend import spend_by_month
from conftest import Cast
from marketplace import ledger
from marketplace.budgets import services
from marketplace.tests.factories import key, make_budget, make_commitment


def test_spend_paid_just_after_midnight_on_1_april_is_in_the_new_budget_year(cast: Cast, time_machine: Any) -> None:
    time_machine.move_to(datetime(2027, 3, 1, 12, tzinfo=UTC))
    budget = make_budget(
        person=cast.person,
        funder=cast.council,
        allocated_pence=100_000,
        period_start=date(2026, 4, 1),
        period_end=date(2028, 3, 31),
    )
    for amount, paid_at in (
        (1_000, datetime(2027, 3, 31, 22, 30, tzinfo=UTC)),  # 23:30 BST, 31 March
        (2_000, datetime(2027, 3, 31, 23, 30, tzinfo=UTC)),  # 00:30 BST, 1 April
    ):
        commitment = make_commitment(budget=budget, provider=cast.provider, amount_pence=amount)
        with ledger.posting_time(paid_at):
            services.budget_settle(actor=system_actor(), commitment=commitment, idempotency_key=key())

    old_year = {m["month"]: m["spent_pence"] for m in spend_by_month(Filters(cast.council, period_parse("2026-27")))}
    new_year = {m["month"]: m["spent_pence"] for m in spend_by_month(Filters(cast.council, period_parse("2027-28")))}
    assert old_year[date(2027, 3, 1)] == 1_000
    assert new_year[date(2027, 4, 1)] == 2_000
    assert sum(old_year.values()) + sum(new_year.values()) == 3_000


def test_default_dashboard_period_turns_at_uk_midnight_on_1_april(time_machine: Any) -> None:
    time_machine.move_to(datetime(2027, 3, 31, 22, 59, tzinfo=UTC))  # 23:59 BST, 31 March
    assert period_parse("").label == "2026-27"
    time_machine.move_to(datetime(2027, 3, 31, 23, 1, tzinfo=UTC))  # 00:01 BST, 1 April
    assert period_parse("").label == "2027-28"
