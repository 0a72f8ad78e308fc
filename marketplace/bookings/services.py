"""Booking services: requesting a booking, and one service per transition of the state machine.

The table of transitions, and the function that runs a row, are in transitions.py:
each service here checks who is asking (`require_side`) and its own input, then runs
its row once per idempotency key (`idempotent_run`): the guarded status change, the
ledger movement, a BookingEvent and the notification, in one transaction (ADR 6).
The ledger calls use keys derived from the booking ("booking-<code>-settle"), so a
booking's money moves at most once per kind whatever keys the callers send.

Money (marketplace.budgets, through the ledger): committed when requested, released
when declined or cancelled (or settled in part when the person's side cancels late,
by the rule copied onto the booking), settled to the provider when completed.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from accounts.models import PersonProfile, User
from accounts.permissions import Action, can
from accounts.services import audit_record, system_actor
from carehub import clock
from carehub.errors import Conflict, DomainError, NotFound, NotPermitted
from carehub.money import format_pence
from directory.models import Service
from marketplace.bookings import transitions
from marketplace.bookings.availability import hour_is_open
from marketplace.bookings.transitions import (
    ACCEPT,
    AUTO_COMPLETE,
    CANCEL,
    CONFIRM,
    DECLINE,
    DELIVER,
    DISPUTE,
    REQUEST,
    RESOLVE_PAID,
    RESOLVE_REFUNDED,
    SCHEDULE,
    Reason,
    Transition,
    ledger_key,
    notify_both_sides,
)
from marketplace.budgets import services
from marketplace.ledger import InsufficientFunds
from marketplace.ledger.idempotency import idempotent_run
from marketplace.models import Account, Booking, BookingEvent, BookingSlot, Budget
from marketplace.models.bookings import AUTO_COMPLETE_AFTER

MAX_HOURS = 12
MAX_QUANTITY = 100
S = Booking.Status


class SlotTaken(Conflict):
    code = "slot_taken"


class BudgetShort(InsufficientFunds):
    """The chosen budget has less left than the booking costs. Says how much is left and
    how much is needed, against the budget choice (`field="budget"`), so the person can
    choose another budget or pay money in."""

    def __init__(self, *, budget: Budget, needed_pence: int, account: Any) -> None:
        left = Account.objects.get(pk=account.pk).balance_pence
        super().__init__(
            f"There is not enough left in {budget.display_name}: it has {format_pence(left)} left "
            f"and this booking needs {format_pence(needed_pence)}.",
            account=account,
        )
        self.field = "budget"
        self.budget = budget
        self.left_pence = left
        self.needed_pence = needed_pence


# --- Request ------------------------------------------------------------------------------------------


def booking_budget_for(*, person: PersonProfile, on: datetime) -> Budget:
    day = clock.local_date(on)
    budget = (
        Budget.objects.filter(person=person, period_start__lte=day, period_end__gte=day)
        .order_by("-period_start")
        .first()
    )
    if budget is None:
        raise DomainError("There is no budget for this person that covers that date.", field="budget")
    return budget


def _check_hours(*, service: Service, starts_at: datetime | None, hours: int | None, now: datetime) -> list[datetime]:
    if starts_at is None:
        raise DomainError("Choose the day and time to start.", field="starts_at")
    if not isinstance(hours, int) or isinstance(hours, bool) or not 1 <= hours <= MAX_HOURS:
        raise DomainError(f"Choose from 1 to {MAX_HOURS} hours.", field="hours")
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    if starts_at.minute or starts_at.second or starts_at.microsecond:
        raise DomainError("Hourly care starts on the hour, for example 10:00.", field="starts_at")
    if starts_at <= now:
        raise DomainError("That time has passed: choose a time in the future.", field="starts_at")
    # Elapsed hours (in UTC), so a 2-hour visit is 2 hours long on the nights the clocks change.
    slots = [clock.hours_later(starts_at, i) for i in range(hours)]
    for slot in slots:
        if not hour_is_open(service=service, starts_at=slot):
            raise DomainError(
                f"The provider is not available at {clock.local_time(slot):%H:%M on %-d %B}: choose a time they are.",
                field="starts_at",
            )
    if BookingSlot.objects.filter(service=service, active=True, starts_at__in=slots).exists():
        raise SlotTaken("Someone has already booked that time: choose another.", field="starts_at")
    return slots


@transaction.atomic
def booking_request(
    *,
    actor: User,
    service: Service,
    person: PersonProfile,
    idempotency_key: str,
    starts_at: datetime | None = None,
    hours: int | None = None,
    quantity: int | None = None,
    note: str = "",
    budget: Budget | None = None,
) -> Booking:
    """Request a booking and commit its cost from the person's budget.

    Hourly services: `starts_at` on the hour + `hours`, each hour inside the
    provider's availability and not already booked (the slot index decides
    a race). Other services: `quantity` × the unit price, `starts_at` optional.
    Raises NotPermitted, DomainError, SlotTaken, ledger.InsufficientFunds.
    """
    if not can(actor, Action.PERSON_BOOK, person):
        raise NotPermitted("You do not have permission to book care for this person.")
    if service.status != Service.Status.PUBLISHED or not service.price_pence or service.price_on_request:
        raise DomainError("This service cannot be booked online. Send the provider a message instead.")
    # The key is checked before the slots: a retried request returns its booking, not "slot taken".
    params = {
        "service": str(service.code),
        "person": str(person.code),
        "starts_at": starts_at,
        "hours": hours,
        "quantity": quantity,
        "note": note,
        "budget": str(budget.code) if budget else None,
    }

    def run() -> Booking:
        return _booking_create(
            actor=actor,
            service=service,
            person=person,
            starts_at=starts_at,
            hours=hours,
            quantity=quantity,
            note=note,
            budget=budget,
        )

    return idempotent_run(actor=actor, key=idempotency_key, operation="booking_request", params=params, run=run)[0]


def _booking_create(
    *,
    actor: User,
    service: Service,
    person: PersonProfile,
    starts_at: datetime | None,
    hours: int | None,
    quantity: int | None,
    note: str,
    budget: Budget | None,
    plan: Any = None,
) -> Booking:
    """Validate and create one booking with its slots and commitment (booking_request and recurring plans)."""
    now = clock.now()
    hourly = service.price_unit == Service.PriceUnit.HOUR
    if hourly:
        slots = _check_hours(service=service, starts_at=starts_at, hours=hours, now=now)
        quantity = len(slots)
        starts_at, ends_at = slots[0], clock.hours_later(slots[-1], 1)
    else:
        slots, ends_at = [], None
        if not isinstance(quantity, int) or isinstance(quantity, bool) or not 1 <= quantity <= MAX_QUANTITY:
            raise DomainError(f"Enter a quantity from 1 to {MAX_QUANTITY}.", field="quantity")
        if starts_at is not None and starts_at <= now:
            raise DomainError("That date has passed: choose a date in the future.", field="starts_at")
    note = (note or "").strip()
    if len(note) > 2000:
        raise DomainError("Keep the note to 2000 characters or fewer.", field="note")
    if budget is None:
        budget = booking_budget_for(person=person, on=starts_at or now)
    elif budget.person_id != person.pk:
        raise DomainError("That budget belongs to someone else.", field="budget")

    booking = Booking.objects.create(
        plan=plan,
        kind=Booking.Kind.HOURLY if hourly else Booking.Kind.ONE_OFF,
        service=service,
        provider_id=service.provider_id,
        person=person,
        budget=budget,
        requested_by=actor,
        quantity=quantity,
        unit_price_pence=service.price_pence,
        amount_pence=quantity * service.price_pence,
        price_unit=service.price_unit,
        starts_at=starts_at,
        ends_at=ends_at,
        note=note,
        # The rule the person was shown: a later change to the listing never applies to this booking.
        free_cancellation_hours=service.free_cancellation_hours,
        late_cancellation_percent=service.late_cancellation_percent,
    )
    try:
        with transaction.atomic():
            BookingSlot.objects.bulk_create([BookingSlot(booking=booking, service=service, starts_at=s) for s in slots])
    except IntegrityError as exc:
        # A parallel request took one of these hours between our check and our insert.
        raise SlotTaken("Someone has just booked that time: choose another.", field="starts_at") from exc
    try:
        booking.commitment = services.budget_commit(
            actor=actor,
            budget=budget,
            amount_pence=booking.amount_pence,
            reference=f"booking-{booking.code}",
            provider=service.provider,
            idempotency_key=ledger_key(booking, "commit"),
            description=f"{service.name} ({service.provider.name})"[:255],
            category=service.categories.first(),
            due_on=clock.local_date(starts_at) if starts_at else None,
        )
    except InsufficientFunds as exc:
        # The caller's transaction rolls back the booking and its slots: nothing is written.
        raise BudgetShort(budget=budget, needed_pence=booking.amount_pence, account=exc.account) from exc
    booking.save(update_fields=["commitment"])
    BookingEvent.objects.create(booking=booking, actor=actor, to_status=REQUEST.target, reason=note[:500])
    audit_record(actor=actor, action=f"booking.{REQUEST.target}", obj=booking, amount_pence=booking.amount_pence)
    notify_both_sides(REQUEST, booking=booking, actor=actor)
    return booking


# --- Transitions -------------------------------------------------------------------------------------------


def _reason(t: Transition, reason: str) -> str:
    reason = (reason or "").strip()
    if t.reason is Reason.REQUIRED and not reason:
        raise DomainError("Give a reason.", field="reason")
    if len(reason) > 500:
        raise DomainError("Keep the reason to 500 characters or fewer.", field="reason")
    return reason


def _take(
    t: Transition,
    *,
    actor: User,
    booking: Booking,
    sides: frozenset[transitions.Side],
    key: str,
    reason: str = "",
    now: datetime | None = None,
    operation: str = "",
    params: dict[str, Any] | None = None,
    **apply: Any,
) -> Booking:
    """Check the reason, then run row `t` once per (actor, key): a retry returns the first
    result and moves nothing. `operation` defaults to the service's name, booking_<action>."""
    reason = _reason(t, reason)
    params = {"booking": str(booking.code), **({"reason": reason} if t.asks_reason else {}), **(params or {})}

    def run() -> Booking:
        return transitions.transition_apply(
            t, actor=actor, sides=sides, booking=booking, now=now or clock.now(), reason=reason, **apply
        )

    operation = operation or f"booking_{t.action}"
    return idempotent_run(actor=actor, key=key, operation=operation, params=params, run=run)[0]


@transaction.atomic
def booking_accept(*, actor: User, booking: Booking, idempotency_key: str) -> Booking:
    """The provider takes the request on."""
    sides = transitions.require_side(ACCEPT, actor=actor, booking=booking)
    return _take(ACCEPT, actor=actor, booking=booking, sides=sides, key=idempotency_key)


@transaction.atomic
def booking_decline(*, actor: User, booking: Booking, reason: str, idempotency_key: str) -> Booking:
    """Decline a request (a reason is required); the money goes back to the budget."""
    sides = transitions.require_side(DECLINE, actor=actor, booking=booking)
    return _take(DECLINE, actor=actor, booking=booking, sides=sides, key=idempotency_key, reason=reason)


@transaction.atomic
def booking_schedule(
    *, actor: User, booking: Booking, idempotency_key: str, starts_at: datetime | None = None
) -> Booking:
    """Fix the time of an accepted booking. Hourly bookings keep their slots; a one-off may be given a time."""
    sides = transitions.require_side(SCHEDULE, actor=actor, booking=booking)
    if starts_at is not None:
        if booking.kind == Booking.Kind.HOURLY:
            raise DomainError("An hourly booking keeps the hours the person chose.", field="starts_at")
        if starts_at <= clock.now():
            raise DomainError("That time has passed: choose a time in the future.", field="starts_at")
    if starts_at is None and booking.starts_at is None:
        raise DomainError("Choose when the care will happen.", field="starts_at")
    return _take(
        SCHEDULE,
        actor=actor,
        booking=booking,
        sides=sides,
        key=idempotency_key,
        params={"starts_at": starts_at},
        **({"starts_at": starts_at} if starts_at else {}),
    )


@transaction.atomic
def booking_deliver(*, actor: User, booking: Booking, idempotency_key: str) -> Booking:
    """The provider says the care happened. The person confirms, or it completes itself after 7 days."""
    sides = transitions.require_side(DELIVER, actor=actor, booking=booking)
    now = clock.now()
    if booking.status == S.SCHEDULED and booking.starts_at and booking.starts_at > now:
        raise DomainError("You can mark the care as delivered once it has started.")
    return _take(
        DELIVER,
        actor=actor,
        booking=booking,
        sides=sides,
        key=idempotency_key,
        now=now,
        # Also in the guard, in case the booking was scheduled for later since `booking` was read.
        where=~Q(starts_at__gt=now),
        delivered_at=now,
    )


@transaction.atomic
def booking_confirm(*, actor: User, booking: Booking, idempotency_key: str) -> Booking:
    """The person (or carer) confirms delivery: the committed money is paid to the provider."""
    sides = transitions.require_side(CONFIRM, actor=actor, booking=booking)
    now = clock.now()
    return _take(CONFIRM, actor=actor, booking=booking, sides=sides, key=idempotency_key, now=now, completed_at=now)


@transaction.atomic
def booking_dispute(*, actor: User, booking: Booking, reason: str, idempotency_key: str) -> Booking:
    """Something was wrong: payment is frozen and the booking goes to the admin queue."""
    sides = transitions.require_side(DISPUTE, actor=actor, booking=booking)
    return _take(DISPUTE, actor=actor, booking=booking, sides=sides, key=idempotency_key, reason=reason)


@transaction.atomic
def booking_cancel(*, actor: User, booking: Booking, reason: str, idempotency_key: str) -> Booking:
    """Cancel an open booking. The provider cancels at no cost to the person; the person's
    side cancels free until the booking's rule says otherwise, then pays the late share
    (transitions.cancellation_charge_pence: settled to the provider, the rest released)."""
    sides = transitions.require_side(CANCEL, actor=actor, booking=booking)
    return _take(CANCEL, actor=actor, booking=booking, sides=sides, key=idempotency_key, reason=reason)


def booking_act(
    *,
    actor: User,
    booking: Booking,
    action: str,
    idempotency_key: str,
    reason: str = "",
    starts_at: datetime | None = None,
) -> Booking:
    """Take one of the person's or provider's actions by its name in the table (the page and the API).

    Raises NotFound for a name that is not one of them (the system's and staff's are not taken here).
    """
    if action not in transitions.USER_ACTIONS:
        raise NotFound("There is no such action on a booking.")
    common: dict[str, Any] = {"actor": actor, "booking": booking, "idempotency_key": idempotency_key}
    runs: dict[str, Callable[[], Booking]] = {
        ACCEPT.action: lambda: booking_accept(**common),
        DECLINE.action: lambda: booking_decline(**common, reason=reason),
        SCHEDULE.action: lambda: booking_schedule(**common, starts_at=starts_at),
        DELIVER.action: lambda: booking_deliver(**common),
        CONFIRM.action: lambda: booking_confirm(**common),
        DISPUTE.action: lambda: booking_dispute(**common, reason=reason),
        CANCEL.action: lambda: booking_cancel(**common, reason=reason),
    }
    return runs[action]()


# --- The system and the admin queue ---------------------------------------------------------------------


@transaction.atomic
def booking_auto_complete(*, booking: Booking, now: datetime | None = None) -> Booking:
    """Delivered 7 days ago and neither confirmed nor disputed: pay the provider (system actor)."""
    now = now or clock.now()
    actor = system_actor()
    sides = transitions.require_side(AUTO_COMPLETE, actor=actor, booking=booking)
    cutoff = now - AUTO_COMPLETE_AFTER
    if booking.delivered_at is not None and booking.delivered_at > cutoff:
        raise Conflict("This booking was delivered less than 7 days ago.")
    return _take(
        AUTO_COMPLETE,
        actor=actor,
        booking=booking,
        sides=sides,
        key=ledger_key(booking, "auto-complete"),
        now=now,
        reason="No reply within 7 days of delivery",
        where=Q(delivered_at__lte=cutoff),
        completed_at=now,
    )


def booking_auto_complete_due(*, now: datetime | None = None) -> int:
    """Beat: complete every booking delivered more than 7 days ago. Each in its own transaction."""
    now = now or clock.now()
    due = Booking.objects.filter(status=S.DELIVERED, delivered_at__lte=now - AUTO_COMPLETE_AFTER)
    done = 0
    for booking in due.select_related("commitment", "service", "provider", "person__user")[:500]:
        try:
            booking_auto_complete(booking=booking, now=now)
        except Conflict:
            continue  # confirmed or disputed meanwhile
        done += 1
    return done


@transaction.atomic
def booking_resolve_dispute(
    *, actor: User, booking: Booking, pay_pence: int, reason: str, idempotency_key: str
) -> Booking:
    """Platform staff settle a dispute: pay the provider `pay_pence` (0 to the full
    amount; the rest goes back to the budget). Zero cancels the booking."""
    t = RESOLVE_REFUNDED if pay_pence == 0 else RESOLVE_PAID
    sides = transitions.require_side(t, actor=actor, booking=booking)
    if isinstance(pay_pence, bool) or not isinstance(pay_pence, int) or not 0 <= pay_pence <= booking.amount_pence:
        raise DomainError(f"Pay from £0 to {format_pence(booking.amount_pence)}.", field="pay_pence")
    now = clock.now()
    return _take(
        t,
        actor=actor,
        booking=booking,
        sides=sides,
        key=idempotency_key,
        operation="booking_resolve_dispute",
        params={"pay_pence": pay_pence},
        now=now,
        reason=reason,
        pay_pence=pay_pence,
        **({"completed_at": now} if pay_pence else {}),
    )


def booking_disputes_open() -> QuerySet[Booking]:
    """The admin queue."""
    return Booking.objects.filter(status=S.DISPUTED).select_related("service", "provider", "person__user")


__all__ = [
    "MAX_HOURS",
    "MAX_QUANTITY",
    "BudgetShort",
    "SlotTaken",
    "booking_accept",
    "booking_act",
    "booking_auto_complete",
    "booking_auto_complete_due",
    "booking_budget_for",
    "booking_cancel",
    "booking_confirm",
    "booking_decline",
    "booking_deliver",
    "booking_dispute",
    "booking_disputes_open",
    "booking_request",
    "booking_resolve_dispute",
    "booking_schedule",
]
