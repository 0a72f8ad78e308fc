"""The booking state machine: one table of transitions, and the one function that runs a row.

  requested ─accept─> accepted ─schedule─> scheduled ─deliver─> delivered ─confirm, auto_complete─> completed
      │                                                             │                                   ^
      ├─decline─> declined                                          └─dispute─> disputed ─resolve_paid──┘
      │                                                                             │
      └─cancel (from requested, accepted or scheduled)─> cancelled <─resolve_refunded─┘

Like django-oscar's order pipeline, every move is written down once, in TRANSITIONS:
the statuses it may start from, the status it leads to, who may take it, what it
does to the booking's money and what it tells the other side. Everything else asks
the table: the services in services.py run its rows (each still one atomic service,
see ADR 6), the booking page offers the rows this user may take now
(`actions_for`), the API's action URLs are its person- and provider-side rows
(USER_ACTIONS), the late-cancellation charge is computed in one place
(`cancellation_charge_pence`), and test_booking_transitions.py is generated from it.

The state guard is a conditional `UPDATE ... WHERE status IN (sources)` with a
row-count check: of two parallel transitions only one moves the row, on
PostgreSQL and SQLite alike; the loser gets a Conflict that says why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from django.db.models import Q
from django.urls import reverse

from accounts.models import User
from accounts.notifications.models import Notification
from accounts.notifications.services import notify
from accounts.permissions import Action, can, is_platform_finance
from accounts.selectors import person_side_users, provider_member_users
from accounts.services import SYSTEM_EMAIL, audit_record
from carehub import clock
from carehub.errors import Conflict, NotPermitted
from carehub.money import format_pence
from marketplace.budgets import services as budgets
from marketplace.models import Booking, BookingEvent, BookingSlot

S = Booking.Status


class Side(StrEnum):
    """Who may take an action."""

    PERSON = "person"  # the person, or a carer they allow to book
    PROVIDER = "provider"  # the provider's members
    STAFF = "staff"  # CareHub finance staff (superusers), from the admin's dispute queue
    SYSTEM = "system"  # beat tasks, as the system actor


class Money(StrEnum):
    """What a transition does to the booking's commitment (marketplace.budgets, through the ledger)."""

    COMMIT = "commit"  # set the price aside from the budget
    NONE = "none"
    RELEASE = "release"  # all of it back to the budget
    SETTLE = "settle"  # all of it to the provider, less the platform fee
    SETTLE_PART = "settle part"  # the amount staff decided to the provider, the rest back to the budget
    CANCELLATION = "cancellation"  # free: all back; late, by the person's side: the booking's share settled


class Reason(StrEnum):
    NONE = "none"
    OPTIONAL = "optional"
    REQUIRED = "required"


@dataclass(frozen=True)
class Transition:
    # Its name in URLs and test ids; its service is booking_<action> (the resolve_* rows: booking_resolve_dispute).
    action: str
    sources: tuple[str, ...]  # the statuses it may start from; none: it creates the booking
    target: str
    sides: frozenset[Side]
    money: Money
    event: str  # the notification's key: booking:<code>:<event>
    subject: str  # the notification, filled in with the booking's facts (see _facts)
    body: str
    past: str  # "this booking ... : it cannot be <past>"
    reason: Reason = Reason.NONE
    label: str = ""  # the button on the booking page (person's and provider's actions)
    done: str = ""  # the message after it
    memo: str = ""  # the ledger memo when the money goes back to the budget

    @property
    def asks_reason(self) -> bool:
        return self.reason is not Reason.NONE


def _sides(*sides: Side) -> frozenset[Side]:
    return frozenset(sides)


REQUEST = Transition(
    action="request",
    sources=(),
    target=S.REQUESTED,
    # The system books the visits of a recurring plan the person's side set up (plans.py).
    sides=_sides(Side.PERSON, Side.SYSTEM),
    money=Money.COMMIT,
    event="requested",
    subject="New booking request: {service}",
    body="{requester} asked to book {service}{for_person} ({amount}).",
    past="requested",
)
ACCEPT = Transition(
    action="accept",
    label="Accept",
    done="You accepted the booking.",
    sources=(S.REQUESTED,),
    target=S.ACCEPTED,
    sides=_sides(Side.PROVIDER),
    money=Money.NONE,
    event="accepted",
    subject="Booking accepted: {service}",
    body="{provider} accepted your booking.",
    past="accepted",
)
DECLINE = Transition(
    action="decline",
    label="Decline",
    done="You declined the booking. The money has gone back to the person's budget.",
    sources=(S.REQUESTED,),
    target=S.DECLINED,
    sides=_sides(Side.PROVIDER),
    money=Money.RELEASE,
    reason=Reason.REQUIRED,
    event="declined",
    subject="Booking declined: {service}",
    body="{provider} declined: {reason}",
    past="declined",
    memo="Booking declined: money returned to the budget",
)
SCHEDULE = Transition(
    action="schedule",
    label="Confirm the schedule",
    done="The booking is scheduled.",
    sources=(S.ACCEPTED,),
    target=S.SCHEDULED,
    sides=_sides(Side.PROVIDER),
    money=Money.NONE,
    event="scheduled",
    subject="Booking scheduled: {service}",
    body="It is scheduled for {when}.",
    past="scheduled",
)
DELIVER = Transition(
    action="deliver",
    label="Mark as delivered",
    done="Marked as delivered. The person has been asked to confirm.",
    sources=(S.SCHEDULED,),
    target=S.DELIVERED,
    sides=_sides(Side.PROVIDER),
    money=Money.NONE,
    event="delivered",
    subject="Please confirm: {service}",
    body="{provider} says the care was delivered. Confirm it, or tell us if something was wrong. "
    "If we hear nothing, it is paid in 7 days.",
    past="marked as delivered",
)
CONFIRM = Transition(
    action="confirm",
    label="Confirm it was delivered",
    done="Thank you. The provider has been paid.",
    sources=(S.DELIVERED,),
    target=S.COMPLETED,
    sides=_sides(Side.PERSON),
    money=Money.SETTLE,
    event="completed",
    subject="Booking confirmed: {service}",
    body="Confirmed. {paid} is paid to {provider}.",
    past="confirmed",
)
DISPUTE = Transition(
    action="dispute",
    label="Something was wrong",
    done="We have put the payment on hold and our team will look at it.",
    sources=(S.DELIVERED,),
    target=S.DISPUTED,
    sides=_sides(Side.PERSON),
    money=Money.NONE,
    reason=Reason.REQUIRED,
    event="disputed",
    subject="Booking disputed: {service}",
    body="Payment is on hold while our team looks at it: {reason}",
    past="disputed",
)
CANCEL = Transition(
    action="cancel",
    label="Cancel the booking",
    done="The booking is cancelled.",
    sources=tuple(Booking.OPEN_STATUSES),
    target=S.CANCELLED,
    sides=_sides(Side.PERSON, Side.PROVIDER),
    money=Money.CANCELLATION,
    reason=Reason.OPTIONAL,
    event="cancelled",
    subject="Booking cancelled: {service}",
    body="Cancelled by {actor}. {cost}",
    past="cancelled",
    memo="Booking cancelled: money returned to the budget",
)
AUTO_COMPLETE = Transition(
    action="auto_complete",
    sources=(S.DELIVERED,),
    target=S.COMPLETED,
    sides=_sides(Side.SYSTEM),
    money=Money.SETTLE,
    event="completed",
    subject="Booking completed: {service}",
    body="7 days passed since delivery, so {paid} is paid to {provider}.",
    past="completed",
)
RESOLVE_PAID = Transition(
    action="resolve_paid",
    sources=(S.DISPUTED,),
    target=S.COMPLETED,
    sides=_sides(Side.STAFF),
    money=Money.SETTLE_PART,
    reason=Reason.REQUIRED,
    event="resolved",
    subject="Dispute resolved: {service}",
    body="{reason} The provider is paid {paid}.",
    past="resolved",
)
RESOLVE_REFUNDED = Transition(
    action="resolve_refunded",
    sources=(S.DISPUTED,),
    target=S.CANCELLED,
    sides=_sides(Side.STAFF),
    money=Money.RELEASE,
    reason=Reason.REQUIRED,
    event="resolved",
    subject="Dispute resolved: {service}",
    body="{reason} The provider is paid {paid}.",
    past="resolved",
    memo="Dispute resolved: money returned to the budget",
)

TRANSITIONS: tuple[Transition, ...] = (
    REQUEST,
    ACCEPT,
    DECLINE,
    SCHEDULE,
    DELIVER,
    CONFIRM,
    DISPUTE,
    CANCEL,
    AUTO_COMPLETE,
    RESOLVE_PAID,
    RESOLVE_REFUNDED,
)

# The actions people take on a booking, on its page and through the API, in the order the
# page shows them. The rest are the system's and staff's (a beat task, the admin's queue).
USER_ACTIONS: dict[str, Transition] = {
    t.action: t for t in TRANSITIONS if t.sources and t.sides & {Side.PERSON, Side.PROVIDER}
}

# Bookings that end without care free their hours for someone else.
_FREES_SLOTS = (S.DECLINED, S.CANCELLED)

_STATE_MESSAGES = {
    S.REQUESTED: "is still waiting for the provider",
    S.ACCEPTED: "has been accepted but not scheduled yet",
    S.SCHEDULED: "is scheduled and not yet delivered",
    S.DELIVERED: "has been delivered and is waiting for confirmation",
    S.COMPLETED: "has already been completed",
    S.DECLINED: "was declined",
    S.CANCELLED: "was cancelled",
    S.DISPUTED: "is disputed and with our team",
}

_REFUSALS = {
    _sides(Side.PERSON): "Only the person, or a carer they allow to book, can do that.",
    _sides(Side.PROVIDER): "Only the provider of this booking can do that.",
    _sides(Side.PERSON, Side.PROVIDER): "Only the person, a carer they allow to book, or the provider can do that.",
    _sides(Side.STAFF): "Only CareHub staff can do that.",
    _sides(Side.SYSTEM): "Only CareHub's scheduled tasks can do that.",
}


# --- Who is asking ---------------------------------------------------------------------------------------


def sides_of(user: User, booking: Booking) -> frozenset[Side]:
    """Every side this user is on for this booking (a provider's member may also be someone's carer)."""
    sides = set()
    if can(user, Action.PERSON_BOOK, booking):
        sides.add(Side.PERSON)
    if can(user, Action.PROVIDER_MANAGE, booking):
        sides.add(Side.PROVIDER)
    if is_platform_finance(user):
        sides.add(Side.STAFF)
    if getattr(user, "email", None) == SYSTEM_EMAIL:
        sides.add(Side.SYSTEM)
    return frozenset(sides)


def require_side(t: Transition, *, actor: User, booking: Booking) -> frozenset[Side]:
    """Raise NotPermitted unless the actor may take `t`; return the actor's sides (the charge depends on them)."""
    sides = sides_of(actor, booking)
    if not sides & t.sides:
        raise NotPermitted(_REFUSALS.get(t.sides, "You do not have permission to do that."))
    return sides


def actions_for(*, sides: Iterable[Side], booking: Booking) -> list[Transition]:
    """The buttons for the booking page: what someone on these sides may do to the booking now."""
    sides = frozenset(sides)
    return [t for t in USER_ACTIONS.values() if booking.status in t.sources and sides & t.sides]


def cancellation_charge_pence(*, booking: Booking, sides: Iterable[Side], now: datetime) -> int:
    """What cancelling now costs: the provider's side always cancels free; the person's side
    pays the booking's late share once its free-cancellation time has passed."""
    if Side.PERSON not in frozenset(sides) or booking.is_free_to_cancel(now):
        return 0
    return booking.amount_pence * booking.late_cancellation_percent // 100


# --- Running a row -----------------------------------------------------------------------------------------


def transition_apply(
    t: Transition,
    *,
    actor: User,
    sides: frozenset[Side],
    booking: Booking,
    now: datetime,
    reason: str = "",
    pay_pence: int | None = None,
    where: Q | None = None,
    **fields: Any,
) -> Booking:
    """Run one row on a booking inside the caller's transaction: the guarded status change,
    a BookingEvent and an audit row, the row's money, and its notification (outbox).

    The caller (a service) has already checked permission with `require_side` (hence
    `sides`) and its input. `where` adds conditions to the guarded UPDATE; `fields` are
    set with the status. `pay_pence` is staff's amount for Money.SETTLE_PART.
    """
    if not t.sources:
        raise ValueError(f"{t.action} creates a booking: it is not a move")  # pragma: no cover - a coding error
    _move(t, booking, actor=actor, reason=reason, where=where or Q(), **fields)
    paid = _move_money(t, booking, actor=actor, sides=sides, now=now, pay_pence=pay_pence)
    facts = {"reason": reason, "paid": format_pence(paid)}
    if t.money is Money.CANCELLATION:
        facts["cost"] = (
            f"A late-cancellation charge of {format_pence(paid)} applies." if paid else "There is no charge."
        )
    notify_both_sides(t, booking=booking, actor=actor, **facts)
    return booking


def _move(t: Transition, booking: Booking, *, actor: User, reason: str, where: Q, **fields: Any) -> None:
    current = Booking.objects.filter(pk=booking.pk).values_list("status", flat=True).first()
    # WHERE status IN (sources): of two parallel transitions only one wins. "AND status = current"
    # as well, so the event records the status the booking really left, however old `booking` is.
    moved = (
        Booking.objects.filter(where, pk=booking.pk, status__in=t.sources)
        .filter(status=current)
        .update(status=t.target, status_reason=reason, **fields)
    )
    if moved != 1:
        current = Booking.objects.filter(pk=booking.pk).values_list("status", flat=True).first()
        raise Conflict(f"This booking {_STATE_MESSAGES.get(current, 'cannot change now')}: it cannot be {t.past}.")
    BookingEvent.objects.create(booking=booking, actor=actor, from_status=current, to_status=t.target, reason=reason)
    audit_record(actor=actor, action=f"booking.{t.target}", obj=booking, from_status=current, reason=reason)
    booking.refresh_from_db()


def ledger_key(booking: Booking, step: str) -> str:
    # Derived from the booking, so its money moves at most once per kind whatever keys callers send.
    return f"booking-{booking.code}-{step}"


def _move_money(
    t: Transition, booking: Booking, *, actor: User, sides: frozenset[Side], now: datetime, pay_pence: int | None
) -> int:
    """The row's ledger movement. Returns the pence paid to the provider (0 when it all went back)."""
    if t.target in _FREES_SLOTS:
        BookingSlot.objects.filter(booking=booking).update(active=False)
    if t.money is Money.NONE:
        return 0
    if t.money is Money.SETTLE:
        paid = booking.amount_pence
    elif t.money is Money.SETTLE_PART:
        paid = pay_pence or 0
    elif t.money is Money.CANCELLATION:
        paid = cancellation_charge_pence(booking=booking, sides=sides, now=now)
    elif t.money is Money.RELEASE:
        paid = 0
    else:
        raise ValueError(f"{t.action}: {t.money} is not a move's money")  # pragma: no cover - a coding error
    if paid:
        # Less than the whole amount settles that much and releases the rest (budget_settle).
        budgets.budget_settle(
            actor=actor, commitment=booking.commitment, idempotency_key=ledger_key(booking, "settle"), amount_pence=paid
        )
    else:
        budgets.budget_release(
            actor=actor, commitment=booking.commitment, idempotency_key=ledger_key(booking, "release"), memo=t.memo
        )
    return paid


# --- Telling both sides ------------------------------------------------------------------------------------


def notify_both_sides(t: Transition, *, booking: Booking, actor: User, **facts: str) -> None:
    """Send row `t`'s notification to the person's side and the provider's members, except the
    actor: in-app now, e-mail through the outbox after commit (accounts.notifications)."""
    users = [
        u
        for u in [*person_side_users(person=booking.person), *provider_member_users(provider_id=booking.provider_id)]
        if u != actor
    ]
    values = _facts(booking, actor=actor) | facts
    notify(
        users=users,
        kind=Notification.Kind.BOOKING,
        subject=t.subject.format(**values),
        body=t.body.format(**values),
        url=reverse("marketplace:booking-detail", args=[booking.code]),
        key=f"booking:{booking.code}:{t.event}",
    )


def _facts(booking: Booking, *, actor: User) -> dict[str, str]:
    """What a notification may say. User input (a reason) is a value here, never part of a template."""
    when = clock.local_time(booking.starts_at) if booking.starts_at else None
    # Say who made the booking: a carer booking for the person is named, not the person
    # (a recurring plan's visits, booked by the system, were asked for by the person's side).
    by_other = actor.pk != booking.person.user_id and actor.email != SYSTEM_EMAIL
    return {
        "requester": actor.full_name if by_other else booking.person.display_name,
        "for_person": f" for {booking.person.display_name}" if by_other else "",
        "service": booking.service.name,
        "provider": booking.provider.name,
        "person": booking.person.display_name,
        "amount": format_pence(booking.amount_pence),
        "actor": actor.full_name,
        "when": f"{when:%-d %B %Y at %H:%M}" if when else "a time to be arranged",
        "reason": "",
        "paid": format_pence(0),
        "cost": "",
    }
