"""The money ledger: double entry, integer pence, append-only.

Design
------
* Every movement of money is one `LedgerTransaction` made of two or more
  `Entry` rows whose signed `amount_pence` sum to zero. `ledger_post` is the
  only code that writes them, and it refuses an unbalanced or empty posting.
* Accounts (`Account.Kind`):

  ===================  =====================================================
  council_funding      one per council; goes negative as it allocates
  topup_receipts       platform-wide; goes negative as self-funders pay in
  budget_available     one per budget; what the person can still commit
  budget_committed     one per budget; held for bookings not yet delivered
  provider_payable     one per provider; owed to it (may go negative after a
                       refund of money already paid out: netted next time)
  platform_fees        platform-wide fee income
  payouts_clearing     platform-wide; payouts sent but not yet confirmed
  provider_paid        one per provider; paid to its bank account
  ===================  =====================================================

  allocate  council_funding  -x  → budget_available  +x
  top-up    topup_receipts   -x  → budget_available  +x
  commit    budget_available -x  → budget_committed  +x
  release   budget_committed -x  → budget_available  +x
  settle    budget_committed -x  → provider_payable  +(x-fee), platform_fees +fee
  refund    provider_payable -(x-fee), platform_fees -fee → budget_available +x
  payout    provider_payable -x  → payouts_clearing  +x
  paid      payouts_clearing -x  → provider_paid     +x
  failed    payouts_clearing -x  → provider_payable  +x

  A budget's available balance is allocated − committed − spent by
  construction; spent is the settled money less refunds (on Commitment).
* Append-only: ledger rows refuse update and delete (see AppendOnlyModel);
  a correction is `ledger_reverse`, a new transaction with every sign flipped.
* Every transaction records its reason and its actor (a system user for
  tasks and commands), plus the budget and booking reference it concerns.
* `Account.balance_pence` is a cache for speed. It changes only through a
  conditional `UPDATE ... SET balance = balance + x WHERE id = ... [AND
  balance >= -x]` with a row-count check, which is atomic on both PostgreSQL
  (the row lock makes a waiting writer re-check the condition) and SQLite
  (IMMEDIATE transactions serialise writers). A read-then-write check or
  `select_for_update` alone would let parallel buyers overspend. Accounts are
  updated in ascending id order so two postings never deadlock. A database
  CHECK constraint keeps non-negative accounts at or above zero as a last line.
* `ledger_post_many` is the bulk path (seeding, imports of history): many
  postings in one database transaction under the same rules, as if each were
  given to `ledger_post` in order; rows are inserted in batches and each
  account's balance is moved once, by the same conditional UPDATE.
* `ledger_verify` (used by `manage.py check_ledger`) recomputes every
  balance from the entries and reports any unbalanced transaction, any
  cached balance that differs, and any commitment that disagrees.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from itertools import islice

from django.db import transaction
from django.db.models import F, Sum

from accounts.models import User
from carehub import clock
from carehub.errors import DomainError
from marketplace.models import Account, Budget, Commitment, Entry, LedgerTransaction

MAX_AMOUNT_PENCE = 100_000_000  # £1,000,000: anything above is a mistake (pounds sent as pence twice over)


def check_amount(amount_pence: object, *, field: str = "amount_pence") -> int:
    """Amounts are whole pence: 1250 is £12.50. Refuse anything else."""
    if isinstance(amount_pence, bool) or not isinstance(amount_pence, int):
        raise DomainError("Enter the amount in whole pence, for example 1250 for £12.50.", field=field)
    if amount_pence <= 0:
        raise DomainError("The amount must be more than 0 pence.", field=field)
    if amount_pence > MAX_AMOUNT_PENCE:
        raise DomainError("That amount is too large. Amounts are in pence: £12.50 is 1250.", field=field)
    return amount_pence


class UnbalancedPosting(Exception):
    """A programming error: the entries do not sum to zero."""


class InsufficientFunds(DomainError):
    """A non-negative account would go below zero.

    409, not 400: the request is well formed, the budget's state refuses it (issue 16)."""

    status_code = 409
    code = "insufficient_funds"

    def __init__(self, message: str, *, account: Account) -> None:
        super().__init__(message, field="amount_pence")
        self.account = account


NOT_ENOUGH_IN_BUDGET = "There is not enough left in this budget"

# Recording history (demo data, imports of past statements) posts with the date the money
# really moved; everything else posts "now".
_posting_time: ContextVar[datetime | None] = ContextVar("posting_time", default=None)


@contextmanager
def posting_time(at: datetime) -> Iterator[None]:
    """Post (and stamp money rows) as of `at` inside this block."""
    token = _posting_time.set(at)
    try:
        yield
    finally:
        _posting_time.reset(token)


def ledger_now() -> datetime:
    return _posting_time.get() or clock.now()


def _insufficient_message(account: Account) -> str:
    if account.kind == Account.Kind.BUDGET_AVAILABLE:
        return NOT_ENOUGH_IN_BUDGET
    if account.kind == Account.Kind.BUDGET_COMMITTED:
        return "Less money is set aside for this booking than that."
    return "There is not enough money in that account."


def _move_balance(account_id: int, delta: int, *, floor: int) -> bool:
    """`balance += delta` if the balance is at least `floor` (0: no condition), in one
    conditional UPDATE; False when the condition failed. Every change of a cached
    balance goes through here; each posting (or batch) calls it in ascending account id order."""
    rows = Account.objects.filter(pk=account_id)
    if floor > 0:
        rows = rows.filter(balance_pence__gte=floor)
    return rows.update(balance_pence=F("balance_pence") + delta) == 1


def _check_balanced(reason: str, amounts: Sequence[int]) -> None:
    """The rules of one transaction, for ledger_post and ledger_post_many alike."""
    if len(amounts) < 2:
        raise UnbalancedPosting("A transaction needs at least two entries.")
    for amount in amounts:
        if type(amount) is not int or amount == 0:
            raise UnbalancedPosting(f"Entry amounts must be non-zero whole pence, not {amount!r}.")
    if sum(amounts) != 0:
        raise UnbalancedPosting("The entries of a transaction must sum to zero.")
    if reason not in LedgerTransaction.Reason.values:
        raise UnbalancedPosting(f"Unknown reason {reason!r}.")


@transaction.atomic
def ledger_post(
    *,
    reason: str,
    actor: User,
    entries: Sequence[tuple[Account, int]],
    budget: Budget | None = None,
    reference: str = "",
    memo: str = "",
    reverses: LedgerTransaction | None = None,
) -> LedgerTransaction:
    """Post one balanced transaction. The only writer of ledger rows.

    Raises UnbalancedPosting (a bug) or InsufficientFunds (a non-negative
    account would go below zero); either way nothing is written.
    """
    for account, _ in entries:
        if account.pk is None:
            raise UnbalancedPosting("Entries must be posted to saved accounts.")
    _check_balanced(reason, [amount for _, amount in entries])

    # Net the amounts per account, then update in ascending id order (fixed lock order: no deadlocks).
    net: dict[int, int] = {}
    by_id: dict[int, Account] = {}
    for account, amount in entries:
        net[account.pk] = net.get(account.pk, 0) + amount
        by_id[account.pk] = account
    for account_id in sorted(net):
        delta = net[account_id]
        if delta == 0:
            continue
        account = by_id[account_id]
        floor = -delta if delta < 0 and account.kind in Account.NON_NEGATIVE else 0
        if not _move_balance(account_id, delta, floor=floor):
            raise InsufficientFunds(_insufficient_message(account), account=account)

    txn = LedgerTransaction.objects.create(
        reason=reason,
        actor=actor,
        budget=budget,
        reference=reference,
        memo=memo[:255],
        reverses=reverses,
        created_at=ledger_now(),
    )
    Entry.objects.bulk_create(
        Entry(transaction=txn, account=account, amount_pence=amount) for account, amount in entries
    )
    return txn


@transaction.atomic
def ledger_reverse(*, actor: User, original: LedgerTransaction, memo: str = "") -> LedgerTransaction:
    """Correct a transaction by posting its mirror image (the original stays)."""
    if LedgerTransaction.objects.filter(reverses=original).exists():
        raise DomainError("This transaction has already been corrected.")
    entries = [(e.account, -e.amount_pence) for e in original.entries.select_related("account")]
    return ledger_post(
        reason=LedgerTransaction.Reason.REVERSAL,
        actor=actor,
        entries=entries,
        budget=original.budget,
        reference=original.reference,
        memo=memo or f"Correction of {original.code}",
        reverses=original,
    )


@dataclass(frozen=True)
class Posting:
    """One transaction for ledger_post_many; `entries` are (account id, signed pence)."""

    reason: str
    entries: Sequence[tuple[int, int]]
    budget_id: int | None = None
    reference: str = ""
    memo: str = ""
    created_at: datetime | None = None  # None: ledger_now()


BULK_BATCH = 2_000  # postings inserted per round trip
_IDS_PER_QUERY = 900  # below SQLite's limit on the parameters of one statement
_ROWS_PER_INSERT = 1_000  # keeps an INSERT's parameters below PostgreSQL's 65,535


@transaction.atomic
def ledger_post_many(*, actor: User, postings: Iterable[Posting], batch_size: int = BULK_BATCH) -> int:
    """Post many balanced transactions in one database transaction; returns how many.

    The result is the same as giving each posting to ledger_post in order: every
    posting is checked as ledger_post checks it, and no non-negative account may go
    below zero at any point of the sequence (a posting that overdraws one is refused
    even if a later one would refill it). Raises UnbalancedPosting or
    InsufficientFunds, and then nothing of the batch is written. `postings` may be
    a generator: it is read once, `batch_size` at a time, and never held whole.

    Faster than a ledger_post per posting because transactions and entries are
    inserted in batches and each account's cached balance moves once, at the end,
    by its net movement, through the same conditional UPDATE as ledger_post
    (`balance >= the lowest point the batch takes it to`, row-count checked) in
    ascending account id order, so it cannot deadlock with ledger_post either.
    """
    at = ledger_now()
    net: dict[int, int] = {}  # account id → total movement so far
    low: dict[int, int] = {}  # account id → lowest running total (≤ 0): how far the batch dips
    kinds: dict[int, str] = {}
    posted = 0
    iterator = iter(postings)
    while chunk := list(islice(iterator, batch_size)):
        for posting in chunk:
            _check_balanced(posting.reason, [amount for _, amount in posting.entries])
        _learn_kinds(kinds, {account_id for posting in chunk for account_id, _ in posting.entries})
        for posting in chunk:
            moved: dict[int, int] = {}
            for account_id, amount in posting.entries:
                moved[account_id] = moved.get(account_id, 0) + amount
            for account_id, amount in moved.items():
                net[account_id] = net.get(account_id, 0) + amount
                low[account_id] = min(low.get(account_id, 0), net[account_id])
        txns = LedgerTransaction.objects.bulk_create(
            [
                LedgerTransaction(
                    reason=posting.reason,
                    actor_id=actor.pk,
                    budget_id=posting.budget_id,
                    reference=posting.reference,
                    memo=posting.memo[:255],
                    created_at=posting.created_at or at,
                )
                for posting in chunk
            ],
            batch_size=_ROWS_PER_INSERT,
        )
        Entry.objects.bulk_create(
            [
                Entry(transaction_id=txn.pk, account_id=account_id, amount_pence=amount)
                for txn, posting in zip(txns, chunk, strict=True)
                for account_id, amount in posting.entries
            ],
            batch_size=_ROWS_PER_INSERT,
        )
        posted += len(chunk)
    for account_id in sorted(net):
        floor = -low[account_id] if kinds[account_id] in Account.NON_NEGATIVE else 0
        if net[account_id] == 0 and floor == 0:
            continue
        # A zero net movement with a floor still runs: the batch dipped below what the account holds.
        if not _move_balance(account_id, net[account_id], floor=floor):
            account = Account.objects.get(pk=account_id)
            raise InsufficientFunds(_insufficient_message(account), account=account)
    return posted


def _learn_kinds(kinds: dict[int, str], account_ids: set[int]) -> None:
    """Add the kinds of accounts not seen yet; every one must exist."""
    new = sorted(account_ids - kinds.keys())
    for start in range(0, len(new), _IDS_PER_QUERY):
        wanted = new[start : start + _IDS_PER_QUERY]
        kinds.update(Account.objects.filter(pk__in=wanted).values_list("pk", "kind"))
        if any(account_id not in kinds for account_id in wanted):
            raise UnbalancedPosting("Entries must be posted to saved accounts.")


@dataclass(frozen=True)
class LedgerProblem:
    what: str
    detail: str

    def __str__(self) -> str:
        return f"{self.what}: {self.detail}"


def ledger_verify() -> list[LedgerProblem]:
    """Recompute everything the ledger caches. An empty list means it is sound."""
    problems: list[LedgerProblem] = []
    unbalanced = Entry.objects.values("transaction_id").annotate(total=Sum("amount_pence")).exclude(total=0).order_by()
    for row in unbalanced:
        problems.append(LedgerProblem("unbalanced transaction", f"id {row['transaction_id']} sums to {row['total']}"))
    lonely = LedgerTransaction.objects.exclude(entries__isnull=False)
    for txn in lonely:
        problems.append(LedgerProblem("transaction without entries", str(txn.code)))

    sums = dict(Entry.objects.values_list("account_id").annotate(total=Sum("amount_pence")).order_by())
    for account in Account.objects.all().order_by("pk"):
        expected = sums.get(account.pk, 0)
        if account.balance_pence != expected:
            problems.append(
                LedgerProblem(
                    "balance differs",
                    f"account {account.pk} ({account}) caches {account.balance_pence}, entries sum to {expected}",
                )
            )
        if account.kind in Account.NON_NEGATIVE and expected < 0:
            problems.append(LedgerProblem("negative balance", f"account {account.pk} ({account}) is {expected}"))

    held = dict(
        Commitment.objects.filter(status=Commitment.Status.HELD)
        .values_list("budget_id")
        .annotate(total=Sum("amount_pence"))
        .order_by()
    )
    for account in Account.objects.filter(kind=Account.Kind.BUDGET_COMMITTED):
        if sums.get(account.pk, 0) != held.get(account.budget_id, 0):
            problems.append(
                LedgerProblem(
                    "commitments differ",
                    f"budget {account.budget_id} holds {sums.get(account.pk, 0)} in the ledger, "
                    f"{held.get(account.budget_id, 0)} in open commitments",
                )
            )
    return problems
