"""Demo budgets for `manage.py seed_demo`: a direct payment with this year's
history (twice-weekly visits, a cancellation, a refund, a payout) and a small
self-funded budget. Idempotent: skipped when the demo person has a budget.
History is posted through the services, dated when it happened."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_USERS
from accounts.models import PersonProfile
from directory.models import Category, Council, Provider

from . import ledger, services
from .models import Budget

VISIT_PENCE = 4_900  # two hours at £24.50


def _at(day: date, hour: int = 10) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def _financial_year(today: date) -> tuple[date, date]:
    start_year = today.year if today >= date(today.year, 4, 1) else today.year - 1
    return date(start_year, 4, 1), date(start_year + 1, 3, 31)


@transaction.atomic
def seed(*, provider: Provider, council: Council) -> Budget | None:
    person = PersonProfile.objects.filter(user__email__iexact=DEMO_USERS["person"][0]).first()
    if person is None or Budget.objects.filter(person=person).exists():
        return None
    system = services.system_actor()
    today = timezone.localdate()
    start, end = _financial_year(today)
    categories = Category.objects.in_bulk(["personal-care", "day-centres"], field_name="slug")
    n = 0

    def k(label: str) -> str:
        return f"demo-{person.code}-{label}"

    with ledger.posting_time(_at(start, 9)):
        budget = services.budget_create(
            actor=system, person=person, kind=Budget.Kind.DIRECT_PAYMENT, funder=council,
            period_start=start, period_end=end, name="Direct payment",
        )  # fmt: skip
        services.budget_allocate(
            actor=system, budget=budget, amount_pence=960_000, idempotency_key=k("allocation"), effective_on=start
        )
    # Visits on Tuesdays and Fridays: booked a week ahead, paid once delivered.
    day = start + timedelta(days=(1 - start.weekday()) % 7)
    while day <= today + timedelta(days=21):
        for visit, slug, what in (
            (day, "personal-care", "Help at home"),
            (day + timedelta(days=3), "day-centres", "Day centre"),
        ):
            if visit > end:
                continue
            n += 1
            with ledger.posting_time(_at(visit - timedelta(days=7))):
                commitment = services.budget_commit(
                    actor=person.user, budget=budget, amount_pence=VISIT_PENCE, reference=f"DEMO-{n:04d}",
                    provider=provider, idempotency_key=k(f"commit-{n}"), category=categories.get(slug),
                    description=f"{what}, {visit:%A %-d %B}", due_on=visit,
                )  # fmt: skip
            if visit >= today:
                continue  # planned: stays committed
            with ledger.posting_time(_at(visit, 18)):
                if n % 17 == 0:
                    services.budget_release(actor=person.user, commitment=commitment, idempotency_key=k(f"release-{n}"))
                    continue
                services.budget_settle(actor=person.user, commitment=commitment, idempotency_key=k(f"settle-{n}"))
            if n == 5:
                with ledger.posting_time(_at(visit + timedelta(days=2))):
                    services.budget_refund(
                        actor=system, commitment=commitment, amount_pence=2_450, idempotency_key=k("refund"),
                        memo="Visit cut short: one hour refunded",
                    )  # fmt: skip
        day += timedelta(days=7)

    batch = services.payout_batch_create(actor=system, idempotency_key=k("payouts"))
    for payout in batch.payouts.all():
        services.payout_mark_paid(actor=system, payout=payout, idempotency_key=k(f"paid-{payout.pk}"))
    services.budget_alert_set(actor=person.user, budget=budget, threshold_pence=100_000)

    with ledger.posting_time(_at(today - timedelta(days=20))):
        own = services.budget_create(
            actor=person.user, person=person, kind=Budget.Kind.SELF_FUNDED, period_start=start, period_end=end,
            name="My own money",
        )  # fmt: skip
        services.budget_topup(actor=person.user, budget=own, amount_pence=20_000, idempotency_key=k("topup"))
    return budget
