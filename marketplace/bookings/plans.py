"""Recurring plans: regular visits shown as planned spend, committed week by week.

A plan (for example Monday, Wednesday and Friday at 10:00 for twelve weeks)
is checked against the budget as a whole when it is made, then a Celery beat
task (`recurring_plans_commit_task`, daily) turns the next 7 days' visits
into ordinary bookings: each one is committed from the budget then, and the
provider accepts or declines each as usual. A visit that cannot be booked
(the hour was taken, the money ran out) is skipped and the person's side is
told. Until a visit is booked its cost shows as planned, not committed.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse

from accounts.models import CarerLink, PersonProfile, ProviderMembership, User
from accounts.notifications.models import Notification
from accounts.notifications.services import notify
from accounts.permissions import Action, can
from accounts.selectors import person_side_users, provider_member_users
from accounts.services import audit_record, system_actor
from carehub import clock
from carehub.errors import DomainError, NotPermitted
from carehub.money import format_pence
from directory.models import Service
from marketplace import ledger
from marketplace.bookings.availability import hour_is_open
from marketplace.bookings.services import MAX_HOURS, _booking_create, booking_budget_for
from marketplace.ledger.idempotency import idempotent_run
from marketplace.models import Booking, RecurringPlan

COMMIT_AHEAD = timedelta(days=7)
MAX_WEEKS = 52


def _visit_start(plan: RecurringPlan, day: date) -> datetime:
    return clock.at_local_or_after(day, plan.time_of_day)


def recurring_plan_uncommitted_pence(plan: RecurringPlan, *, today: date | None = None) -> int:
    """Planned spend not yet committed: visits from today on that are not bookings yet."""
    if plan.status != RecurringPlan.Status.ACTIVE:
        return 0
    today = today or clock.today()
    booked = {clock.local_date(s) for s in plan.bookings.values_list("starts_at", flat=True)}
    return plan.visit_price_pence * sum(1 for d in plan.visit_dates() if d >= today and d not in booked)


@transaction.atomic
def recurring_plan_create(
    *,
    actor: User,
    service: Service,
    person: PersonProfile,
    weekdays: list[int],
    time_of_day: time,
    weeks: int,
    starts_on: date,
    idempotency_key: str,
    hours: int = 1,
) -> RecurringPlan:
    """Set up regular visits and book the first week. Raises NotPermitted, DomainError."""
    if not can(actor, Action.PERSON_BOOK, person):
        raise NotPermitted("You do not have permission to book care for this person.")
    if service.status != Service.Status.PUBLISHED or not service.price_pence or service.price_on_request:
        raise DomainError("This service cannot be booked online. Send the provider a message instead.")
    days = sorted(set(weekdays))
    if not days or any(not 0 <= d <= 6 for d in days):
        raise DomainError("Choose at least one day of the week.", field="weekdays")
    if not isinstance(weeks, int) or not 1 <= weeks <= MAX_WEEKS:
        raise DomainError(f"Choose from 1 to {MAX_WEEKS} weeks.", field="weeks")
    if starts_on <= clock.today():
        raise DomainError("The plan must start tomorrow or later.", field="starts_on")
    hourly = service.price_unit == Service.PriceUnit.HOUR
    if hourly:
        if time_of_day.minute or not 1 <= hours <= MAX_HOURS:
            raise DomainError(f"Visits start on the hour and last 1 to {MAX_HOURS} hours.", field="time_of_day")
    else:
        hours = 1
    plan = RecurringPlan(
        service=service,
        provider_id=service.provider_id,
        person=person,
        requested_by=actor,
        weekdays=",".join(str(d) for d in days),
        time_of_day=time_of_day,
        hours=hours,
        visit_price_pence=service.price_pence * hours,
        starts_on=starts_on,
        weeks=weeks,
    )
    if hourly:
        for day in plan.visit_dates()[: len(days)]:  # the first week covers each chosen weekday once
            start = _visit_start(plan, day)
            if not all(hour_is_open(service=service, starts_at=clock.hours_later(start, i)) for i in range(hours)):
                raise DomainError(
                    f"The provider is not available on {day:%A}s at {time_of_day:%H:%M}.", field="weekdays"
                )
    plan.budget = booking_budget_for(person=person, on=_visit_start(plan, starts_on))
    if plan.ends_on > plan.budget.period_end:
        raise DomainError(
            f"The plan runs past the end of the budget period ({plan.budget.period_end:%-d %B %Y}). "
            "Choose fewer weeks.",
            field="weeks",
        )
    available = ledger.account_budget_available(plan.budget).balance_pence
    if plan.total_pence > available:
        raise DomainError(
            f"The plan costs {format_pence(plan.total_pence)} in all, but only {format_pence(available)} is left "
            "in the budget.",
            field="weeks",
        )

    def run() -> RecurringPlan:
        plan.save()
        audit_record(actor=actor, action="recurring_plan.create", obj=plan, total_pence=plan.total_pence)
        notify(
            users=[
                u
                for u in [*person_side_users(person=person), *provider_member_users(provider_id=service.provider_id)]
                if u != actor
            ],
            kind=Notification.Kind.BOOKING,
            subject=f"Regular visits planned: {service.name}",
            body=f"{plan.visits_per_week} a week for {weeks} weeks from {starts_on:%-d %B}. "
            "Each week's visits are booked a week ahead.",
            url=reverse("marketplace:booking-list"),
            key=f"plan:{plan.code}:created",
        )
        recurring_plan_commit_week(plan=plan)
        return plan

    params = {
        "service": str(service.code),
        "person": str(person.code),
        "weekdays": days,
        "time_of_day": time_of_day,
        "hours": hours,
        "weeks": weeks,
        "starts_on": starts_on,
    }
    return idempotent_run(actor=actor, key=idempotency_key, operation="recurring_plan_create", params=params, run=run)[
        0
    ]


def recurring_plan_commit_week(*, plan: RecurringPlan, now: datetime | None = None) -> list[Booking]:
    """Book (and commit the money for) the plan's visits in the next 7 days that are not booked yet."""
    now = now or clock.now()
    actor = system_actor()
    booked = set(plan.bookings.values_list("starts_at", flat=True))
    made, skipped = [], []
    for day in plan.visit_dates():
        start = _visit_start(plan, day)
        if start <= now or start > now + COMMIT_AHEAD or start in booked:
            continue
        try:
            with transaction.atomic():
                made.append(
                    _booking_create(
                        actor=actor,
                        service=plan.service,
                        person=plan.person,
                        starts_at=start,
                        hours=plan.hours if plan.service.price_unit == Service.PriceUnit.HOUR else None,
                        quantity=None if plan.service.price_unit == Service.PriceUnit.HOUR else 1,
                        note="A visit from a regular plan",
                        budget=plan.budget,
                        plan=plan,
                    )
                )
        except DomainError as error:
            skipped.append(f"{clock.local_time(start):%A %-d %B %H:%M}: {error.message}")
    if skipped:
        notify(
            users=person_side_users(person=plan.person),
            kind=Notification.Kind.BOOKING,
            subject=f"Some regular visits could not be booked: {plan.service.name}",
            body="\n".join(skipped),
            url=reverse("marketplace:booking-list"),
            key=f"plan:{plan.code}:skipped:{now:%Y%m%d%H%M}",
        )
    return made


def recurring_plans_commit_due(*, now: datetime | None = None) -> int:
    """Beat (daily): book the coming week of every active plan; end plans that are over."""
    now = now or clock.now()
    today = clock.local_date(now)
    made = 0
    for plan in RecurringPlan.objects.filter(status=RecurringPlan.Status.ACTIVE).select_related("service", "person"):
        if plan.ends_on < today:
            RecurringPlan.objects.filter(pk=plan.pk).update(status=RecurringPlan.Status.ENDED)
            continue
        with transaction.atomic():
            made += len(recurring_plan_commit_week(plan=plan, now=now))
    return made


@transaction.atomic
def recurring_plan_end(*, actor: User, plan: RecurringPlan) -> RecurringPlan:
    """Stop booking further visits. Visits already booked stay, and can be cancelled one by one."""
    if not (can(actor, Action.PERSON_BOOK, plan) or can(actor, Action.PROVIDER_MANAGE, plan)):
        raise NotPermitted("You do not have permission to change this plan.")
    RecurringPlan.objects.filter(pk=plan.pk).update(status=RecurringPlan.Status.ENDED)
    audit_record(actor=actor, action="recurring_plan.end", obj=plan)
    plan.refresh_from_db()
    return plan


def recurring_plans_for_budget(*, budget: object) -> QuerySet[RecurringPlan]:
    return RecurringPlan.objects.filter(budget=budget).select_related("service", "provider")


def recurring_plan_list_for_user(*, user: User) -> QuerySet[RecurringPlan]:
    """Plans of people the user may view, and of the providers they belong to."""
    people = CarerLink.objects.filter(carer=user, status=CarerLink.Status.ACTIVE, can_view=True).values("person_id")
    providers = ProviderMembership.objects.filter(user=user).values("provider_id")
    return (
        RecurringPlan.objects.filter(Q(person__user=user) | Q(person_id__in=people) | Q(provider_id__in=providers))
        .select_related("service", "person")
        .distinct()
    )
