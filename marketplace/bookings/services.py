"""Booking services: the state machine of issue 6, one function per transition.

    requested ──accept──> accepted ──schedule──> scheduled ──deliver──> delivered ──confirm──> completed
        │                    │                       │                      │  └─(7 days)─auto_complete─┘
        └─decline            └──────cancel (either side, any open status)───┘      └─dispute─> disputed
                                                                                     (admin: resolve)

Money (marketplace.services, through the ledger): committed when requested,
released when declined or cancelled (or settled in part when the person
cancels late: the rule copied onto the booking), settled to the provider
when completed. Each transition checks permission, then state (a conditional
UPDATE on the status, so two parallel transitions cannot both win), moves
the money in the same transaction, records a BookingEvent and notifies the
other side through the outbox (accounts.notifications).

Idempotency: each call takes the caller's key (idempotent_run). The ledger
calls inside use keys derived from the booking code ("booking-<code>-settle"),
so the money of one booking can move at most once per kind whatever the caller's keys.

Permission: the person's side (the person or a carer with the 'book' scope)
requests, confirms, disputes and cancels; the provider's members accept,
decline, schedule, deliver and cancel. budget_settle accepts the person's
side or platform staff; auto-completion and dispute resolution run as the
system actor / a superuser, which budget_settle treats as platform finance.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import CarerLink, PersonProfile, ProviderMembership, User
from accounts.notifications.models import Notification
from accounts.notifications.services import notify
from accounts.permissions import Action, can, is_platform_finance
from accounts.services import audit_record, system_actor
from carehub import clock
from carehub.errors import Conflict, DomainError, NotPermitted
from carehub.money import format_pence
from directory.models import Service
from marketplace.bookings.availability import hour_is_open
from marketplace.budgets import services
from marketplace.ledger.idempotency import idempotent_run
from marketplace.models import Booking, BookingEvent, BookingSlot, Budget
from marketplace.models.bookings import AUTO_COMPLETE_AFTER

MAX_HOURS = 12
MAX_QUANTITY = 100
S = Booking.Status


class SlotTaken(Conflict):
    code = "slot_taken"


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


# --- Who is on which side ---------------------------------------------------------------------------


def person_side_users(person: PersonProfile) -> list[User]:
    carers = [
        link.carer
        for link in CarerLink.objects.filter(
            person=person, status=CarerLink.Status.ACTIVE, can_view=True
        ).select_related("carer")
    ]
    return [person.user, *carers]


def provider_side_users(provider_id: int) -> list[User]:
    return [m.user for m in ProviderMembership.objects.filter(provider_id=provider_id).select_related("user")]


def is_person_side(user: User, booking: Booking) -> bool:
    return can(user, Action.PERSON_BOOK, booking)


def is_provider_side(user: User, booking: Booking) -> bool:
    return can(user, Action.PROVIDER_MANAGE, booking)


def _require_person_side(actor: User, booking: Booking) -> None:
    if not is_person_side(actor, booking):
        raise NotPermitted("Only the person, or a carer they allow to book, can do that.")


def _require_provider_side(actor: User, booking: Booking) -> None:
    if not is_provider_side(actor, booking):
        raise NotPermitted("Only the provider of this booking can do that.")


# --- Shared steps -------------------------------------------------------------------------------------


def _reason(reason: str, *, required: bool, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise DomainError("Give a reason.", field=field)
    if len(reason) > 500:
        raise DomainError("Keep the reason to 500 characters or fewer.", field=field)
    return reason


def _move(
    booking: Booking, *, actor: User, to: str, allowed_from: tuple[str, ...], reason: str = "", **fields: Any
) -> None:
    """The state guard: a conditional UPDATE, so of two parallel transitions only one wins."""
    if (
        Booking.objects.filter(pk=booking.pk, status__in=allowed_from).update(status=to, status_reason=reason, **fields)
        != 1
    ):
        current = Booking.objects.filter(pk=booking.pk).values_list("status", flat=True).first()
        raise Conflict(f"This booking {_STATE_MESSAGES.get(current, 'cannot change now')}: it cannot be {_VERB[to]}.")
    BookingEvent.objects.create(booking=booking, actor=actor, from_status=booking.status, to_status=to, reason=reason)
    audit_record(actor=actor, action=f"booking.{to}", obj=booking, from_status=booking.status, reason=reason)
    booking.refresh_from_db()


_VERB = {
    S.ACCEPTED: "accepted",
    S.DECLINED: "declined",
    S.SCHEDULED: "scheduled",
    S.DELIVERED: "marked as delivered",
    S.COMPLETED: "confirmed",
    S.CANCELLED: "cancelled",
    S.DISPUTED: "disputed",
}


def _notify(booking: Booking, *, actor: User, event: str, subject: str, body: str) -> None:
    users = [u for u in [*person_side_users(booking.person), *provider_side_users(booking.provider_id)] if u != actor]
    notify(
        users=users,
        kind=Notification.Kind.BOOKING,
        subject=subject,
        body=body,
        url=reverse("marketplace:booking-detail", args=[booking.code]),
        key=f"booking:{booking.code}:{event}",
    )


def _ledger_key(booking: Booking, step: str) -> str:
    return f"booking-{booking.code}-{step}"


def _release(booking: Booking, *, actor: User, memo: str) -> None:
    BookingSlot.objects.filter(booking=booking).update(active=False)
    services.budget_release(
        actor=actor, commitment=booking.commitment, idempotency_key=_ledger_key(booking, "release"), memo=memo
    )


def _settle(booking: Booking, *, actor: User, amount_pence: int | None = None) -> None:
    services.budget_settle(
        actor=actor,
        commitment=booking.commitment,
        idempotency_key=_ledger_key(booking, "settle"),
        amount_pence=amount_pence,
    )


def _run(*, actor: User, key: str, operation: str, booking: Booking, params: dict[str, Any], run: Any) -> Booking:
    return idempotent_run(
        actor=actor, key=key, operation=operation, params={"booking": str(booking.code), **params}, run=run
    )[0]


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
    )
    try:
        with transaction.atomic():
            BookingSlot.objects.bulk_create([BookingSlot(booking=booking, service=service, starts_at=s) for s in slots])
    except IntegrityError as exc:
        # A parallel request took one of these hours between our check and our insert.
        raise SlotTaken("Someone has just booked that time: choose another.", field="starts_at") from exc
    booking.commitment = services.budget_commit(
        actor=actor,
        budget=budget,
        amount_pence=booking.amount_pence,
        reference=f"booking-{booking.code}",
        provider=service.provider,
        idempotency_key=_ledger_key(booking, "commit"),
        description=f"{service.name} ({service.provider.name})"[:255],
        category=service.categories.first(),
        due_on=clock.local_date(starts_at) if starts_at else None,
    )
    booking.save(update_fields=["commitment"])
    BookingEvent.objects.create(booking=booking, actor=actor, to_status=S.REQUESTED, reason=note[:500])
    audit_record(actor=actor, action="booking.requested", obj=booking, amount_pence=booking.amount_pence)
    _notify(
        booking,
        actor=actor,
        event="requested",
        subject=f"New booking request: {service.name}",
        body=f"{person.display_name} asked to book {service.name} ({format_pence(booking.amount_pence)}).",
    )
    return booking


# --- Provider's side ----------------------------------------------------------------------------------


@transaction.atomic
def booking_accept(*, actor: User, booking: Booking, idempotency_key: str) -> Booking:
    _require_provider_side(actor, booking)

    def run() -> Booking:
        _move(booking, actor=actor, to=S.ACCEPTED, allowed_from=(S.REQUESTED,))
        _notify(
            booking,
            actor=actor,
            event="accepted",
            subject=f"Booking accepted: {booking.service.name}",
            body=f"{booking.provider.name} accepted your booking.",
        )
        return booking

    return _run(actor=actor, key=idempotency_key, operation="booking_accept", booking=booking, params={}, run=run)


@transaction.atomic
def booking_decline(*, actor: User, booking: Booking, reason: str, idempotency_key: str) -> Booking:
    """Decline a request (a reason is required); the money goes back to the budget."""
    _require_provider_side(actor, booking)
    reason = _reason(reason, required=True)

    def run() -> Booking:
        _move(booking, actor=actor, to=S.DECLINED, allowed_from=(S.REQUESTED,), reason=reason)
        _release(booking, actor=actor, memo="Booking declined: money returned to the budget")
        _notify(
            booking,
            actor=actor,
            event="declined",
            subject=f"Booking declined: {booking.service.name}",
            body=f"{booking.provider.name} declined: {reason}",
        )
        return booking

    return _run(
        actor=actor,
        key=idempotency_key,
        operation="booking_decline",
        booking=booking,
        params={"reason": reason},
        run=run,
    )


@transaction.atomic
def booking_schedule(
    *, actor: User, booking: Booking, idempotency_key: str, starts_at: datetime | None = None
) -> Booking:
    """Fix the time of an accepted booking. Hourly bookings keep their slots; a one-off may be given a time."""
    _require_provider_side(actor, booking)
    if starts_at is not None:
        if booking.kind == Booking.Kind.HOURLY:
            raise DomainError("An hourly booking keeps the hours the person chose.", field="starts_at")
        if starts_at <= clock.now():
            raise DomainError("That time has passed: choose a time in the future.", field="starts_at")
    if starts_at is None and booking.starts_at is None:
        raise DomainError("Choose when the care will happen.", field="starts_at")

    def run() -> Booking:
        fields = {"starts_at": starts_at} if starts_at else {}
        _move(booking, actor=actor, to=S.SCHEDULED, allowed_from=(S.ACCEPTED,), **fields)
        when = clock.local_time(booking.starts_at)
        _notify(
            booking,
            actor=actor,
            event="scheduled",
            subject=f"Booking scheduled: {booking.service.name}",
            body=f"It is scheduled for {when:%-d %B %Y at %H:%M}.",
        )
        return booking

    return _run(
        actor=actor,
        key=idempotency_key,
        operation="booking_schedule",
        booking=booking,
        params={"starts_at": starts_at},
        run=run,
    )


@transaction.atomic
def booking_deliver(*, actor: User, booking: Booking, idempotency_key: str) -> Booking:
    """The provider says the care happened. The person confirms, or it completes itself after 7 days."""
    _require_provider_side(actor, booking)
    now = clock.now()
    if booking.status == S.SCHEDULED and booking.starts_at and booking.starts_at > now:
        raise DomainError("You can mark the care as delivered once it has started.")

    def run() -> Booking:
        _move(booking, actor=actor, to=S.DELIVERED, allowed_from=(S.SCHEDULED,), delivered_at=now)
        _notify(
            booking,
            actor=actor,
            event="delivered",
            subject=f"Please confirm: {booking.service.name}",
            body=f"{booking.provider.name} says the care was delivered. Confirm it, or tell us if something was wrong. "
            "If we hear nothing, it is paid in 7 days.",
        )
        return booking

    return _run(actor=actor, key=idempotency_key, operation="booking_deliver", booking=booking, params={}, run=run)


# --- Person's side --------------------------------------------------------------------------------------


@transaction.atomic
def booking_confirm(*, actor: User, booking: Booking, idempotency_key: str) -> Booking:
    """The person (or carer) confirms delivery: the committed money is paid to the provider."""
    _require_person_side(actor, booking)

    def run() -> Booking:
        _move(booking, actor=actor, to=S.COMPLETED, allowed_from=(S.DELIVERED,), completed_at=clock.now())
        _settle(booking, actor=actor)
        _notify(
            booking,
            actor=actor,
            event="completed",
            subject=f"Booking confirmed: {booking.service.name}",
            body=f"Confirmed. {format_pence(booking.amount_pence)} is paid to {booking.provider.name}.",
        )
        return booking

    return _run(actor=actor, key=idempotency_key, operation="booking_confirm", booking=booking, params={}, run=run)


@transaction.atomic
def booking_dispute(*, actor: User, booking: Booking, reason: str, idempotency_key: str) -> Booking:
    """Something was wrong: payment is frozen and the booking goes to the admin queue."""
    _require_person_side(actor, booking)
    reason = _reason(reason, required=True)

    def run() -> Booking:
        _move(booking, actor=actor, to=S.DISPUTED, allowed_from=(S.DELIVERED,), reason=reason)
        _notify(
            booking,
            actor=actor,
            event="disputed",
            subject=f"Booking disputed: {booking.service.name}",
            body=f"Payment is on hold while our team looks at it: {reason}",
        )
        return booking

    return _run(
        actor=actor,
        key=idempotency_key,
        operation="booking_dispute",
        booking=booking,
        params={"reason": reason},
        run=run,
    )


@transaction.atomic
def booking_cancel(*, actor: User, booking: Booking, reason: str, idempotency_key: str) -> Booking:
    """Cancel an open booking. The provider cancels at no cost to the person; the
    person cancels free until the booking's rule says otherwise, then pays the
    late-cancellation share (settled to the provider, the rest released)."""
    person_side = is_person_side(actor, booking)
    if not (person_side or is_provider_side(actor, booking)):
        raise NotPermitted("You do not have permission to cancel this booking.")
    reason = _reason(reason, required=False)

    def run() -> Booking:
        _move(booking, actor=actor, to=S.CANCELLED, allowed_from=tuple(Booking.OPEN_STATUSES), reason=reason)
        charge = 0
        if person_side and not booking.is_free_to_cancel(clock.now()):
            charge = booking.amount_pence * booking.late_cancellation_percent // 100
        if charge:
            BookingSlot.objects.filter(booking=booking).update(active=False)
            _settle(booking, actor=actor, amount_pence=charge)
        else:
            _release(booking, actor=actor, memo="Booking cancelled: money returned to the budget")
        cost = f"A late-cancellation charge of {format_pence(charge)} applies." if charge else "There is no charge."
        _notify(
            booking,
            actor=actor,
            event="cancelled",
            subject=f"Booking cancelled: {booking.service.name}",
            body=f"Cancelled by {actor.full_name}. {cost}",
        )
        return booking

    return _run(
        actor=actor,
        key=idempotency_key,
        operation="booking_cancel",
        booking=booking,
        params={"reason": reason},
        run=run,
    )


# --- The system and the admin queue ---------------------------------------------------------------------


@transaction.atomic
def booking_auto_complete(*, booking: Booking, now: datetime | None = None) -> Booking:
    """Delivered 7 days ago and neither confirmed nor disputed: pay the provider (system actor)."""
    now = now or clock.now()
    if booking.delivered_at is None or booking.delivered_at > now - AUTO_COMPLETE_AFTER:
        raise Conflict("This booking was delivered less than 7 days ago.")
    actor = system_actor()

    def run() -> Booking:
        _move(
            booking,
            actor=actor,
            to=S.COMPLETED,
            allowed_from=(S.DELIVERED,),
            reason="No reply within 7 days of delivery",
            completed_at=now,
        )
        _settle(booking, actor=actor)
        _notify(
            booking,
            actor=actor,
            event="completed",
            subject=f"Booking completed: {booking.service.name}",
            body=f"7 days passed since delivery, so {format_pence(booking.amount_pence)} "
            f"is paid to {booking.provider.name}.",
        )
        return booking

    return _run(
        actor=actor,
        key=_ledger_key(booking, "auto-complete"),
        operation="booking_auto_complete",
        booking=booking,
        params={},
        run=run,
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
    if not is_platform_finance(actor):
        raise NotPermitted("Only CareHub staff can resolve a dispute.")
    reason = _reason(reason, required=True)
    if isinstance(pay_pence, bool) or not isinstance(pay_pence, int) or not 0 <= pay_pence <= booking.amount_pence:
        raise DomainError(f"Pay from £0 to {format_pence(booking.amount_pence)}.", field="pay_pence")

    def run() -> Booking:
        if pay_pence:
            _move(
                booking,
                actor=actor,
                to=S.COMPLETED,
                allowed_from=(S.DISPUTED,),
                reason=reason,
                completed_at=clock.now(),
            )
            _settle(booking, actor=actor, amount_pence=pay_pence)
        else:
            _move(booking, actor=actor, to=S.CANCELLED, allowed_from=(S.DISPUTED,), reason=reason)
            _release(booking, actor=actor, memo="Dispute resolved: money returned to the budget")
        _notify(
            booking,
            actor=actor,
            event="resolved",
            subject=f"Dispute resolved: {booking.service.name}",
            body=f"{reason} The provider is paid {format_pence(pay_pence)}.",
        )
        return booking

    return _run(
        actor=actor,
        key=idempotency_key,
        operation="booking_resolve_dispute",
        booking=booking,
        params={"pay_pence": pay_pence, "reason": reason},
        run=run,
    )


def booking_disputes_open() -> Any:
    """The admin queue."""
    return Booking.objects.filter(status=S.DISPUTED).select_related("service", "provider", "person__user")


__all__ = [
    "SlotTaken",
    "booking_accept",
    "booking_auto_complete",
    "booking_auto_complete_due",
    "booking_cancel",
    "booking_confirm",
    "booking_decline",
    "booking_deliver",
    "booking_dispute",
    "booking_request",
    "booking_resolve_dispute",
    "booking_schedule",
]
