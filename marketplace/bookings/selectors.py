"""Reads for booking pages and the API, scoped to the user in SQL."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from accounts.models import CarerLink, ProviderMembership, User
from accounts.selectors import provider_ids_for_member
from carehub.errors import NotFound
from marketplace.models import Account, Booking, Message

S = Booking.Status


def _person_side_q(user: User) -> Q:
    viewable = CarerLink.objects.filter(carer=user, status=CarerLink.Status.ACTIVE, can_view=True).values("person_id")
    return Q(person__user=user) | Q(person_id__in=viewable)


def booking_list_for_user(*, user: User) -> QuerySet[Booking]:
    """Bookings the user may see: the person's side (themselves, or people they may view) and their providers'."""
    if not user.is_authenticated:
        return Booking.objects.none()
    providers = provider_ids_for_member(user=user)
    return (
        Booking.objects.filter(_person_side_q(user) | Q(provider_id__in=providers))
        .select_related("service", "provider", "person__user", "commitment")
        .distinct()
    )


def booking_get_for_user(*, user: User, code: object) -> Booking:
    """404 both when the booking is missing and when it is not the user's, so nothing leaks."""
    booking = booking_list_for_user(user=user).filter(code=code).first()
    if booking is None:
        raise NotFound("Booking not found.")
    return booking


def booking_latest_person_message(*, booking: Booking) -> Message | None:
    """The latest message the person's side wrote about this booking (for the provider's page).
    The caller has already looked the booking up for the user."""
    return (
        Message.objects.filter(thread__booking=booking)
        .exclude(author__provider_memberships__provider_id=booking.provider_id)
        .select_related("author")
        .order_by("-created_at", "-pk")
        .first()
    )


@dataclass
class MyBookings:
    needing_confirmation: list[Booking]
    upcoming: list[Booking]
    past: list[Booking]


def booking_groups_for_person_side(*, user: User) -> MyBookings:
    rows = list(
        Booking.objects.filter(_person_side_q(user))
        .select_related("service", "provider", "person__user")
        .order_by("starts_at", "pk")
    )
    return MyBookings(
        needing_confirmation=[b for b in rows if b.status == S.DELIVERED],
        upcoming=[b for b in rows if b.status in Booking.OPEN_STATUSES],
        past=[b for b in rows if b.status in (S.COMPLETED, S.DECLINED, S.CANCELLED, S.DISPUTED)][::-1],
    )


@dataclass
class ProviderInbox:
    requests: list[Booking]
    to_schedule: list[Booking]
    to_deliver: list[Booking]
    awaiting_confirmation: list[Booking]


def booking_inbox_for_provider_side(*, user: User) -> ProviderInbox:
    providers = provider_ids_for_member(user=user)
    rows = list(
        Booking.objects.filter(
            provider_id__in=providers, status__in=[S.REQUESTED, S.ACCEPTED, S.SCHEDULED, S.DELIVERED]
        )
        .select_related("service", "provider", "person__user")
        .order_by("starts_at", "pk")
    )
    return ProviderInbox(
        requests=[b for b in rows if b.status == S.REQUESTED],
        to_schedule=[b for b in rows if b.status == S.ACCEPTED],
        to_deliver=[b for b in rows if b.status == S.SCHEDULED],
        awaiting_confirmation=[b for b in rows if b.status == S.DELIVERED],
    )


def provider_balances_for_user(*, user: User) -> list[tuple[str, int]]:
    """(provider name, pence owed to it and not yet paid out) for each provider the user belongs to."""
    memberships = ProviderMembership.objects.filter(user=user).select_related("provider").order_by("provider__name")
    owed = dict(
        Account.objects.filter(
            kind=Account.Kind.PROVIDER_PAYABLE, provider_id__in=[m.provider_id for m in memberships]
        ).values_list("provider_id", "balance_pence")
    )
    return [(m.provider.name, owed.get(m.provider_id, 0)) for m in memberships]
