"""Recurring plans: planned spend for the whole plan, money committed week by week by the beat task."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.notifications.models import Notification
from accounts.tests import factories as af
from carehub.errors import DomainError, NotPermitted
from marketplace import ledger
from marketplace.bookings import plans as bookings_plans
from marketplace.models import Booking, Budget, RecurringPlan
from marketplace.tests.booking_world import BUDGET_PENCE, HOURLY_PENCE, request_hours
from marketplace.tests.factories import key


def make_plan(world: Any, *, weeks: int = 4, days: tuple[int, ...] = (1, 4), actor: Any = None) -> RecurringPlan:
    """Visits on the days `days` after today each week (so the first week always holds one of each), at 10:00."""
    today = timezone.localdate()
    return bookings_plans.recurring_plan_create(
        actor=actor or world.person_user,
        service=world.hourly,
        person=world.cast.person,
        weekdays=[(today + timedelta(days=d)).weekday() for d in days],
        time_of_day=time(10),
        weeks=weeks,
        starts_on=today + timedelta(days=1),
        idempotency_key=key(),
    )


def test_plan_books_the_first_week_and_shows_the_rest_as_planned(world: Any) -> None:
    plan = make_plan(world)
    assert plan.total_pence == 8 * HOURLY_PENCE
    assert plan.bookings.count() == 2
    assert all(b.status == Booking.Status.REQUESTED for b in plan.bookings.all())
    assert ledger.account_budget_committed(world.budget).balance_pence == 2 * HOURLY_PENCE
    assert bookings_plans.recurring_plan_uncommitted_pence(plan) == 6 * HOURLY_PENCE
    assert Notification.objects.filter(user=world.cast.provider_owner, subject__startswith="Regular visits").exists()


def test_beat_commits_week_by_week_once(world: Any) -> None:
    plan = make_plan(world)
    next_week = timezone.now() + timedelta(days=7)
    assert bookings_plans.recurring_plans_commit_due(now=next_week) == 2
    assert bookings_plans.recurring_plans_commit_due(now=next_week) == 0
    assert plan.bookings.count() == 4
    assert ledger.account_budget_committed(world.budget).balance_pence == 4 * HOURLY_PENCE
    # After the plan's last day, the beat ends it and books nothing more.
    assert bookings_plans.recurring_plans_commit_due(now=timezone.now() + timedelta(weeks=6)) == 0
    plan.refresh_from_db()
    assert plan.status == RecurringPlan.Status.ENDED
    call_command("check_ledger")


def test_plan_refused_beyond_budget_and_without_book_scope(world: Any) -> None:
    with pytest.raises(DomainError, match="only £500.00 is left"):
        make_plan(world, weeks=10, days=(1, 2, 3))  # 30 visits × £20 = £600
    viewer = af.make_user()
    af.make_carer_link(carer=viewer, person=world.cast.person, can_book=False)
    with pytest.raises(NotPermitted):
        make_plan(world, actor=viewer)
    assert not RecurringPlan.objects.exists()
    assert ledger.account_budget_available(world.budget).balance_pence == BUDGET_PENCE


def test_plan_skips_a_taken_visit_and_tells_the_person(world: Any) -> None:
    request_hours(world, hour=10, hours=1, days=1)  # someone has the first visit's hour
    plan = make_plan(world)
    assert plan.bookings.count() == 1
    note = Notification.objects.get(user=world.person_user, subject__startswith="Some regular visits")
    assert "already booked" in note.body


def test_plan_end_stops_future_visits(world: Any) -> None:
    plan = make_plan(world)
    with pytest.raises(NotPermitted):
        bookings_plans.recurring_plan_end(actor=world.cast.outsider, plan=plan)
    bookings_plans.recurring_plan_end(actor=world.cast.provider_owner, plan=plan)
    assert bookings_plans.recurring_plan_uncommitted_pence(plan) == 0
    assert bookings_plans.recurring_plans_commit_due(now=timezone.now() + timedelta(days=7)) == 0


def test_budget_page_shows_regular_visits_as_planned_spend(world: Any) -> None:
    make_plan(world)
    client = Client()
    client.force_login(world.cast.carer)
    html = client.get(reverse("marketplace:budget-detail", args=[world.budget.code])).content.decode()
    assert "Regular visits" in html
    assert "booked, and their money set aside, a week ahead" in html
    assert '<strong id="plans-uncommitted">£120.00</strong>' in html


def test_plan_page_sets_up_a_plan(world: Any) -> None:
    client = Client()
    client.force_login(world.person_user)
    url = reverse("marketplace:plan-new", args=[world.hourly.code])
    assert "Money is set aside week by week" in client.get(url).content.decode()
    tomorrow = timezone.localdate() + timedelta(days=1)
    form = {
        "person": world.cast.person.pk,
        "weekdays": [tomorrow.weekday()],
        "time_of_day": "10:00",
        "hours": 1,
        "weeks": 2,
        "starts_on": tomorrow.isoformat(),
        "idempotency_key": key(),
    }
    assert client.post(url, form).status_code == 302
    assert RecurringPlan.objects.get().bookings.count() == 1
    bad = client.post(
        url, {**form, "weeks": 2, "starts_on": timezone.localdate().isoformat(), "idempotency_key": key()}
    )
    assert bad.status_code == 400 and "tomorrow or later" in bad.content.decode()


def test_plan_api_create_and_scoped_list(world: Any) -> None:
    from rest_framework.test import APIClient

    tomorrow = timezone.localdate() + timedelta(days=1)
    api = APIClient()
    api.force_authenticate(world.cast.carer)
    body = {
        "service": str(world.hourly.code),
        "person": str(world.cast.person.code),
        "weekdays": [tomorrow.weekday()],
        "time_of_day": "10:00",
        "weeks": 3,
        "starts_on": tomorrow.isoformat(),
    }
    created = api.post(reverse("marketplace-api:plan-list"), body, format="json", HTTP_IDEMPOTENCY_KEY=key())
    assert created.status_code == 201, created.json()
    assert (created.json()["total_pence"], created.json()["uncommitted_pence"]) == (3 * HOURLY_PENCE, 2 * HOURLY_PENCE)
    # A budget period that ends four weeks from tomorrow: five weeks of visits run past it.
    Budget.objects.filter(pk=world.budget.pk).update(period_end=tomorrow + timedelta(days=27))
    too_long = api.post(
        reverse("marketplace-api:plan-list"), {**body, "weeks": 5}, format="json", HTTP_IDEMPOTENCY_KEY=key()
    )
    assert too_long.status_code == 400 and "budget period" in too_long.json()["detail"]
    for user, count in [(world.person_user, 1), (world.cast.provider_staff, 1), (world.cast.outsider, 0)]:
        api.force_authenticate(user)
        assert api.get(reverse("marketplace-api:plan-list")).json()["count"] == count
