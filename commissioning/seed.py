"""Realistic spend data for the commissioner dashboard benchmark (`manage.py seed_spend`).

Money moves through the ledger's bulk path, `ledger_post_many`: posting a
million entries one `ledger_post` at a time would take hours, and the bulk
path keeps ledger_post's rules (each transaction balanced, no budget account
below zero at any point, cached balances moved by the same conditional
UPDATE), so `manage.py check_ledger` passes. The postings have the same legs
as the budget services (allocate, commit, settle with the platform fee,
release); commitments are bulk-inserted beside them, so held commitments sum
to each budget's committed balance.

Data: H budget holders (people with a postcode in one of the council's
districts, budgets of the current financial year, a mix of kinds), providers
with published, graded services spread over the districts, commitments of
a few pounds to a few hundred across the types of care — about 70% settled
(dated across the months so far), 10% released, 20% held for future months —
and an anonymous search log. Deterministic for a given --seed.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.utils import timezone

from accounts.models import PersonProfile, User
from accounts.services import system_actor
from carehub import clock
from commissioning.filters import financial_year
from directory.models import (
    Category,
    Council,
    Nation,
    Postcode,
    Provider,
    ProviderVetting,
    Registration,
    SearchLog,
    Service,
)
from marketplace.budgets.services import platform_fee
from marketplace.ledger import Posting, ledger_post_many
from marketplace.models import Account, Budget, Commitment, LedgerTransaction

ENTRIES_PER_ALLOCATION = 2
BATCH = 5_000
# Districts the seeded council covers, with centroids around Glasgow (real district codes).
DISTRICTS = [f"G{n}" for n in range(1, 80)]


@dataclass
class SeedResult:
    council: Council
    holders: int
    budgets: int
    commitments: int
    transactions: int
    entries: int
    searches: int


def _council(slug: str) -> Council:
    council = Council.objects.filter(slug=slug).first()
    if council is None:
        council = Council.objects.create(
            slug=slug,
            name="Seeded Council",
            gss_code=f"S12{random.randrange(900000, 999999)}",  # nosec B311 - synthetic data
            nation=Nation.SCOTLAND,
        )
    return council


def _districts(council: Council, rng: random.Random) -> list[Postcode]:
    """District centroids (loaded ones are kept; missing ones are made up around Glasgow)."""
    existing = {p.postcode: p for p in Postcode.objects.filter(postcode__in=DISTRICTS)}
    new = [
        Postcode(
            postcode=d,
            latitude=55.86 + rng.uniform(-0.35, 0.35),
            longitude=-4.25 + rng.uniform(-0.6, 0.6),
            council=council,
            precision=Postcode.Precision.DISTRICT,
            source="seed_spend",
        )
        for d in DISTRICTS
        if d not in existing
    ]
    Postcode.objects.bulk_create(new, batch_size=BATCH)
    return list(Postcode.objects.filter(postcode__in=DISTRICTS))


def _providers(council: Council, districts: list[Postcode], count: int, rng: random.Random) -> list[int]:
    subcategories = list(Category.objects.exclude(parent=None).values_list("pk", flat=True))
    providers = Provider.objects.bulk_create(
        [Provider(name=f"Seeded provider {n}") for n in range(count)], batch_size=BATCH
    )
    services = []
    for provider in providers:
        for _ in range(rng.randint(1, 3)):
            place = rng.choice(districts)
            services.append(
                Service(
                    provider=provider,
                    name=f"{provider.name} service",
                    postcode=f"{place.postcode} {rng.randint(1, 9)}AA",
                    latitude=place.latitude + rng.uniform(-0.02, 0.02),
                    longitude=place.longitude + rng.uniform(-0.03, 0.03),
                    council=council,
                    status=Service.Status.PUBLISHED,
                )
            )
    services = Service.objects.bulk_create(services, batch_size=BATCH)
    through = Service.categories.through
    through.objects.bulk_create(
        [through(service_id=s.pk, category_id=rng.choice(subcategories)) for s in services], batch_size=BATCH
    )
    Registration.objects.bulk_create(
        [
            Registration(
                service=s,
                regulator="ci",
                registration_number=f"CS-SEED-{s.pk}",
                registered_name=s.name,
                lowest_grade=rng.choice([2, 3, 4, 4, 5, 5, 6]),
            )
            for s in services
            if rng.random() < 0.7
        ],
        batch_size=BATCH,
    )
    vetted_at = clock.now()
    ProviderVetting.objects.bulk_create(
        [ProviderVetting(provider=p, vetted_at=vetted_at) for p in providers if rng.random() < 0.6], batch_size=BATCH
    )
    return [p.pk for p in providers]


def seed_spend(
    *,
    entries: int,
    holders: int,
    council_slug: str = "seeded-council",
    providers: int = 300,
    searches: int | None = None,
    seed: int = 1,
    today: date | None = None,
    progress: Callable[[str], None] = lambda _: None,
) -> SeedResult:
    """Add `holders` budget holders and about `entries` ledger entries for one council."""
    rng = random.Random(seed)  # nosec B311 - reproducible synthetic data, not security
    today = today or clock.today()
    period = financial_year(today)
    actor = system_actor()
    with transaction.atomic():
        council = _council(council_slug)
        districts = _districts(council, rng)
        provider_ids = _providers(council, districts, providers, rng)
        categories = list(Category.objects.exclude(parent=None).values_list("pk", flat=True))
    progress(f"{len(provider_ids)} providers, {len(districts)} districts")

    # People and budgets.
    run = uuid.uuid4().hex[:8]
    with transaction.atomic():
        users = User.objects.bulk_create(
            [
                User(
                    email=f"seed-{run}-{n}@example.invalid",
                    full_name=f"Seeded holder {n}",
                    password=UNUSABLE_PASSWORD_PREFIX,
                )
                for n in range(holders)
            ],
            batch_size=BATCH,
        )
        people = PersonProfile.objects.bulk_create(
            [
                PersonProfile(
                    user=u, postcode=f"{rng.choice(districts).postcode} {rng.randint(1, 9)}{rng.choice('ABDE')}Z"
                )
                for u in users
            ],
            batch_size=BATCH,
        )
        kinds = [Budget.Kind.DIRECT_PAYMENT, Budget.Kind.COUNCIL_MANAGED, Budget.Kind.INDIVIDUAL_SERVICE_FUND]
        budgets = Budget.objects.bulk_create(
            [
                Budget(
                    person=p,
                    funder=council,
                    kind=rng.choices(kinds, weights=[5, 4, 1])[0],
                    period_start=period.start,
                    period_end=period.end,
                )
                for p in people
            ],
            batch_size=BATCH,
        )
        Account.objects.bulk_create(
            [
                Account(kind=kind, budget=b)
                for b in budgets
                for kind in (Account.Kind.BUDGET_AVAILABLE, Account.Kind.BUDGET_COMMITTED)
            ],
            batch_size=BATCH,
        )
    ids = [b.pk for b in budgets]
    accounts = {
        (budget_id, kind): pk
        for pk, budget_id, kind in Account.objects.filter(budget_id__gte=min(ids), budget_id__lte=max(ids))
        .filter(budget__funder=council)
        .values_list("pk", "budget_id", "kind")
    }
    funding = Account.objects.get_or_create(kind=Account.Kind.COUNCIL_FUNDING, council=council)[0].pk
    fees = Account.objects.get_or_create(kind=Account.Kind.PLATFORM_FEES, budget=None, council=None, provider=None)[
        0
    ].pk
    payable = {
        pid: Account.objects.get_or_create(kind=Account.Kind.PROVIDER_PAYABLE, provider_id=pid)[0].pk
        for pid in provider_ids
    }
    progress(f"{holders} holders and budgets")

    # The ledger: allocations first, then commitments until the entry target is reached.
    commitments: list[Commitment] = []
    counts = {"entries": 0, "commitments": 0}
    start_at = timezone.make_aware(datetime.combine(period.start, time(9)))
    elapsed_days = max((min(today, period.end) - period.start).days, 1)
    Reason = LedgerTransaction.Reason

    def flush_commitments() -> None:
        Commitment.objects.bulk_create(commitments, batch_size=BATCH)
        counts["commitments"] += len(commitments)
        commitments.clear()

    def postings() -> Iterator[Posting]:
        """Read by ledger_post_many in batches; commitments are written alongside."""
        available: dict[int, int] = {}
        for budget in budgets:
            amount = rng.randrange(500_000, 3_000_000, 100)  # £5,000 to £30,000 a year
            available[budget.pk] = amount
            funded = accounts[(budget.pk, Account.Kind.BUDGET_AVAILABLE)]
            counts["entries"] += 2
            yield Posting(Reason.ALLOCATION, [(funding, -amount), (funded, amount)], budget.pk, created_at=start_at)
        n, report_at = 0, 50_000
        while counts["entries"] < entries:
            budget = budgets[rng.randrange(len(budgets))]
            amount = rng.randrange(1_500, 40_000, 50)
            if available[budget.pk] < amount:
                amount = available[budget.pk]
                if amount <= 0:
                    continue
            available[budget.pk] -= amount
            n += 1
            reference = f"seed-{run}-{n}"
            made = start_at + timedelta(days=rng.randrange(elapsed_days), minutes=rng.randrange(600))
            avail_acct = accounts[(budget.pk, Account.Kind.BUDGET_AVAILABLE)]
            held_acct = accounts[(budget.pk, Account.Kind.BUDGET_COMMITTED)]
            provider_id = rng.choice(provider_ids)
            legs = [(avail_acct, -amount), (held_acct, amount)]
            yield Posting(Reason.COMMIT, legs, budget.pk, reference, created_at=made)
            counts["entries"] += len(legs)
            roll = rng.random()
            commitment = Commitment(
                budget_id=budget.pk,
                provider_id=provider_id,
                category_id=rng.choice(categories),
                reference=reference,
                amount_pence=amount,
                created_at=made,
                code=uuid.UUID(int=rng.getrandbits(128), version=4),
            )
            if roll < 0.7:
                settled_at = min(
                    made + timedelta(days=rng.randrange(1, 14)), timezone.make_aware(datetime.combine(today, time(8)))
                )
                settled_at = max(settled_at, made)
                fee = platform_fee(amount)
                legs = [(held_acct, -amount), (payable[provider_id], amount - fee)]
                if fee:
                    legs.append((fees, fee))
                yield Posting(Reason.SETTLE, legs, budget.pk, reference, created_at=settled_at)
                counts["entries"] += len(legs)
                commitment.status, commitment.settled_pence, commitment.fee_pence = (
                    Commitment.Status.SETTLED,
                    amount,
                    fee,
                )
                commitment.settled_at = settled_at
                commitment.due_on = settled_at.date()
            elif roll < 0.8:
                legs = [(held_acct, -amount), (avail_acct, amount)]
                yield Posting(Reason.RELEASE, legs, budget.pk, reference, created_at=made)
                counts["entries"] += len(legs)
                available[budget.pk] += amount
                commitment.status = Commitment.Status.RELEASED
                commitment.due_on = made.date()
            else:
                commitment.status = Commitment.Status.HELD
                days_left = max((period.end - today).days, 0)
                commitment.due_on = today + timedelta(days=rng.randint(0, days_left))
            commitments.append(commitment)
            if len(commitments) >= BATCH:
                flush_commitments()
            if counts["entries"] >= report_at:
                progress(f"{counts['entries']:,} entries")
                report_at += 50_000

    with transaction.atomic():
        transactions = ledger_post_many(actor=actor, postings=postings())
        flush_commitments()
    progress(f"{counts['entries']:,} entries in {transactions:,} transactions")

    searches = entries // 20 if searches is None else searches
    top = list(Category.objects.filter(parent=None).values_list("pk", flat=True))
    logs = [
        SearchLog(
            district=rng.choice(districts).postcode,
            council=council,
            category_id=rng.choice(top + [None]),
            radius_miles=rng.choice([1, 3, 5, 10, 25]),
            result_count=rng.choice([0, 0, 1, 2, 3, 5, 8, 13, 20, 40]),
            searched_on=period.start + timedelta(days=rng.randrange(elapsed_days)),
        )
        for _ in range(searches)
    ]
    SearchLog.objects.bulk_create(logs, batch_size=BATCH)
    return SeedResult(
        council=council,
        holders=holders,
        budgets=len(budgets),
        commitments=counts["commitments"],
        transactions=transactions,
        entries=counts["entries"],
        searches=searches,
    )
