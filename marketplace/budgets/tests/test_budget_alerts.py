"""Budget alerts: a BudgetAlert record and its notice (inbox + outbox e-mail) written in the money's
transaction; the e-mail is delivered by the notifications outbox, once per threshold crossing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.utils import timezone

from accounts.notifications.models import Notification, OutboxMessage
from accounts.notifications.services import notification_preferences_set
from accounts.services import system_actor
from marketplace.budgets import alerts, selectors, services, tasks
from marketplace.models import BudgetAlert
from marketplace.tests.factories import key, make_budget, make_commitment

pytestmark = pytest.mark.django_db


def test_budget_alert_sent_once_when_available_crosses_threshold(
    cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=12_000)
    alerts.budget_alert_set(actor=cast.carer, budget=budget, threshold_pence=10_000)
    with django_capture_on_commit_callbacks(execute=True):
        make_commitment(budget=budget, provider=cast.provider, amount_pence=1_000)
    assert len(mail.outbox) == 0  # 11,000 left: still above the level
    with django_capture_on_commit_callbacks(execute=True):
        make_commitment(budget=budget, provider=cast.provider, amount_pence=1_500)
    alert = BudgetAlert.objects.get(kind=BudgetAlert.Kind.LOW_BALANCE)
    assert (alert.available_pence, alert.threshold_pence, alert.sent_at is not None) == (9_500, 10_000, True)
    # One e-mail each to the person and the carer who sees the budget (neither sees the other's address).
    assert sorted(m.to for m in mail.outbox) == sorted([[cast.person.user.email], [cast.carer.email]])
    assert all(m.subject == "CareHub budget alert: Available balance below your alert level" for m in mail.outbox)
    assert f"/budgets/{budget.code}/" in mail.outbox[0].body
    inbox = Notification.objects.filter(kind=Notification.Kind.BUDGET)
    assert {n.user for n in inbox} == {cast.person.user, cast.carer}
    with django_capture_on_commit_callbacks(execute=True):
        make_commitment(budget=budget, provider=cast.provider, amount_pence=500)
    assert len(mail.outbox) == 2  # already below: no repeat alert


def test_budget_alert_again_only_after_the_balance_rose_above_the_level_and_fell_again(
    cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=10_000)
    alerts.budget_alert_set(actor=cast.person.user, budget=budget, threshold_pence=5_000)
    with django_capture_on_commit_callbacks(execute=True):
        make_commitment(budget=budget, provider=cast.provider, amount_pence=6_000)  # crosses: 4,000 left
        make_commitment(budget=budget, provider=cast.provider, amount_pence=1_000)  # still below
        services.budget_allocate(actor=system_actor(), budget=budget, amount_pence=5_000, idempotency_key=key())
        # 8,000 left: above the level again
        make_commitment(budget=budget, provider=cast.provider, amount_pence=3_500)  # crosses again: 4,500 left
    assert BudgetAlert.objects.filter(kind=BudgetAlert.Kind.LOW_BALANCE).count() == 2
    assert OutboxMessage.objects.filter(key__startswith="budget-alert:").count() == 2 * 2  # person and carer
    assert len(mail.outbox) == 4


def test_budget_alert_not_enqueued_when_the_commit_rolls_back(
    cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=1_000)
    alerts.budget_alert_set(actor=cast.person.user, budget=budget, threshold_pence=900)
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(Exception, match="not enough"):
        make_commitment(budget=budget, provider=cast.provider, amount_pence=5_000)
    assert callbacks == []
    assert not BudgetAlert.objects.exists()
    assert not OutboxMessage.objects.exists()


def _crossing(cast: Any) -> Any:
    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=12_000)
    alerts.budget_alert_set(actor=cast.person.user, budget=budget, threshold_pence=10_000)
    return lambda: make_commitment(budget=budget, provider=cast.provider, amount_pence=5_000)


def test_budget_alert_is_emailed_once_through_the_outbox(cast: Any, outbox_contract: Any) -> None:
    notification_preferences_set(actor=cast.carer, email_budget_alerts=False)  # the carer: inbox only
    outbox_contract.rolled_back(_crossing(cast))
    assert not BudgetAlert.objects.exists()  # the record rolled back with the money
    (sent,) = outbox_contract.delivered_once(_crossing(cast))
    assert sent.to == [cast.person.user.email]
    assert BudgetAlert.objects.count() == 1


def test_budget_alert_arrives_when_the_broker_lost_it(cast: Any, outbox_contract: Any) -> None:
    sent = outbox_contract.resent_after_broker_lost(_crossing(cast))
    assert sorted(m.to for m in sent) == sorted([[cast.person.user.email], [cast.carer.email]])


def test_budget_alert_when_planned_spend_would_run_out_before_period_end(
    cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    today = timezone.localdate()
    budget = make_budget(
        person=cast.person,
        funder=cast.council,
        period_start=today - timedelta(days=9),
        period_end=today + timedelta(days=100),
    )
    services.budget_allocate(
        actor=system_actor(), budget=budget, amount_pence=10_000, idempotency_key=key(), effective_on=today
    )
    first = make_commitment(budget=budget, provider=cast.provider, amount_pence=5_000)
    services.budget_settle(actor=cast.person.user, commitment=first, idempotency_key=key())
    forecast = selectors.budget_forecast(budget=budget)
    assert forecast.daily_rate_pence == 500  # 5,000 over 10 days
    assert forecast.runs_out_on == today + timedelta(days=10)
    with django_capture_on_commit_callbacks(execute=True):
        make_commitment(budget=budget, provider=cast.provider, amount_pence=100)
    assert BudgetAlert.objects.filter(kind=BudgetAlert.Kind.OVERSPEND_FORECAST, sent_at__isnull=False).count() == 1
    assert "runs out before the end of its period" in mail.outbox[0].body


def test_budget_forecast_left_at_end_counts_planned_spend_once(cast: Any) -> None:
    budget = make_budget(
        person=cast.person,
        funder=cast.council,
        allocated_pence=100_000,
        period_start=date(2026, 4, 1),
        period_end=date(2027, 3, 31),  # 365 days; the forecast is asked as of 10 April, not read from the clock
    )
    paid = make_commitment(budget=budget, provider=cast.provider, amount_pence=10_000)
    services.budget_settle(actor=cast.person.user, commitment=paid, idempotency_key=key())
    make_commitment(budget=budget, provider=cast.provider, amount_pence=20_000)
    # 1 April to 10 April: 10 days, 10,000 spent → 1,000 a day; 355 days left → 355,000 projected,
    # of which 20,000 is already committed; 70,000 available → 265,000 short.
    forecast = selectors.budget_forecast(budget=budget, today=budget.period_start + timedelta(days=9))
    assert forecast.daily_rate_pence == 1_000
    assert forecast.left_at_end_pence == 70_000 - (355_000 - 20_000)
    assert forecast.runs_out_on == budget.period_start + timedelta(days=9 + 90)


def test_budget_alert_send_hands_an_alert_queued_before_the_outbox_to_it_once(
    cast: Any, django_capture_on_commit_callbacks: Any
) -> None:
    """The old task name stays for messages queued by the old sender (an alert without sent_at)."""
    budget = make_budget(person=cast.person, funder=cast.council)
    legacy = BudgetAlert.objects.create(
        budget=budget, kind=BudgetAlert.Kind.LOW_BALANCE, available_pence=1, threshold_pence=2, message="Low",
        created_at=timezone.now() - timedelta(hours=1),
    )  # fmt: skip
    assert tasks.budget_alert_send.name == "marketplace.tasks.budget_alert_send"
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.budget_alert_send.apply(args=(legacy.pk,)).get() is True
        assert tasks.budget_alert_send.apply(args=(legacy.pk,)).get() is False  # a redelivered message
    legacy.refresh_from_db()
    assert legacy.sent_at is not None
    assert sorted(m.to for m in mail.outbox) == sorted([[cast.person.user.email], [cast.carer.email]])


def test_budget_alerts_have_no_resend_of_their_own_and_every_beat_entry_names_a_task() -> None:
    from carehub.celery import app

    app.loader.import_default_modules()
    entries = settings.CELERY_BEAT_SCHEDULE.values()
    assert "marketplace.tasks.budget_alerts_resend" not in {entry["task"] for entry in entries}
    assert "marketplace.tasks.budget_alerts_resend" not in app.tasks
    assert all(entry["task"] in app.tasks for entry in entries)
