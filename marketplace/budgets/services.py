"""Writes for budgets and money. Every service that moves money is atomic,
takes an idempotency key, posts through ledger.ledger_post and records an
audit event. See marketplace/ledger.py for the ledger's design."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F

from accounts.models import PersonProfile, User
from accounts.permissions import Action, can, is_platform_finance
from accounts.services import audit_record
from carehub import clock
from carehub.errors import Conflict, DomainError, NotPermitted
from carehub.money import format_pence
from directory.models import Category, Council, Provider
from marketplace import ledger
from marketplace.budgets.alerts import budget_alerts_after_spend
from marketplace.ledger.idempotency import idempotent_run
from marketplace.models import (
    Account,
    Budget,
    Commitment,
    LedgerTransaction,
)

MAX_REFERENCE_LENGTH = 100
MAX_REASON_LENGTH = 200
COUNCIL_KINDS = (Budget.Kind.COUNCIL_MANAGED, Budget.Kind.DIRECT_PAYMENT, Budget.Kind.INDIVIDUAL_SERVICE_FUND)


def platform_fee(amount_pence: int) -> int:
    """The platform's share of a settled amount, rounded half up to a penny.
    Taken from the provider's side: the person pays the price, never more."""
    percent = Decimal(str(settings.CAREHUB_PLATFORM_FEE_PERCENT))
    if not Decimal(0) <= percent < Decimal(100):
        raise DomainError("CAREHUB_PLATFORM_FEE_PERCENT must be at least 0 and below 100.")
    return int((Decimal(amount_pence) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _require_person_side(actor: User, budget: Budget) -> None:
    allowed = can(actor, Action.PERSON_MANAGE_BUDGET, budget) or can(actor, Action.PERSON_BOOK, budget)
    if not (allowed or is_platform_finance(actor)):
        raise NotPermitted("You do not have permission to use this budget.")


# --- Budgets -------------------------------------------------------------------------------------


@transaction.atomic
def budget_create(
    *,
    actor: User,
    person: PersonProfile,
    kind: str,
    period_start: date,
    period_end: date,
    funder: Council | None = None,
    name: str = "",
) -> Budget:
    """Open a budget for a person. Council budgets are opened by the council's
    managers; a self-funded budget by the person or a carer managing money."""
    if kind not in Budget.Kind.values:
        raise DomainError("Choose a kind of budget.", field="kind")
    if kind == Budget.Kind.SELF_FUNDED:
        if funder is not None:
            raise DomainError("A self-funded budget has no funding council.", field="funder")
        if not (can(actor, Action.PERSON_MANAGE_BUDGET, person) or is_platform_finance(actor)):
            raise NotPermitted("You do not have permission to manage this person's money.")
    else:
        if funder is None:
            raise DomainError("Choose the council that funds this budget.", field="funder")
        if not (can(actor, Action.COUNCIL_MANAGE, funder) or is_platform_finance(actor)):
            raise NotPermitted("Only the funding council can open this budget.")
    if period_end < period_start:
        raise DomainError("The end of the period must be on or after its start.", field="period_end")
    budget = Budget.objects.create(
        person=person, funder=funder, kind=kind, period_start=period_start, period_end=period_end, name=name.strip()
    )
    ledger.account_budget_available(budget)
    ledger.account_budget_committed(budget)
    audit_record(actor=actor, action="budget.create", obj=budget, kind=kind)
    return budget


@transaction.atomic
def budget_allocate(
    *,
    actor: User,
    budget: Budget,
    amount_pence: int,
    idempotency_key: str,
    effective_on: date | None = None,
    memo: str = "",
) -> LedgerTransaction:
    """Council funding → the budget's available balance."""
    if not (can(actor, Action.COUNCIL_MANAGE, budget) or is_platform_finance(actor)):
        raise NotPermitted("Only the funding council can allocate money to this budget.")
    if budget.kind == Budget.Kind.SELF_FUNDED:
        raise DomainError("A self-funded budget is paid into with a top-up, not an allocation.")
    ledger.check_amount(amount_pence)
    effective_on = effective_on or clock.today()
    if not budget.period_start <= effective_on <= budget.period_end:
        raise DomainError(
            f"The allocation date must be within the budget period "
            f"({budget.period_start:%-d %B %Y} to {budget.period_end:%-d %B %Y}).",
            field="effective_on",
        )

    def run() -> LedgerTransaction:
        assert budget.funder_id is not None
        txn = ledger.ledger_post(
            reason=LedgerTransaction.Reason.ALLOCATION,
            actor=actor,
            budget=budget,
            memo=memo or f"Allocation from {budget.funder} for {effective_on:%-d %B %Y}",
            entries=[
                (ledger.account_council_funding(budget.funder_id), -amount_pence),
                (ledger.account_budget_available(budget), amount_pence),
            ],
        )
        audit_record(
            actor=actor, action="budget.allocate", obj=budget, amount_pence=amount_pence, txn=str(txn.code), memo=memo
        )
        return txn

    params = {"budget": str(budget.code), "amount_pence": amount_pence, "effective_on": effective_on, "memo": memo}
    return idempotent_run(actor=actor, key=idempotency_key, operation="budget_allocate", params=params, run=run)[0]


def _require_council_manager(actor: User, budget: Budget) -> None:
    if not (can(actor, Action.COUNCIL_MANAGE, budget) or is_platform_finance(actor)):
        raise NotPermitted("Only the funding council's care managers can change this budget.")
    if budget.kind == Budget.Kind.SELF_FUNDED:
        raise DomainError("A self-funded budget is the person's own money: the council cannot change it.")


def _clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise DomainError("Say why the budget is changing.", field="reason")
    if len(reason) > MAX_REASON_LENGTH:
        raise DomainError(f"Keep the reason to {MAX_REASON_LENGTH} characters or fewer.", field="reason")
    return reason


@transaction.atomic
def budget_setup(
    *,
    actor: User,
    person: PersonProfile,
    funder: Council,
    kind: str,
    period_start: date,
    period_end: date,
    idempotency_key: str,
    council_reference: str = "",
    name: str = "",
    amount_pence: int | None = None,
) -> Budget:
    """A council care manager sets up a person's budget from the council's pages: opens it
    and, when `amount_pence` is given, allocates that much for its period.

    Once per idempotency key (the form's hidden key), so a double-submitted form opens one
    budget and allocates once. Refuses a second budget of the same kind from the same
    council for an overlapping period: which of the two would pay for care is unclear.
    """
    if not (can(actor, Action.COUNCIL_MANAGE, funder) or is_platform_finance(actor)):
        raise NotPermitted("Only the council's care managers can set up its budgets.")
    if kind not in COUNCIL_KINDS:
        raise DomainError("Choose the kind of council budget.", field="kind")
    council_reference = " ".join((council_reference or "").split())
    if len(council_reference) > 40:
        raise DomainError("Keep the council's reference to 40 characters or fewer.", field="council_reference")
    if amount_pence is not None:
        ledger.check_amount(amount_pence)

    def run() -> Budget:
        overlapping = Budget.objects.filter(
            person=person, funder=funder, kind=kind, period_start__lte=period_end, period_end__gte=period_start
        ).first()
        if overlapping is not None:
            raise Conflict(
                f"{person.display_name} already has a {overlapping.get_kind_display().lower()} from {funder.name} "
                f"for {overlapping.period_start:%-d %B %Y} to {overlapping.period_end:%-d %B %Y}. "
                "Change that budget instead.",
                field="period_start",
            )
        budget = budget_create(
            actor=actor,
            person=person,
            kind=kind,
            period_start=period_start,
            period_end=period_end,
            funder=funder,
            name=name,
        )
        if council_reference:
            Budget.objects.filter(pk=budget.pk).update(council_reference=council_reference)
            budget.council_reference = council_reference
        if amount_pence:
            # Dated today, or the first day of a budget set up ahead of its period.
            effective_on = min(max(clock.today(), period_start), period_end)
            budget_allocate(
                actor=actor,
                budget=budget,
                amount_pence=amount_pence,
                idempotency_key=f"budget-{budget.code}-opening",
                effective_on=effective_on,
            )
        audit_record(
            actor=actor,
            action="budget.setup",
            obj=budget,
            council_reference=council_reference,
            amount_pence=amount_pence,
        )
        return budget

    params = {
        "person": str(person.code),
        "funder": funder.pk,
        "kind": kind,
        "period_start": period_start,
        "period_end": period_end,
        "council_reference": council_reference,
        "name": name,
        "amount_pence": amount_pence,
    }
    return idempotent_run(actor=actor, key=idempotency_key, operation="budget_setup", params=params, run=run)[0]


@transaction.atomic
def budget_reduce(
    *, actor: User, budget: Budget, amount_pence: int, reason: str, idempotency_key: str
) -> LedgerTransaction:
    """The council takes back part of a budget's funding: available → council funding.

    Only money still available can go back: the conditional UPDATE in ledger_post refuses to take
    the available balance below zero (money set aside for booked care or already spent stays),
    under parallel requests too, and the refusal says how much could be taken back."""
    _require_council_manager(actor, budget)
    ledger.check_amount(amount_pence)
    reason = _clean_reason(reason)

    def run() -> LedgerTransaction:
        assert budget.funder_id is not None
        available = ledger.account_budget_available(budget)
        try:
            txn = ledger.ledger_post(
                reason=LedgerTransaction.Reason.REDUCTION,
                actor=actor,
                budget=budget,
                memo=f"Reduced by {budget.funder}: {reason}",
                entries=[(available, -amount_pence), (ledger.account_council_funding(budget.funder_id), amount_pence)],
            )
        except ledger.InsufficientFunds as exc:
            left = Account.objects.values_list("balance_pence", flat=True).get(pk=available.pk)
            raise ledger.InsufficientFunds(
                f"You can reduce this budget by at most {format_pence(left)}, the money still available. "
                "Money set aside for booked care or already spent cannot be taken back.",
                account=exc.account,
            ) from exc
        audit_record(
            actor=actor, action="budget.reduce", obj=budget, amount_pence=amount_pence, reason=reason, txn=str(txn.code)
        )
        return txn

    params = {"budget": str(budget.code), "amount_pence": amount_pence, "reason": reason}
    return idempotent_run(actor=actor, key=idempotency_key, operation="budget_reduce", params=params, run=run)[0]


class Adjustment(StrEnum):
    INCREASE = "increase"
    REDUCE = "reduce"


@transaction.atomic
def budget_adjust(
    *, actor: User, budget: Budget, direction: str, amount_pence: int, reason: str, idempotency_key: str
) -> LedgerTransaction:
    """Change a council budget's funding, with a reason: an increase is a further allocation
    (dated today), a reduction is `budget_reduce`. Both are audited with the reason."""
    _require_council_manager(actor, budget)
    reason = _clean_reason(reason)
    if direction == Adjustment.INCREASE:
        effective_on = min(max(clock.today(), budget.period_start), budget.period_end)
        return budget_allocate(
            actor=actor,
            budget=budget,
            amount_pence=amount_pence,
            idempotency_key=idempotency_key,
            effective_on=effective_on,
            memo=f"Increased by {budget.funder}: {reason}"[:255],
        )
    if direction == Adjustment.REDUCE:
        return budget_reduce(
            actor=actor, budget=budget, amount_pence=amount_pence, reason=reason, idempotency_key=idempotency_key
        )
    raise DomainError("Choose whether to increase or reduce the budget.", field="direction")


@transaction.atomic
def budget_commit(
    *,
    actor: User,
    budget: Budget,
    amount_pence: int,
    reference: str,
    provider: Provider,
    idempotency_key: str,
    description: str = "",
    category: Category | None = None,
    due_on: date | None = None,
) -> Commitment:
    """Hold money from the budget for a booking (`reference`, e.g. the booking code).

    Never overspends under parallel requests: the hold is a conditional UPDATE
    on the available balance (see ledger.py). Raises InsufficientFunds with
    "There is not enough left in this budget".
    """
    _require_person_side(actor, budget)
    ledger.check_amount(amount_pence)
    reference = (reference or "").strip()
    if not reference or len(reference) > MAX_REFERENCE_LENGTH:
        raise DomainError(f"Give a booking reference of 1 to {MAX_REFERENCE_LENGTH} characters.", field="reference")
    if due_on is not None and not budget.period_start <= due_on <= budget.period_end:
        raise DomainError("The care must be planned within the budget period.", field="due_on")

    def run() -> Commitment:
        try:
            with transaction.atomic():
                commitment = Commitment.objects.create(
                    budget=budget,
                    provider=provider,
                    category=category,
                    reference=reference,
                    description=description[:255],
                    due_on=due_on,
                    amount_pence=amount_pence,
                    created_at=ledger.ledger_now(),
                )
        except IntegrityError as exc:
            raise Conflict("Money is already set aside for this booking.", field="reference") from exc
        available_before = ledger.account_budget_available(budget)
        ledger.ledger_post(
            reason=LedgerTransaction.Reason.COMMIT,
            actor=actor,
            budget=budget,
            reference=reference,
            memo=description or f"Set aside for {provider.name}",
            entries=[(available_before, -amount_pence), (ledger.account_budget_committed(budget), amount_pence)],
        )
        audit_record(actor=actor, action="budget.commit", obj=commitment, amount_pence=amount_pence)
        budget_alerts_after_spend(budget=budget, amount_pence=amount_pence)
        return commitment

    params = {
        "budget": str(budget.code),
        "amount_pence": amount_pence,
        "reference": reference,
        "provider": str(provider.code),
        "due_on": due_on,
        "category": category.pk if category else None,
        "description": description,
    }
    return idempotent_run(actor=actor, key=idempotency_key, operation="budget_commit", params=params, run=run)[0]


@transaction.atomic
def budget_release(*, actor: User, commitment: Commitment, idempotency_key: str, memo: str = "") -> Commitment:
    """Give held money back to the budget (booking declined or cancelled)."""
    budget = commitment.budget
    if not can(actor, Action.PROVIDER_MANAGE, commitment):
        _require_person_side(actor, budget)

    def run() -> Commitment:
        # The conditional update is the guard: two releases (or a release and a settle) cannot both win.
        if (
            Commitment.objects.filter(pk=commitment.pk, status=Commitment.Status.HELD).update(
                status=Commitment.Status.RELEASED
            )
            != 1
        ):
            raise Conflict("This money has already been released or paid.")
        ledger.ledger_post(
            reason=LedgerTransaction.Reason.RELEASE,
            actor=actor,
            budget=budget,
            reference=commitment.reference,
            memo=memo or "Booking cancelled: money returned to the budget",
            entries=[
                (ledger.account_budget_committed(budget), -commitment.amount_pence),
                (ledger.account_budget_available(budget), commitment.amount_pence),
            ],
        )
        audit_record(actor=actor, action="budget.release", obj=commitment, amount_pence=commitment.amount_pence)
        commitment.refresh_from_db()
        return commitment

    params = {"commitment": str(commitment.code), "memo": memo}
    return idempotent_run(actor=actor, key=idempotency_key, operation="budget_release", params=params, run=run)[0]


@transaction.atomic
def budget_settle(
    *, actor: User, commitment: Commitment, idempotency_key: str, amount_pence: int | None = None
) -> Commitment:
    """Care delivered and confirmed: held money → the provider's payable
    balance, less the platform fee → fee income. A smaller delivered amount
    settles that and releases the rest to the budget."""
    budget = commitment.budget
    _require_person_side(actor, budget)
    amount = commitment.amount_pence if amount_pence is None else ledger.check_amount(amount_pence)
    if amount > commitment.amount_pence:
        raise DomainError("You cannot pay more than the money set aside for this booking.", field="amount_pence")
    fee = platform_fee(amount)

    def run() -> Commitment:
        now = ledger.ledger_now()
        if (
            Commitment.objects.filter(pk=commitment.pk, status=Commitment.Status.HELD).update(
                status=Commitment.Status.SETTLED, settled_pence=amount, fee_pence=fee, settled_at=now
            )
            != 1
        ):
            raise Conflict("This money has already been released or paid.")
        committed = ledger.account_budget_committed(budget)
        remainder = commitment.amount_pence - amount
        if remainder:
            ledger.ledger_post(
                reason=LedgerTransaction.Reason.RELEASE,
                actor=actor,
                budget=budget,
                reference=commitment.reference,
                memo="Unused part of the booking returned to the budget",
                entries=[(committed, -remainder), (ledger.account_budget_available(budget), remainder)],
            )
        entries = [(committed, -amount), (ledger.account_provider_payable(commitment.provider_id), amount - fee)]
        if fee:
            entries.append((ledger.account_platform_fees(), fee))
        ledger.ledger_post(
            reason=LedgerTransaction.Reason.SETTLE,
            actor=actor,
            budget=budget,
            reference=commitment.reference,
            memo=commitment.description or f"Care from {commitment.provider.name}",
            entries=entries,
        )
        audit_record(actor=actor, action="budget.settle", obj=commitment, amount_pence=amount, fee_pence=fee)
        commitment.refresh_from_db()
        return commitment

    params = {"commitment": str(commitment.code), "amount_pence": amount}
    return idempotent_run(actor=actor, key=idempotency_key, operation="budget_settle", params=params, run=run)[0]


@transaction.atomic
def budget_refund(
    *, actor: User, commitment: Commitment, amount_pence: int, idempotency_key: str, memo: str = ""
) -> LedgerTransaction:
    """The provider gives back some or all of a settled amount. The platform
    fee on the refunded part is returned too, so the person gets it all back."""
    if not (can(actor, Action.PROVIDER_MANAGE, commitment) or is_platform_finance(actor)):
        raise NotPermitted("Only the provider can refund this booking.")
    ledger.check_amount(amount_pence)
    budget = commitment.budget

    def run() -> LedgerTransaction:
        current = Commitment.objects.get(pk=commitment.pk)
        if current.status != Commitment.Status.SETTLED:
            raise Conflict("Only a paid booking can be refunded.")
        # Conditional update: parallel refunds cannot together exceed what was paid.
        if (
            Commitment.objects.filter(pk=commitment.pk, refunded_pence__lte=F("settled_pence") - amount_pence).update(
                refunded_pence=F("refunded_pence") + amount_pence
            )
            != 1
        ):
            raise DomainError("You cannot refund more than was paid for this booking.", field="amount_pence")
        current.refresh_from_db()
        before = current.refunded_pence - amount_pence
        # Cumulative rounding: the fee refunded over all refunds sums exactly to the fee taken.
        fee_back = (current.fee_pence * current.refunded_pence) // current.settled_pence - (
            current.fee_pence * before
        ) // current.settled_pence
        entries = [
            (ledger.account_provider_payable(current.provider_id), -(amount_pence - fee_back)),
            (ledger.account_budget_available(budget), amount_pence),
        ]
        if fee_back:
            entries.append((ledger.account_platform_fees(), -fee_back))
        entries = [(account, amount) for account, amount in entries if amount]
        txn = ledger.ledger_post(
            reason=LedgerTransaction.Reason.REFUND,
            actor=actor,
            budget=budget,
            reference=current.reference,
            memo=memo or f"Refund from {current.provider.name}",
            entries=entries,
        )
        audit_record(actor=actor, action="budget.refund", obj=current, amount_pence=amount_pence, fee_pence=fee_back)
        return txn

    params = {"commitment": str(commitment.code), "amount_pence": amount_pence, "memo": memo}
    return idempotent_run(actor=actor, key=idempotency_key, operation="budget_refund", params=params, run=run)[0]
