"""Admin for bookings: read-only rows, and the dispute queue with its two resolutions.

Disputed bookings are found with the status filter ("Disputed"); the actions
call booking_resolve_dispute, so the money moves through the ledger exactly
as it would from any other caller.
"""

from __future__ import annotations

import uuid

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from accounts.admin import VettingOfficerAccess
from carehub.errors import DomainError
from marketplace.bookings import services as bookings
from marketplace.models import Booking, BookingEvent, MessageThread, RecurringPlan


class BookingEventInline(admin.TabularInline):
    model = BookingEvent
    extra = 0
    can_delete = False
    readonly_fields = ["created_at", "actor", "from_status", "to_status", "reason"]

    def has_add_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False


def _resolve(request: HttpRequest, queryset: QuerySet[Booking], *, pay_full: bool) -> None:
    done = 0
    for booking in queryset.filter(status=Booking.Status.DISPUTED):
        try:
            bookings.booking_resolve_dispute(
                actor=request.user,
                booking=booking,
                pay_pence=booking.amount_pence if pay_full else 0,
                reason="Resolved by CareHub staff: " + ("provider paid" if pay_full else "money returned"),
                idempotency_key=str(uuid.uuid4()),
            )
        except DomainError as error:
            messages.error(request, f"{booking}: {error.message}")
        else:
            done += 1
    messages.info(request, f"{done} dispute(s) resolved.")


@admin.action(description="Resolve dispute: pay the provider in full")
def resolve_pay(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Booking]) -> None:
    _resolve(request, queryset, pay_full=True)


@admin.action(description="Resolve dispute: return the money to the budget")
def resolve_refund(modeladmin: admin.ModelAdmin, request: HttpRequest, queryset: QuerySet[Booking]) -> None:
    _resolve(request, queryset, pay_full=False)


@admin.register(Booking)
class BookingAdmin(VettingOfficerAccess, admin.ModelAdmin):
    list_display = ["code", "service", "person", "status", "starts_at", "amount_pence"]
    list_filter = ["status"]
    search_fields = ["code", "service__name", "provider__name"]
    inlines = [BookingEventInline]
    actions = [resolve_pay, resolve_refund]
    readonly_fields = [f.name for f in Booking._meta.fields]

    def has_add_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    def has_delete_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False


@admin.register(RecurringPlan, MessageThread)
class ReadOnlyBookingThingsAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False

    def has_change_permission(self, request, obj=None):  # noqa: ANN001, ANN201
        return False
