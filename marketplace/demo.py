"""Demo budgets for `manage.py seed_demo`: a direct payment with this year's
history (twice-weekly visits, a cancellation, a refund, a payout) and a small
self-funded budget; then Alex's bookings of Kelvin Companions (completed, scheduled,
requested) and a message thread. Idempotent: each part is skipped once the demo person
has a budget / a booking. History goes through the services, dated when it happened."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.demo import DEMO_USERS
from accounts.models import PersonProfile, User
from carehub.demo import replay_clock
from directory.models import Category, Council, Provider, Service

from . import bookings, ledger, messaging, services
from .bookings_models import Booking
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


# --- Alex's bookings and a conversation with Kelvin Companions ------------------------------------------


def _open_day(day: date, *, step: int) -> date:
    """The nearest day from `day` (going back with step=-1, forward with 1) Kelvin Companions works (Mon–Sat)."""
    while day.weekday() == 6:
        day += timedelta(days=step)
    return day


def _enquiry(*, alex: User, person: PersonProfile, service: Service, owner: User, day: date) -> None:
    with replay_clock(_at(day, 19)):
        thread = messaging.thread_start_enquiry(
            actor=alex, service=service, person=person,
            body="Hello, I live near Byres Road and need help with a shower and lunch twice a week, "
            "mornings if possible. Do you have anyone free?",
        )  # fmt: skip
    with replay_clock(_at(day + timedelta(days=1), 9)):
        messaging.message_send(
            actor=owner, thread=thread,
            body="Hello Alex, yes: Jenny covers the West End on weekday mornings. Book any morning slot "
            "online and we will confirm it the same day. Large print letters are noted.",
        )  # fmt: skip
    with replay_clock(_at(day + timedelta(days=1), 11)):
        messaging.message_send(actor=alex, thread=thread, body="Lovely, thank you. I will book a first visit.")


def seed_bookings(*, service: Service, owner: User) -> list[Booking]:
    """Through the booking services, replayed at the times they happened: one completed
    (Alex can review it), one scheduled next week, one request waiting for Priya; and an
    enquiry thread before the first booking. Skipped once Alex has any booking."""
    person = PersonProfile.objects.filter(user__email__iexact=DEMO_USERS["person"][0]).select_related("user").first()
    if person is None or Booking.objects.filter(person=person).exists():
        return []
    budget = Budget.objects.filter(person=person, kind=Budget.Kind.DIRECT_PAYMENT).order_by("-period_start").first()
    if budget is None:
        return []
    alex = person.user
    now = timezone.now()
    today = timezone.localdate(now)
    # Care must fall inside the budget's period: near 1 April a booking that does not fit is left out.
    past = _open_day(max(today - timedelta(days=10), budget.period_start + timedelta(days=1)), step=1)
    soon = _open_day(today + timedelta(days=4), step=1)
    later = _open_day(soon + timedelta(days=2), step=1)
    made: list[Booking] = []

    def k(label: str) -> str:
        return f"demo-{person.code}-booking-{label}"

    def request(key: str, day: date, hour: int, hours: int, note: str) -> Booking:
        return bookings.booking_request(
            actor=alex, service=service, person=person, budget=budget, idempotency_key=k(key),
            starts_at=_at(day, hour), hours=hours, note=note,
        )  # fmt: skip

    with transaction.atomic():
        _enquiry(alex=alex, person=person, service=service, owner=owner, day=min(past, today) - timedelta(days=5))
        if past < today:
            with replay_clock(_at(past - timedelta(days=2), 9)):
                completed = request("first", past, 10, 2, "First visit: shower and lunch.")
            with replay_clock(_at(past - timedelta(days=2), 14)):
                bookings.booking_accept(actor=owner, booking=completed, idempotency_key=k("first-accept"))
                bookings.booking_schedule(actor=owner, booking=completed, idempotency_key=k("first-schedule"))
            with replay_clock(_at(past, 12) + timedelta(minutes=10)):
                bookings.booking_deliver(actor=owner, booking=completed, idempotency_key=k("first-deliver"))
            with replay_clock(_at(past, 17) + timedelta(minutes=30)):
                made.append(bookings.booking_confirm(actor=alex, booking=completed, idempotency_key=k("first-confirm")))
        if soon <= budget.period_end:
            with replay_clock(now - timedelta(days=2)):
                scheduled = request("next", soon, 10, 3, "Shower, lunch and a walk to the park if it is dry.")
            with replay_clock(now - timedelta(days=1)):
                bookings.booking_accept(actor=owner, booking=scheduled, idempotency_key=k("next-accept"))
                made.append(
                    bookings.booking_schedule(actor=owner, booking=scheduled, idempotency_key=k("next-schedule"))
                )
        if later <= budget.period_end:
            made.append(request("request", later, 14, 2, "Could the carer come with me to the shops on Byres Road?"))
    return made
