"""Writes for budgets and money. Every service that moves money is atomic,
takes an idempotency key, posts through ledger.ledger_post and records an
audit event. See marketplace/ledger.py for the ledger's design."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse

from accounts.models import PersonProfile, User
from accounts.notifications.models import Notification
from accounts.notifications.services import notify
from accounts.permissions import Action, can, is_platform_finance, require
from accounts.selectors import person_side_users
from accounts.services import audit_record
from carehub import clock
from carehub.errors import Conflict, DomainError, NotPermitted
from directory.models import Category, Council, Provider
from marketplace import ledger
from marketplace.budgets.payments import payment_gateway
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
        audit_record(actor=actor, action="budget.allocate", obj=budget, amount_pence=amount_pence, txn=str(txn.code))
        return txn

    params = {"budget": str(budget.code), "amount_pence": amount_pence, "effective_on": effective_on, "memo": memo}
    return idempotent_run(actor=actor, key=idempotency_key, operation="budget_allocate", params=params, run=run)[0]


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
    (nothing posted) when the gateway declines.
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
        now = ledger.ledger_now()
        if not result.succeeded:
            TopUp.objects.filter(pk=topup.pk, status=TopUp.Status.PENDING).update(
                status=TopUp.Status.DECLINED, failure_message=result.message[:255], completed_at=now
            )
            audit_record(actor=actor, action="budget.topup_declined", obj=topup, message=result.message)
        elif (
            TopUp.objects.filter(pk=topup.pk, status=TopUp.Status.PENDING).update(
                status=TopUp.Status.SUCCEEDED, gateway_reference=result.gateway_reference[:100], completed_at=now
            )
            == 1
        ):
            ledger.ledger_post(
                reason=LedgerTransaction.Reason.TOPUP,
                actor=actor,
                budget=budget,
                reference=str(topup.code),
                memo="Top-up",
                entries=[
                    (ledger.account_topup_receipts(), -amount_pence),
                    (ledger.account_budget_available(budget), amount_pence),
                ],
            )
            audit_record(actor=actor, action="budget.topup", obj=topup, amount_pence=amount_pence)
    topup.refresh_from_db()
    return _topup_result(topup)


def _topup_result(topup: TopUp) -> TopUp:
    if topup.status == TopUp.Status.DECLINED:
        raise PaymentDeclined(
            f"Your payment was declined: {topup.failure_message or 'no reason given'}. No money was taken.",
            field="amount_pence",
        )
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
