"""Realistic spend data for the commissioner dashboard benchmark (`manage.py seed_spend`).

Writes straight into the ledger tables with bulk inserts, because posting a
million entries one service call at a time would take hours. It keeps every
rule the ledger services keep, so `manage.py check_ledger` still passes:

* each transaction's entries sum to zero (allocate, commit, settle with the
  platform fee, release: the same legs as marketplace/services.py);
* every cached `Account.balance_pence` equals the sum of its entries;
* held commitments sum to each budget's committed balance.

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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.core.management.color import no_style
from django.db import connection, models, transaction
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
from marketplace.models import Account, Budget, Commitment, Entry, LedgerTransaction

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


def _next_id(model: type[models.Model]) -> int:
    return (model.objects.aggregate(m=models.Max("pk"))["m"] or 0) + 1


def _reset_sequences(*models_: type[models.Model]) -> None:
    # Explicit ids bypass PostgreSQL's sequences: move them past what was inserted.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models_)):
            cursor.execute(sql)


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
    delta: dict[int, int] = {}
    txn_id, entry_id, commitment_id = _next_id(LedgerTransaction), _next_id(Entry), _next_id(Commitment)
    txns: list[LedgerTransaction] = []
    rows: list[Entry] = []
    commitments: list[Commitment] = []
    counts = {"transactions": 0, "entries": 0, "commitments": 0}
    start_at = timezone.make_aware(datetime.combine(period.start, time(9)))
    elapsed_days = max((min(today, period.end) - period.start).days, 1)

    def flush() -> None:
        LedgerTransaction.objects.bulk_create(txns, batch_size=BATCH)
        Entry.objects.bulk_create(rows, batch_size=BATCH)
        Commitment.objects.bulk_create(commitments, batch_size=BATCH)
        counts["transactions"] += len(txns)
        counts["entries"] += len(rows)
        counts["commitments"] += len(commitments)
        txns.clear()
        rows.clear()
        commitments.clear()

    def post(reason: str, budget_id: int, legs: list[tuple[int, int]], at: datetime, reference: str = "") -> None:
        nonlocal txn_id, entry_id
        txns.append(
            LedgerTransaction(
                pk=txn_id,
                code=uuid.UUID(int=rng.getrandbits(128), version=4),
                reason=reason,
                actor_id=actor.pk,
                budget_id=budget_id,
                reference=reference,
                created_at=at,
            )
        )
        for account_id, amount in legs:
            rows.append(Entry(pk=entry_id, transaction_id=txn_id, account_id=account_id, amount_pence=amount))
            delta[account_id] = delta.get(account_id, 0) + amount
            entry_id += 1
        txn_id += 1

    available: dict[int, int] = {}
    for budget in budgets:
        amount = rng.randrange(500_000, 3_000_000, 100)  # £5,000 to £30,000 a year
        available[budget.pk] = amount
        post(
            LedgerTransaction.Reason.ALLOCATION,
            budget.pk,
            [(funding, -amount), (accounts[(budget.pk, Account.Kind.BUDGET_AVAILABLE)], amount)],
            start_at,
        )
    written = len(rows)
    n = 0
    with transaction.atomic():
        while written < entries:
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
            post(
                LedgerTransaction.Reason.COMMIT,
                budget.pk,
                [(avail_acct, -amount), (held_acct, amount)],
                made,
                reference,
            )
            roll = rng.random()
            commitment = Commitment(
                pk=commitment_id,
                budget_id=budget.pk,
                provider_id=provider_id,
                category_id=rng.choice(categories),
                reference=reference,
                amount_pence=amount,
                created_at=made,
                code=uuid.UUID(int=rng.getrandbits(128), version=4),
            )
            commitment_id += 1
            if roll < 0.7:
                settled_at = min(
                    made + timedelta(days=rng.randrange(1, 14)), timezone.make_aware(datetime.combine(today, time(8)))
                )
                settled_at = max(settled_at, made)
                fee = platform_fee(amount)
                legs = [(held_acct, -amount), (payable[provider_id], amount - fee)]
                if fee:
                    legs.append((fees, fee))
                post(LedgerTransaction.Reason.SETTLE, budget.pk, legs, settled_at, reference)
                commitment.status, commitment.settled_pence, commitment.fee_pence = (
                    Commitment.Status.SETTLED,
                    amount,
                    fee,
                )
                commitment.settled_at = settled_at
                commitment.due_on = settled_at.date()
            elif roll < 0.8:
                post(
                    LedgerTransaction.Reason.RELEASE,
                    budget.pk,
                    [(held_acct, -amount), (avail_acct, amount)],
                    made,
                    reference,
                )
                available[budget.pk] += amount
                commitment.status = Commitment.Status.RELEASED
                commitment.due_on = made.date()
            else:
                commitment.status = Commitment.Status.HELD
                days_left = max((period.end - today).days, 0)
                commitment.due_on = today + timedelta(days=rng.randint(0, days_left))
            commitments.append(commitment)
            written = counts["entries"] + len(rows)
            if len(rows) >= 50_000:
                flush()
                progress(f"{counts['entries']:,} entries")
        flush()
        _reset_sequences(LedgerTransaction, Entry, Commitment)
        # Cached balances: add what moved to what was there, in batches.
        moved: list[Account] = []
        for chunk_start in range(0, len(delta), BATCH):
            chunk = sorted(delta)[chunk_start : chunk_start + BATCH]
            for account in Account.objects.filter(pk__in=chunk):
                account.balance_pence += delta[account.pk]
                moved.append(account)
        Account.objects.bulk_update(moved, ["balance_pence"], batch_size=1_000)
    progress(f"{counts['entries']:,} entries in {counts['transactions']:,} transactions")

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
        transactions=counts["transactions"],
        entries=counts["entries"],
        searches=searches,
    )
