"""A table of refused operations: each gives a clear domain error and writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from accounts.tests import factories as af
from carehub.errors import DomainError
from marketplace.budgets import services, topups
from marketplace.ledger import NOT_ENOUGH_IN_BUDGET
from marketplace.models import Account, Commitment, Entry, IdempotencyRecord, LedgerTransaction
from marketplace.payouts import services as payouts
from marketplace.tests.factories import key, make_budget, make_commitment

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(cast: Any) -> dict[str, Any]:
    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=10_000)
    settled = make_commitment(budget=budget, provider=cast.provider, amount_pence=1_000, reference="paid")
    services.budget_settle(actor=cast.person.user, commitment=settled, idempotency_key=key())
    services.budget_commit(
        actor=cast.person.user, budget=budget, amount_pence=500, reference="held", provider=cast.provider,
        idempotency_key="used-key",
    )  # fmt: skip
    no_scope_carer = af.make_user()
    af.make_carer_link(
        carer=no_scope_carer, person=cast.person, can_view=False, can_book=False, can_manage_budget=False
    )
    return {
        "cast": cast,
        "budget": budget,
        "settled": Commitment.objects.get(pk=settled.pk),
        "self_funded": make_budget(person=cast.person),
        "no_scope_carer": no_scope_carer,
        "viewer": cast.commissioner,
        "manager": af.make_commissioner(council=cast.council, role="manager"),
        "other_manager": af.make_commissioner(council=cast.other_council, role="manager"),
    }


def commit(w: dict[str, Any], *, actor: str = "person", amount: Any = 100, **extra: Any) -> Callable[[], Any]:
    cast = w["cast"]
    users = {
        "person": cast.person.user, "carer": cast.carer, "outsider": cast.outsider,
        "other_person": cast.other_person.user, "provider_owner": cast.provider_owner,
        "provider_staff": cast.provider_staff, "commissioner": cast.commissioner, "no_scope_carer": w["no_scope_carer"],
    }  # fmt: skip
    params = {"reference": f"r-{actor}-{amount}", "idempotency_key": key(), **extra}
    return lambda: services.budget_commit(
        actor=users[actor], budget=w["budget"], amount_pence=amount, provider=cast.provider, **params
    )


def allocate(w: dict[str, Any], *, actor: str = "manager", budget: str = "budget", amount: Any = 100, **extra: Any):  # noqa: ANN201
    return lambda: services.budget_allocate(
        actor=w[actor], budget=w[budget], amount_pence=amount, idempotency_key=key(), **extra
    )


def after_period(w: dict[str, Any]) -> date:
    return w["budget"].period_end + timedelta(days=1)


CASES: list[tuple[str, Callable[[dict[str, Any]], Callable[[], Any]], int, str]] = [
    ("zero", lambda w: commit(w, amount=0), 400, "more than 0 pence"),
    ("negative", lambda w: commit(w, amount=-500), 400, "more than 0 pence"),
    ("decimal pence (float)", lambda w: commit(w, amount=12.5), 400, "whole pence"),
    ("decimal pence (Decimal)", lambda w: commit(w, amount=Decimal("12.50")), 400, "whole pence"),
    ("pence as text", lambda w: commit(w, amount="1250"), 400, "whole pence"),
    ("boolean", lambda w: commit(w, amount=True), 400, "whole pence"),
    ("absurd", lambda w: commit(w, amount=10**12), 400, "too large"),
    ("more than is left", lambda w: commit(w, amount=8_501), 409, NOT_ENOUGH_IN_BUDGET),
    ("empty reference", lambda w: commit(w, reference="  "), 400, "booking reference"),
    (
        "care planned outside the period",
        lambda w: commit(w, due_on=w["budget"].period_end + timedelta(days=1)),
        400,
        "within the budget period",
    ),
    ("reference already held", lambda w: commit(w, reference="held"), 409, "already set aside"),
    (
        "same key, other parameters",
        lambda w: commit(w, idempotency_key="used-key", amount=501),
        422,
        "different request",
    ),
    ("missing idempotency key", lambda w: commit(w, idempotency_key=""), 400, "idempotency key"),
    ("another person's budget", lambda w: commit(w, actor="other_person"), 403, "permission"),
    ("outsider", lambda w: commit(w, actor="outsider"), 403, "permission"),
    ("provider owner", lambda w: commit(w, actor="provider_owner"), 403, "permission"),
    ("provider staff", lambda w: commit(w, actor="provider_staff"), 403, "permission"),
    ("commissioner", lambda w: commit(w, actor="commissioner"), 403, "permission"),
    ("carer without scope", lambda w: commit(w, actor="no_scope_carer"), 403, "permission"),
    (
        "allocation outside the period",
        lambda w: allocate(w, effective_on=after_period(w)),
        400,
        "within the budget period",
    ),
    ("allocation by a viewing commissioner", lambda w: allocate(w, actor="viewer"), 403, "funding council"),
    ("allocation by another council", lambda w: allocate(w, actor="other_manager"), 403, "funding council"),
    ("allocation to a self-funded budget", lambda w: allocate(w, budget="self_funded"), 403, "funding council"),
    ("allocation of zero", lambda w: allocate(w, amount=0), 400, "more than 0"),
    (
        "refund more than paid",
        lambda w: (
            lambda: services.budget_refund(
                actor=w["cast"].provider_owner, commitment=w["settled"], amount_pence=1_001, idempotency_key=key()
            )
        ),
        400,
        "more than was paid",
    ),  # fmt: skip
    (
        "refund by another provider's member",
        lambda w: (
            lambda: services.budget_refund(
                actor=af.make_provider_member(provider=w["cast"].other_provider),
                commitment=w["settled"],
                amount_pence=10,
                idempotency_key=key(),
            )
        ),
        403,
        "Only the provider",
    ),  # fmt: skip
    (
        "settle twice",
        lambda w: (
            lambda: services.budget_settle(actor=w["cast"].person.user, commitment=w["settled"], idempotency_key=key())
        ),
        409,
        "already been released or paid",
    ),  # fmt: skip
    (
        "top-up of a council budget",
        lambda w: (
            lambda: topups.budget_topup(
                actor=w["cast"].person.user, budget=w["budget"], amount_pence=100, idempotency_key=key()
            )
        ),
        400,
        "self-funded",
    ),  # fmt: skip
    (
        "top-up by an outsider",
        lambda w: (
            lambda: topups.budget_topup(
                actor=w["cast"].outsider, budget=w["self_funded"], amount_pence=100, idempotency_key=key()
            )
        ),
        403,
        "permission",
    ),  # fmt: skip
    (
        "payout batch by a provider",
        lambda w: lambda: payouts.payout_batch_create(actor=w["cast"].provider_owner, idempotency_key=key()),
        403,
        "finance",
    ),  # fmt: skip
]


def snapshot() -> tuple[Any, ...]:
    return (
        LedgerTransaction.objects.count(),
        Entry.objects.count(),
        Commitment.objects.count(),
        IdempotencyRecord.objects.count(),
        sorted(Account.objects.values_list("pk", "balance_pence")),
    )


@pytest.mark.parametrize(("name", "make_call", "status", "message"), CASES, ids=[c[0] for c in CASES])
def test_budget_operation_refused_writes_nothing(
    world: dict[str, Any], name: str, make_call: Any, status: int, message: str
) -> None:
    call = make_call(world)
    before = snapshot()
    with pytest.raises(DomainError) as exc:
        call()
    assert exc.value.status_code == status
    assert message in exc.value.message
    assert snapshot() == before


def test_budget_topup_declined_moves_no_money(cast: Any, fake_gateway: Any) -> None:
    budget = make_budget(person=cast.person)
    fake_gateway.decline_with = "Card expired"
    ledger_before = (
        LedgerTransaction.objects.count(),
        Entry.objects.count(),
        sorted(Account.objects.values_list("balance_pence")),
    )
    with pytest.raises(topups.PaymentDeclined, match="Card expired. No money was taken") as exc:
        topups.budget_topup(actor=cast.person.user, budget=budget, amount_pence=1_000, idempotency_key="d-1")
    assert exc.value.status_code == 400
    assert (
        LedgerTransaction.objects.count(),
        Entry.objects.count(),
        sorted(Account.objects.values_list("balance_pence")),
    ) == ledger_before
    # The declined attempt is kept (status declined) and a retry with the same key gives the same answer, no new charge.
    with pytest.raises(topups.PaymentDeclined):
        topups.budget_topup(actor=cast.person.user, budget=budget, amount_pence=1_000, idempotency_key="d-1")
    assert len(fake_gateway.charges) == 1
