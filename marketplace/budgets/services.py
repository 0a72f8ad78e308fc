"""Writes for budgets and money. Every service that moves money is atomic,
takes an idempotency key, posts through ledger.ledger_post and records an
audit event. See marketplace/ledger.py for the ledger's design."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse

from accounts.models import PersonProfile, User
from accounts.notifications.models import Notification
from accounts.notifications.services import notify
from accounts.permissions import Action, can, is_platform_finance, require
from accounts.selectors import person_side_users
from accounts.services import audit_record, system_actor
from carehub import clock
from carehub.errors import Conflict, DomainError, NotPermitted
from carehub.money import format_pence
from directory.models import Category, Council, Provider
from marketplace import ledger
from marketplace.budgets.payments import ChargeStatus, payment_gateway
from marketplace.ledger.idempotency import idempotent_claim, idempotent_record_result, idempotent_run
from marketplace.models import (
    Account,
    Budget,
    BudgetAlert,
    Commitment,
    IdempotencyRecord,
    LedgerTransaction,
    TopUp,
)

MAX_REFERENCE_LENGTH = 100
MAX_REASON_LENGTH = 200
COUNCIL_KINDS = (Budget.Kind.COUNCIL_MANAGED, Budget.Kind.DIRECT_PAYMENT, Budget.Kind.INDIVIDUAL_SERVICE_FUND)


class PaymentDeclined(DomainError):
    code = "payment_declined"


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
        _budget_alerts_after_spend(budget=budget, amount_pence=amount_pence)
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


def budget_topup(*, actor: User, budget: Budget, amount_pence: int, idempotency_key: str) -> TopUp:
    """A self-funder pays money into their budget through the PaymentGateway.

    Deliberately not one transaction: (1) claim the key and write a pending
    TopUp, commit; (2) charge through the gateway with no transaction or lock
    open; (3) record the result and post the money. Raises PaymentDeclined
    (nothing posted) when the gateway declines. A crash between (2) and (3) leaves
    the TopUp pending; `budget_topups_reconcile` (a beat task) resolves it later.
    """
    require(actor, Action.PERSON_MANAGE_BUDGET, budget)
    if budget.kind != Budget.Kind.SELF_FUNDED:
        raise DomainError("Only a self-funded budget can be topped up. Ask your council about this budget.")
    ledger.check_amount(amount_pence)
    gateway = payment_gateway()

    with transaction.atomic():
        params = {"budget": str(budget.code), "amount_pence": amount_pence}
        claim = idempotent_claim(actor=actor, key=idempotency_key, operation="budget_topup", params=params)
        if not isinstance(claim, IdempotencyRecord):
            return _topup_result(claim)  # type: ignore[arg-type]
        topup = TopUp.objects.create(
            budget=budget, actor=actor, amount_pence=amount_pence, gateway=gateway.name, created_at=ledger.ledger_now()
        )
        idempotent_record_result(claim, topup)

    result = gateway.charge(
        amount_pence=amount_pence, reference=str(topup.code), description=f"CareHub top-up for {budget.display_name}"
    )

    with transaction.atomic():
        if not result.succeeded:
            TopUp.objects.filter(pk=topup.pk, status=TopUp.Status.PENDING).update(
                status=TopUp.Status.DECLINED, failure_message=result.message[:255], completed_at=ledger.ledger_now()
            )
            audit_record(actor=actor, action="budget.topup_declined", obj=topup, message=result.message)
        else:
            _topup_credit(topup=topup, actor=actor, gateway_reference=result.gateway_reference)
    topup.refresh_from_db()
    return _topup_result(topup)


def _topup_credit(*, topup: TopUp, actor: User, gateway_reference: str) -> bool:
    """The gateway took the money: mark the top-up paid and credit the budget, in the caller's transaction.

    The conditional UPDATE is the guard that credits a top-up at most once, whoever gets here
    (the request that charged, or the reconciliation after a crash, in parallel or not): only the
    one that moves it to SUCCEEDED posts. It may start from FAILED as well as PENDING: should the
    reconciliation ever mark a charge failed that the gateway then confirms, the money was taken
    and must reach the budget. Returns False when another caller had already credited it."""
    if (
        TopUp.objects.filter(pk=topup.pk, status__in=[TopUp.Status.PENDING, TopUp.Status.FAILED]).update(
            status=TopUp.Status.SUCCEEDED, gateway_reference=gateway_reference[:100], completed_at=ledger.ledger_now()
        )
        != 1
    ):
        return False
    ledger.ledger_post(
        reason=LedgerTransaction.Reason.TOPUP,
        actor=actor,
        budget=topup.budget,
        reference=str(topup.code),
        memo="Top-up",
        entries=[
            (ledger.account_topup_receipts(), -topup.amount_pence),
            (ledger.account_budget_available(topup.budget), topup.amount_pence),
        ],
    )
    audit_record(actor=actor, action="budget.topup", obj=topup, amount_pence=topup.amount_pence)
    return True


class Reconciled(StrEnum):
    """What the reconciliation did with one pending top-up."""

    CREDITED = "credited"  # the gateway had taken the money: credited now
    FAILED = "failed"  # the gateway took nothing: marked failed
    UNKNOWN = "unknown"  # the gateway could not say: left pending for the next run
    ALREADY_DONE = "already_done"  # someone else resolved it first


def budget_topup_reconcile(*, topup: TopUp) -> Reconciled:
    """Resolve one top-up left pending (by a crash between the charge and recording it) by
    asking the gateway what became of the charge. Charged → credited once through the ledger;
    not charged → failed, nothing posted; unknown → left pending.

    Not one transaction, like budget_topup: the gateway is asked with no transaction or lock
    open, then the answer is recorded in a short transaction whose conditional UPDATE on the
    status makes a second run, or a parallel one, do nothing."""
    gateway = payment_gateway()
    if topup.gateway != gateway.name:
        # Only the gateway that took the payment can say what became of it.
        return Reconciled.UNKNOWN
    lookup = gateway.lookup(reference=str(topup.code))
    if lookup.status == ChargeStatus.UNKNOWN:
        return Reconciled.UNKNOWN
    actor = system_actor()
    with transaction.atomic():
        if lookup.status == ChargeStatus.CHARGED:
            credited = _topup_credit(topup=topup, actor=actor, gateway_reference=lookup.gateway_reference)
            return Reconciled.CREDITED if credited else Reconciled.ALREADY_DONE
        message = lookup.message or "The payment was not completed."
        if (
            TopUp.objects.filter(pk=topup.pk, status=TopUp.Status.PENDING).update(
                status=TopUp.Status.FAILED, failure_message=message[:255], completed_at=ledger.ledger_now()
            )
            != 1
        ):
            return Reconciled.ALREADY_DONE
        audit_record(actor=actor, action="budget.topup_failed", obj=topup, message=message)
        return Reconciled.FAILED


def budget_topups_reconcile(*, older_than: timedelta, now: datetime | None = None) -> dict[str, int]:
    """Reconcile every top-up still pending `older_than` after it was made (the beat task).

    The wait leaves alone top-ups whose request is still talking to the gateway: it must be
    longer than the gateway's timeout. Returns how many ended each way."""
    cutoff = (now or clock.now()) - older_than
    counts = {str(outcome): 0 for outcome in Reconciled}
    pending = TopUp.objects.filter(status=TopUp.Status.PENDING, created_at__lt=cutoff).select_related("budget")
    for topup in list(pending.order_by("pk")):
        counts[str(budget_topup_reconcile(topup=topup))] += 1
    return counts


def _topup_result(topup: TopUp) -> TopUp:
    if topup.status == TopUp.Status.DECLINED:
        raise PaymentDeclined(
            f"Your payment was declined: {topup.failure_message or 'no reason given'}. No money was taken.",
            field="amount_pence",
        )
    if topup.status == TopUp.Status.FAILED:
        raise PaymentDeclined("Your payment was not completed. No money was taken.", field="amount_pence")
    return topup


@transaction.atomic
def budget_alert_set(*, actor: User, budget: Budget, threshold_pence: int | None) -> Budget:
    """Set (or clear, with None) the level below which the person is alerted."""
    require(actor, Action.PERSON_MANAGE_BUDGET, budget)
    if threshold_pence is not None:
        if isinstance(threshold_pence, bool) or not isinstance(threshold_pence, int) or threshold_pence < 0:
            raise DomainError("Enter the alert level in whole pence, 0 or more.", field="threshold_pence")
        if threshold_pence > ledger.MAX_AMOUNT_PENCE:
            raise DomainError(
                "That alert level is too large. Amounts are in pence: £12.50 is 1250.", field="threshold_pence"
            )
    before = budget.alert_threshold_pence
    Budget.objects.filter(pk=budget.pk).update(alert_threshold_pence=threshold_pence)
    budget.alert_threshold_pence = threshold_pence
    audit_record(actor=actor, action="budget.alert_set", obj=budget, before=before, after=threshold_pence)
    return budget


def _budget_alerts_after_spend(*, budget: Budget, amount_pence: int) -> None:
    """Record an alert when this movement crossed a line, and tell the person's side in this transaction.

    A low-balance alert fires once per crossing of the person's level (money taken
    from above it to below it); an overspend forecast at most once a week."""
    from marketplace.budgets import selectors

    available = Account.objects.get(kind=Account.Kind.BUDGET_AVAILABLE, budget=budget).balance_pence
    alerts: list[BudgetAlert] = []
    threshold = Budget.objects.values_list("alert_threshold_pence", flat=True).get(pk=budget.pk)
    if threshold is not None and available < threshold <= available + amount_pence:
        alerts.append(
            BudgetAlert(
                budget=budget,
                kind=BudgetAlert.Kind.LOW_BALANCE,
                available_pence=available,
                threshold_pence=threshold,
                message=f"The money left in {budget.display_name} has dropped below the level you set.",
            )
        )
    forecast = selectors.budget_forecast(budget=budget, available_pence=available)
    if (
        forecast.left_at_end_pence < 0
        and not BudgetAlert.objects.filter(
            budget=budget,
            kind=BudgetAlert.Kind.OVERSPEND_FORECAST,
            created_at__gte=clock.now() - timedelta(days=7),
        ).exists()
    ):
        alerts.append(
            BudgetAlert(
                budget=budget,
                kind=BudgetAlert.Kind.OVERSPEND_FORECAST,
                available_pence=available,
                message=f"At the current rate, {budget.display_name} runs out before the end of its period.",
            )
        )
    for alert in alerts:
        alert.sent_at = alert.created_at  # handed to the outbox now, in the money's transaction
        alert.save()
        _budget_alert_notify(alert)


def _budget_alert_notify(alert: BudgetAlert) -> None:
    """The inbox row and e-mail for an alert, to the person and the carers who see their budget."""
    budget = alert.budget
    notify(
        users=person_side_users(person=budget.person),
        kind=Notification.Kind.BUDGET,
        subject=f"CareHub budget alert: {alert.get_kind_display()}",
        body=f"{alert.message}\n\nSee your budget on CareHub for details:",
        url=reverse("marketplace:budget-detail", kwargs={"code": budget.code}),
        key=f"budget-alert:{alert.pk}",
    )


@transaction.atomic
def budget_alert_notify_unsent(*, alert_id: int) -> bool:
    """Hand an alert written before alerts went through the outbox (sent_at empty) to notify, once.

    Only for messages queued by the old sender; returns False for any alert already handed over."""
    if BudgetAlert.objects.filter(pk=alert_id, sent_at__isnull=True).update(sent_at=clock.now()) != 1:
        return False
    _budget_alert_notify(BudgetAlert.objects.select_related("budget__person__user").get(pk=alert_id))
    return True
