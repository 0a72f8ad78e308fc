"""Builders for marketplace tests: make_<thing>(**overrides)."""

from __future__ import annotations

import itertools
import uuid
from datetime import date, timedelta
from typing import Any

from accounts.models import PersonProfile, User
from accounts.services import system_actor
from carehub import clock
from directory.models import Council, Provider
from marketplace.budgets import services
from marketplace.models import Budget, Commitment

_seq = itertools.count(1)


def budget_period(today: date | None = None) -> tuple[date, date]:
    """From the start of this budget year to the end of the one 13 weeks ahead.

    Bookings and plans made "tomorrow" or "in three weeks" stay inside it on any
    date, 31 March included, while each end is still a real 1 April / 31 March.
    """
    today = today or clock.today()
    return clock.budget_year(today)[0], clock.budget_year(today + timedelta(weeks=13))[1]


def key() -> str:
    return str(uuid.uuid4())


def make_budget(
    *,
    person: PersonProfile,
    funder: Council | None = None,
    allocated_pence: int = 0,
    kind: str | None = None,
    **overrides: Any,
) -> Budget:
    """A budget opened and (optionally) funded through the services, so the ledger stays sound."""
    actor = system_actor()
    kind = kind or (Budget.Kind.DIRECT_PAYMENT if funder else Budget.Kind.SELF_FUNDED)
    start, end = budget_period()
    fields = {"period_start": start, "period_end": end, **overrides}
    budget = services.budget_create(actor=actor, person=person, kind=kind, funder=funder, **fields)
    if allocated_pence:
        services.budget_allocate(
            actor=actor,
            budget=budget,
            amount_pence=allocated_pence,
            idempotency_key=key(),
            effective_on=fields["period_start"],
        )
    return budget


def make_commitment(
    *, budget: Budget, provider: Provider, amount_pence: int, actor: User | None = None, **extra: Any
) -> Commitment:
    return services.budget_commit(
        actor=actor or system_actor(),
        budget=budget,
        amount_pence=amount_pence,
        reference=extra.pop("reference", f"booking-{next(_seq)}"),
        provider=provider,
        idempotency_key=extra.pop("idempotency_key", key()),
        **extra,
    )
