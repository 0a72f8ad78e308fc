"""Booking pages: book from a service page, 'My bookings', the provider's
inbox, one booking with its actions. Plain forms: no JavaScript needed."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from accounts.selectors import people_user_may_act_for
from carehub import clock
from carehub.errors import DomainError, NotFound
from carehub.forms import add_domain_error
from directory.models import Service
from directory.search.selectors import service_get_for_user
from marketplace.bookings import plans as bookings_plans
from marketplace.bookings import selectors as bookings_selectors
from marketplace.bookings import services as bookings
from marketplace.bookings import transitions
from marketplace.bookings.availability import free_hours
from marketplace.bookings.forms import BookingForm, DayForm, PlanForm, ReasonForm
from marketplace.bookings.transitions import Reason, Side
from marketplace.budgets import selectors
from marketplace.models import Booking


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "404.html", status=404)


@login_required
def booking_new(request: HttpRequest, service_code: uuid.UUID) -> HttpResponse:
    service = service_get_for_user(user=request.user, code=service_code)
    people = people_user_may_act_for(user=request.user, scope_field="can_book")
    hourly = service.price_unit == Service.PriceUnit.HOUR
    day_form = DayForm(request.GET or request.POST or {"day": (clock.today()).isoformat()})
    day: date | None = day_form.cleaned_data["day"] if day_form.is_valid() else None
    hours = free_hours(service=service, day=day) if hourly and day else []
    choices = [(h.isoformat(), clock.local_time(h).strftime("%H:%M")) for h in hours]
    budgets = list(selectors.budget_list_for_booking(people=people))
    form = BookingForm(
        request.POST if request.method == "POST" else None,
        people=people,
        hourly=hourly,
        hour_choices=choices,
        budgets=budgets,
    )
    short: bookings.BudgetShort | None = None
    bookable = service.status == Service.Status.PUBLISHED and bool(service.price_pence) and not service.price_on_request
    if request.method == "POST" and form.is_valid() and bookable:
        data = form.cleaned_data
        try:
            booking = bookings.booking_request(
                actor=request.user,
                service=service,
                person=data["person"],
                idempotency_key=data["idempotency_key"],
                starts_at=datetime.fromisoformat(data["starts_at"]) if hourly else _day_start(data.get("day")),
                hours=data.get("hours"),
                quantity=data.get("quantity"),
                note=data["note"],
                budget=data.get("budget"),
            )
        except bookings.BudgetShort as error:
            # Against the budget choice when there is one; with one budget, about the whole booking.
            short = error
            add_domain_error(form, error, default_field=None)
        except DomainError as error:
            # A chosen budget whose period does not cover the date: the choice is what to change.
            when_field = "starts_at" if hourly else "day"
            budget_problem = error.field == "due_on" and "budget" in form.fields
            add_domain_error(form, error, default_field="budget" if budget_problem else when_field)
        else:
            messages.success(request, "Your booking request has been sent. The money is set aside in your budget.")
            return redirect("marketplace:booking-detail", code=booking.code)
    context = {
        "service": service,
        "form": form,
        "day_form": day_form,
        "day": day,
        "hourly": hourly,
        "bookable": bookable,
        "has_people": people.exists(),
        "rule": service.cancellation_rule,
        "budgets": selectors.budget_list_for_user(user=request.user) if people.exists() else [],
        "short": short,
        "other_budgets": [b for b in budgets if short and b != short.budget and b.person_id == short.budget.person_id],
    }
    status = 400 if form.errors or day_form.errors else 200
    return render(request, "marketplace/booking_new.html", context, status=status)


def _day_start(day: date | None) -> datetime | None:
    return clock.at_local(day, time(9)) if day else None


@login_required
def booking_list(request: HttpRequest) -> HttpResponse:
    groups = bookings_selectors.booking_groups_for_person_side(user=request.user)
    return render(request, "marketplace/booking_list.html", {"groups": groups})


@login_required
def booking_inbox(request: HttpRequest) -> HttpResponse:
    inbox = bookings_selectors.booking_inbox_for_provider_side(user=request.user)
    balances = bookings_selectors.provider_balances_for_user(user=request.user)
    return render(request, "marketplace/booking_inbox.html", {"inbox": inbox, "balances": balances})


@login_required
def booking_detail(request: HttpRequest, code: uuid.UUID) -> HttpResponse:
    try:
        booking = bookings_selectors.booking_get_for_user(user=request.user, code=code)
    except NotFound:
        return _not_found(request)
    return render(request, "marketplace/booking_detail.html", _detail_context(request, booking, ReasonForm()))


def _detail_context(request: HttpRequest, booking: Booking, form: ReasonForm, posted_action: str = "") -> dict:
    # The table says which actions this user may take now, and what cancelling would cost them.
    sides = transitions.sides_of(request.user, booking)
    actions = transitions.actions_for(sides=sides, booking=booking)
    late_charge = (
        transitions.cancellation_charge_pence(booking=booking, sides=sides, now=clock.now())
        if transitions.CANCEL in actions
        else 0
    )
    return {
        "booking": booking,
        "events": booking.events.select_related("actor"),
        "actions": actions,
        "form": form,
        "person_side": Side.PERSON in sides,
        "provider_side": Side.PROVIDER in sides,
        "late_charge_pence": late_charge,
        "posted_action": posted_action,
        "latest_message": (
            bookings_selectors.booking_latest_person_message(booking=booking) if Side.PROVIDER in sides else None
        ),
    }


@login_required
@require_POST
def booking_action(request: HttpRequest, code: uuid.UUID, action: str) -> HttpResponse:
    try:
        booking = bookings_selectors.booking_get_for_user(user=request.user, code=code)
    except NotFound:
        return _not_found(request)
    transition = transitions.USER_ACTIONS.get(action)
    if transition is None:
        return _not_found(request)
    form = ReasonForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            bookings.booking_act(
                actor=request.user,
                booking=booking,
                action=action,
                idempotency_key=data["idempotency_key"],
                reason=data["reason"],
                starts_at=data.get("starts_at"),
            )
        except DomainError as error:
            add_domain_error(form, error, default_field="reason" if transition.reason is Reason.REQUIRED else None)
        else:
            messages.success(request, transition.done)
            return redirect("marketplace:booking-detail", code=booking.code)
    booking.refresh_from_db()
    context = _detail_context(request, booking, form, posted_action=action)
    return render(request, "marketplace/booking_detail.html", context, status=400)


@login_required
def plan_new(request: HttpRequest, service_code: uuid.UUID) -> HttpResponse:
    """Set up regular visits. The page says how the money works: planned now, set aside week by week."""
    service = service_get_for_user(user=request.user, code=service_code)
    people = people_user_may_act_for(user=request.user, scope_field="can_book")
    form = PlanForm(request.POST if request.method == "POST" else None, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            plan = bookings_plans.recurring_plan_create(
                actor=request.user,
                service=service,
                person=data["person"],
                weekdays=data["weekdays"],
                time_of_day=data["time_of_day"],
                hours=data["hours"] or 1,
                weeks=data["weeks"],
                starts_on=data["starts_on"],
                idempotency_key=data["idempotency_key"],
            )
        except DomainError as error:
            add_domain_error(form, error, default_field="weeks")
        else:
            messages.success(
                request,
                f"Regular visits are planned: {plan.visits_per_week} a week for {plan.weeks} weeks. "
                "The first week is booked; each later week is booked a week ahead.",
            )
            return redirect("marketplace:booking-list")
    context = {"service": service, "form": form, "has_people": people.exists()}
    return render(request, "marketplace/plan_new.html", context, status=400 if form.errors else 200)
