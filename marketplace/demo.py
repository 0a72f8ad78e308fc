"""Demo budgets for `manage.py seed_demo`: a direct payment with this year's
history (twice-weekly visits, a cancellation, a refund, a payout) and a small
self-funded budget; then Alex's bookings of Kelvin Companions (completed, scheduled,
requested) and a message thread. Idempotent: each part is skipped once the demo person
has a budget / a booking. History goes through the services, dated when it happened."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import transaction

from accounts.demo import DEMO_USERS
from accounts.models import PersonProfile, User
from accounts.services import system_actor
from carehub import clock
from carehub.demo import replay_clock
from directory.models import Category, Council, Provider, Service
from marketplace import ledger
from marketplace.bookings import services as bookings
from marketplace.budgets import alerts, services, topups
from marketplace.messaging import services as messaging
from marketplace.models import Booking, Budget
from marketplace.payouts import services as payouts

VISIT_PENCE = 4_900  # two hours at £24.50


# The council sets up next year's budget this long before 1 April, and keeps last
# year's open in the demo for this long after it, so bookings near the turn of the
# budget year always have a budget that covers their date.
YEAR_TURN_OVERLAP = timedelta(weeks=6)


def _at(day: date, hour: int = 10) -> datetime:
    return clock.at_local_or_after(day, time(hour))


def _direct_payment(*, person: PersonProfile, council: Council, year: tuple[date, date], name: str, key: str) -> Budget:
    """A direct payment for one budget year, funded on its first day (or, for next year's,
    six weeks ago, when the council set it up)."""
    system = system_actor()
    opened = min(_at(year[0], 9), _at(clock.today() - YEAR_TURN_OVERLAP, 9))
    with ledger.posting_time(opened):
        budget = services.budget_create(
            actor=system, person=person, kind=Budget.Kind.DIRECT_PAYMENT, funder=council,
            period_start=year[0], period_end=year[1], name=name,
        )  # fmt: skip
        services.budget_allocate(
            actor=system, budget=budget, amount_pence=960_000, idempotency_key=key, effective_on=year[0]
        )
    return budget


@transaction.atomic
def seed(*, provider: Provider, council: Council) -> Budget | None:
    person = PersonProfile.objects.filter(user__email__iexact=DEMO_USERS["person"][0]).first()
    if person is None or Budget.objects.filter(person=person).exists():
        return None
    system = system_actor()
    today = clock.today()
    start, end = clock.budget_year(today)
    categories = Category.objects.in_bulk(["personal-care", "day-centres"], field_name="slug")
    n = 0

    def k(label: str) -> str:
        return f"demo-{person.code}-{label}"

    budgets = []
    years = {clock.budget_year(today - YEAR_TURN_OVERLAP), (start, end), clock.budget_year(today + YEAR_TURN_OVERLAP)}
    for year in sorted(years):
        which = "" if year == (start, end) else ("last year" if year < (start, end) else "next year")
        budgets.append(
            _direct_payment(
                person=person,
                council=council,
                year=year,
                name=f"Direct payment ({which})" if which else "Direct payment",
                key=k(f"allocation-{which}" if which else "allocation"),
            )
        )
    budget = next(b for b in budgets if b.period_start == start)

    def covering(day: date) -> Budget | None:
        return next((b for b in budgets if b.period_start <= day <= b.period_end), None)

    # Visits on Tuesdays and Fridays: booked a week ahead, paid once delivered, each from the
    # budget of its own year.
    first = budgets[0].period_start
    day = first + timedelta(days=(1 - first.weekday()) % 7)
    while day <= today + timedelta(days=21):
        for visit, slug, what in (
            (day, "personal-care", "Help at home"),
            (day + timedelta(days=3), "day-centres", "Day centre"),
        ):
            paying = covering(visit)
            if paying is None:
                continue
            n += 1
            with ledger.posting_time(_at(visit - timedelta(days=7))):
                commitment = services.budget_commit(
                    actor=person.user, budget=paying, amount_pence=VISIT_PENCE, reference=f"DEMO-{n:04d}",
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

    batch = payouts.payout_batch_create(actor=system, idempotency_key=k("payouts"))
    for payout in batch.payouts.all():
        payouts.payout_mark_paid(actor=system, payout=payout, idempotency_key=k(f"paid-{payout.pk}"))
    alerts.budget_alert_set(actor=person.user, budget=budget, threshold_pence=100_000)

    with ledger.posting_time(_at(today - timedelta(days=20))):
        own = services.budget_create(
            actor=person.user, person=person, kind=Budget.Kind.SELF_FUNDED, period_start=start, period_end=end,
            name="My own money",
        )  # fmt: skip
        topups.budget_topup(actor=person.user, budget=own, amount_pence=20_000, idempotency_key=k("topup"))
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
    budgets = list(Budget.objects.filter(person=person, kind=Budget.Kind.DIRECT_PAYMENT))
    if not budgets:
        return []
    alex = person.user
    now = clock.now()
    today = clock.local_date(now)
    past = _open_day(today - timedelta(days=10), step=1)
    soon = _open_day(today + timedelta(days=4), step=1)
    later = _open_day(soon + timedelta(days=2), step=1)

    def budget_on(day: date) -> Budget | None:
        # Each booking is paid from the budget of its own budget year (see YEAR_TURN_OVERLAP).
        return next((b for b in budgets if b.period_start <= day <= b.period_end), None)

    made: list[Booking] = []

    def k(label: str) -> str:
        return f"demo-{person.code}-booking-{label}"

    def request(key: str, day: date, hour: int, hours: int, note: str) -> Booking:
        return bookings.booking_request(
            actor=alex, service=service, person=person, budget=budget_on(day), idempotency_key=k(key),
            starts_at=_at(day, hour), hours=hours, note=note,
        )  # fmt: skip

    with transaction.atomic():
        _enquiry(alex=alex, person=person, service=service, owner=owner, day=min(past, today) - timedelta(days=5))
        if past < today and budget_on(past):
            with replay_clock(_at(past - timedelta(days=2), 9)):
                completed = request("first", past, 10, 2, "First visit: shower and lunch.")
            with replay_clock(_at(past - timedelta(days=2), 14)):
                bookings.booking_accept(actor=owner, booking=completed, idempotency_key=k("first-accept"))
                bookings.booking_schedule(actor=owner, booking=completed, idempotency_key=k("first-schedule"))
            with replay_clock(_at(past, 12) + timedelta(minutes=10)):
                bookings.booking_deliver(actor=owner, booking=completed, idempotency_key=k("first-deliver"))
            with replay_clock(_at(past, 17) + timedelta(minutes=30)):
                made.append(bookings.booking_confirm(actor=alex, booking=completed, idempotency_key=k("first-confirm")))
        if budget_on(soon):
            with replay_clock(now - timedelta(days=2)):
                scheduled = request("next", soon, 10, 3, "Shower, lunch and a walk to the park if it is dry.")
            with replay_clock(now - timedelta(days=1)):
                bookings.booking_accept(actor=owner, booking=scheduled, idempotency_key=k("next-accept"))
                made.append(
                    bookings.booking_schedule(actor=owner, booking=scheduled, idempotency_key=k("next-schedule"))
                )
        if budget_on(later):
            made.append(request("request", later, 14, 2, "Could the carer come with me to the shops on Byres Road?"))
    return made
