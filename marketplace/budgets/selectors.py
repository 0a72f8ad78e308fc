"""Reads for budgets: scoped to the user in SQL, 404 when not theirs."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth

from accounts.models import CarerLink, CommissionerMembership, PersonProfile, User
from carehub import clock
from carehub.errors import NotFound
from directory.models import Council
from marketplace.models import Account, Budget, Commitment, Entry, LedgerTransaction


def budget_list_for_user(*, user: User) -> QuerySet[Budget]:
    """Budgets of the user's own profile and of everyone who let them see their budget.

    Balances come as annotations, so a list of budgets costs one query."""
    if not user.is_authenticated:
        return Budget.objects.none()
    supported = CarerLink.objects.filter(carer=user, status=CarerLink.Status.ACTIVE).filter(
        Q(can_view=True) | Q(can_manage_budget=True)
    )
    return (
        Budget.objects.filter(Q(person__user=user) | Q(person_id__in=supported.values("person_id")))
        .select_related("person__user", "funder")
        .annotate(
            available_pence=Sum("accounts__balance_pence", filter=Q(accounts__kind=Account.Kind.BUDGET_AVAILABLE)),
            committed_pence=Sum("accounts__balance_pence", filter=Q(accounts__kind=Account.Kind.BUDGET_COMMITTED)),
        )
        .order_by("-period_start", "pk")
    )


def budget_list_for_booking(*, people: QuerySet[PersonProfile]) -> QuerySet[Budget]:
    """The budgets that may pay for a booking for these people: not yet ended, with what is left."""
    return (
        Budget.objects.filter(person__in=people, period_end__gte=clock.today())
        .select_related("person__user")
        .annotate(
            available_pence=Sum("accounts__balance_pence", filter=Q(accounts__kind=Account.Kind.BUDGET_AVAILABLE))
        )
        .order_by("person_id", "-period_start", "pk")
    )


def budget_get_for_person(*, person: PersonProfile, code: object) -> Budget:
    """One of the person's own budgets (the API's optional `budget`); 404 for anyone else's."""
    budget = Budget.objects.filter(person=person, code=code).first()
    if budget is None:
        raise NotFound("That budget is not one of this person's budgets.")
    return budget


def budget_get_for_user(*, user: User, code: object) -> Budget:
    budget = budget_list_for_user(user=user).filter(code=code).first()
    if budget is None:
        raise NotFound("Budget not found.")
    return budget


def commitment_get_for_user(*, user: User, code: object) -> Commitment:
    """A commitment the user may see as the person's side, or as the provider's member."""
    budgets = budget_list_for_user(user=user).values("pk")
    commitment = (
        Commitment.objects.select_related("budget", "provider")
        .filter(Q(budget__in=budgets) | Q(provider__memberships__user=user), code=code)
        .distinct()
        .first()
        if user.is_authenticated
        else None
    )
    if commitment is None:
        raise NotFound("Booking payment not found.")
    return commitment


def budget_reload(*, budget: Budget) -> Budget:
    """A budget a service has just written, read again with its holder and funder for the API's answer."""
    return Budget.objects.select_related("person__user", "funder").get(pk=budget.pk)


def commitment_reload(*, commitment: Commitment) -> Commitment:
    """A commitment a service has just written, read again with its budget and provider for the API's answer."""
    return Commitment.objects.select_related("budget", "provider").get(pk=commitment.pk)


@dataclass(frozen=True)
class Forecast:
    daily_rate_pence: int
    runs_out_on: date | None  # None: lasts to the end of the period at this rate
    left_at_end_pence: int


@dataclass
class BudgetSummary:
    budget: Budget
    allocated_pence: int
    available_pence: int
    committed_pence: int
    spent_pence: int
    forecast: Forecast
    by_category: list[dict] = field(default_factory=list)
    by_month: list[dict] = field(default_factory=list)
    upcoming: list[Commitment] = field(default_factory=list)


def _balances(budget: Budget) -> dict[str, int]:
    return dict(Account.objects.filter(budget=budget).values_list("kind", "balance_pence"))


def budget_spent_pence(*, budget: Budget) -> int:
    totals = Commitment.objects.filter(budget=budget, status=Commitment.Status.SETTLED).aggregate(
        settled=Sum("settled_pence"), refunded=Sum("refunded_pence")
    )
    return (totals["settled"] or 0) - (totals["refunded"] or 0)


def budget_forecast(*, budget: Budget, available_pence: int | None = None, today: date | None = None) -> Forecast:
    """At the rate spent so far this period, when does the money run out?

    Planned (committed) spend counts towards the projected future spend, so
    it is not counted twice."""
    today = today or clock.today()
    balances = _balances(budget)
    available = balances.get(Account.Kind.BUDGET_AVAILABLE, 0) if available_pence is None else available_pence
    committed = balances.get(Account.Kind.BUDGET_COMMITTED, 0)
    spent = budget_spent_pence(budget=budget)
    elapsed = max((min(today, budget.period_end) - budget.period_start).days + 1, 1)
    remaining_days = max((budget.period_end - today).days, 0)
    rate = spent // elapsed
    projected = rate * remaining_days
    left_at_end = available - max(projected - committed, 0)
    runs_out_on = None
    if rate > 0:
        runs_out = today + timedelta(days=(available + committed) // rate)
        if runs_out < budget.period_end:
            runs_out_on = runs_out
    return Forecast(daily_rate_pence=rate, runs_out_on=runs_out_on, left_at_end_pence=left_at_end)


def budget_summary(*, budget: Budget, today: date | None = None) -> BudgetSummary:
    """Everything the 'My budget' page shows, in a fixed number of queries."""
    balances = _balances(budget)
    allocated = (
        Entry.objects.filter(
            account__budget=budget,
            account__kind=Account.Kind.BUDGET_AVAILABLE,
            # Net of the council's reductions, so "paid in" is what the budget holds from its funders.
            transaction__reason__in=[
                LedgerTransaction.Reason.ALLOCATION,
                LedgerTransaction.Reason.REDUCTION,
                LedgerTransaction.Reason.TOPUP,
            ],
        ).aggregate(total=Sum("amount_pence"))["total"]
        or 0
    )
    settled = Commitment.objects.filter(budget=budget, status=Commitment.Status.SETTLED)
    by_category = list(
        settled.values(name=F("category__name"))
        .annotate(spent_pence=Sum(F("settled_pence") - F("refunded_pence")))
        .order_by("name")
    )
    for row in by_category:
        row["name"] = row["name"] or "Other"
    spent_by_month = {
        row["month"].date() if isinstance(row["month"], datetime) else row["month"]: row["total"]
        for row in settled.annotate(month=TruncMonth("settled_at"))
        .values("month")
        .annotate(total=Sum(F("settled_pence") - F("refunded_pence")))
        .order_by("month")
    }
    held = Commitment.objects.filter(budget=budget, status=Commitment.Status.HELD)
    planned_by_month = {
        row["month"]: row["total"]
        for row in held.exclude(due_on__isnull=True)
        .annotate(month=TruncMonth("due_on"))
        .values("month")
        .annotate(total=Sum("amount_pence"))
        .order_by("month")
    }
    months = sorted(set(spent_by_month) | set(planned_by_month))
    by_month = [
        {"month": m, "spent_pence": spent_by_month.get(m, 0), "planned_pence": planned_by_month.get(m, 0)}
        for m in months
    ]
    spent = sum(row["spent_pence"] for row in by_category)
    return BudgetSummary(
        budget=budget,
        allocated_pence=allocated,
        available_pence=balances.get(Account.Kind.BUDGET_AVAILABLE, 0),
        committed_pence=balances.get(Account.Kind.BUDGET_COMMITTED, 0),
        spent_pence=spent,
        forecast=budget_forecast(budget=budget, today=today),
        by_category=by_category,
        by_month=by_month,
        upcoming=list(held.select_related("provider", "category").order_by(F("due_on").asc(nulls_last=True), "pk")),
    )


@dataclass(frozen=True)
class StatementLine:
    when: datetime
    description: str
    reason: str
    reference: str
    available_change_pence: int
    committed_change_pence: int
    available_after_pence: int
    # The line in plain words, tying a booking's set-aside, payment and return together
    # ("Set aside for Home visit on 3 Dec", "Paid for Home visit on 3 Dec (from money set aside)").
    story: str = ""


@dataclass
class Statement:
    budget: Budget
    start: date
    end: date
    opening_available_pence: int
    closing_available_pence: int
    lines: list[StatementLine]
    # Set aside for booked care not yet paid for, at the close; and what is available now (the
    # budget page's figure), so the page can explain any difference from the closing balance.
    closing_committed_pence: int = 0
    available_now_pence: int = 0
    committed_now_pence: int = 0

    @property
    def moved_since_pence(self) -> int:
        return self.available_now_pence - self.closing_available_pence


_STORY = {
    LedgerTransaction.Reason.COMMIT: "Set aside for {what}",
    LedgerTransaction.Reason.SETTLE: "Paid for {what} (from money set aside)",
    LedgerTransaction.Reason.RELEASE: "Money set aside for {what} returned to the budget",
    LedgerTransaction.Reason.REFUND: "Refund for {what}",
}


def _story(txn: LedgerTransaction, commitment: Commitment | None) -> str:
    template = _STORY.get(txn.reason)
    if commitment is None or template is None:
        return txn.memo or txn.get_reason_display()
    what = commitment.description or f"care from {commitment.provider.name}"
    if commitment.due_on:
        what += f" on {commitment.due_on:%-d %b %Y}"
    return template.format(what=what)


def _day_start(day: date) -> datetime:
    return clock.day_start(day)


def budget_statement(*, budget: Budget, start: date, end: date) -> Statement:
    """Every movement of this budget's money between two dates (inclusive)."""
    accounts = dict(Account.objects.filter(budget=budget).values_list("pk", "kind"))
    available_ids = [pk for pk, kind in accounts.items() if kind == Account.Kind.BUDGET_AVAILABLE]
    since, until = _day_start(start), _day_start(end + timedelta(days=1))
    committed_ids = [pk for pk, kind in accounts.items() if kind == Account.Kind.BUDGET_COMMITTED]
    opening = (
        Entry.objects.filter(account_id__in=available_ids, transaction__created_at__lt=since).aggregate(
            total=Sum("amount_pence")
        )["total"]
        or 0
    )
    closing_committed = (
        Entry.objects.filter(account_id__in=committed_ids, transaction__created_at__lt=until).aggregate(
            total=Sum("amount_pence")
        )["total"]
        or 0
    )
    entries = (
        Entry.objects.filter(account_id__in=list(accounts), transaction__created_at__gte=since)
        .filter(transaction__created_at__lt=until)
        .select_related("transaction")
        .order_by("transaction__created_at", "transaction_id", "pk")
    )
    lines: list[StatementLine] = []
    balance = opening
    grouped: dict[int, list[Entry]] = {}
    for entry in entries:
        grouped.setdefault(entry.transaction_id, []).append(entry)
    references = {group[0].transaction.reference for group in grouped.values()} - {""}
    commitments = {
        c.reference: c
        for c in Commitment.objects.filter(budget=budget, reference__in=references).select_related("provider")
    }
    for group in grouped.values():
        txn = group[0].transaction
        available = sum(e.amount_pence for e in group if accounts[e.account_id] == Account.Kind.BUDGET_AVAILABLE)
        committed = sum(e.amount_pence for e in group if accounts[e.account_id] == Account.Kind.BUDGET_COMMITTED)
        balance += available
        lines.append(
            StatementLine(
                when=txn.created_at,
                description=txn.memo or txn.get_reason_display(),
                reason=txn.get_reason_display(),
                reference=txn.reference,
                available_change_pence=available,
                committed_change_pence=committed,
                available_after_pence=balance,
                story=_story(txn, commitments.get(txn.reference)),
            )
        )
    now = _balances(budget)
    return Statement(
        budget=budget,
        start=start,
        end=end,
        opening_available_pence=opening,
        closing_available_pence=balance,
        lines=lines,
        closing_committed_pence=closing_committed,
        available_now_pence=now.get(Account.Kind.BUDGET_AVAILABLE, 0),
        committed_now_pence=now.get(Account.Kind.BUDGET_COMMITTED, 0),
    )


def budget_get_for_funder(*, user: User, code: object) -> Budget:
    """A budget as seen by its funding council's managers (to allocate), or platform finance."""
    if not user.is_authenticated:
        raise NotFound("Budget not found.")
    budgets = Budget.objects.select_related("person__user", "funder").filter(code=code)
    if not user.is_superuser:
        budgets = budgets.filter(funder__commissioners__user=user, funder__commissioners__role="manager")
    budget = budgets.first()
    if budget is None:
        raise NotFound("Budget not found.")
    return budget


# --- The council's side: care managers (and viewers) of the funding council ----------------------


def council_list_for_user(*, user: User, manage: bool = False) -> QuerySet[Council]:
    """The councils the user works for as a commissioner; with `manage`, only those whose
    budgets they may change (the "manager" role: the council's care managers)."""
    if not user.is_authenticated:
        return Council.objects.none()
    memberships = CommissionerMembership.objects.filter(user=user)
    if manage:
        memberships = memberships.filter(role=CommissionerMembership.Role.MANAGER)
    return Council.objects.filter(pk__in=memberships.values("council_id")).order_by("name")


def budget_list_for_council_user(*, user: User, find: str = "") -> QuerySet[Budget]:
    """Budgets funded by the user's councils, newest period first, with balances as annotations
    (one query); `find` narrows them to one person, by e-mail address or the council's reference."""
    budgets = (
        Budget.objects.filter(funder__in=council_list_for_user(user=user))
        .select_related("person__user", "funder")
        .annotate(
            available_pence=Sum("accounts__balance_pence", filter=Q(accounts__kind=Account.Kind.BUDGET_AVAILABLE)),
            committed_pence=Sum("accounts__balance_pence", filter=Q(accounts__kind=Account.Kind.BUDGET_COMMITTED)),
        )
        .order_by("-period_start", "person__user__full_name", "pk")
    )
    find = find.strip()
    if find:
        budgets = budgets.filter(Q(person__user__email__iexact=find) | Q(council_reference__iexact=find))
    return budgets


def budget_get_for_council_user(*, user: User, code: object) -> Budget:
    """A budget as its funding council's commissioners see it (viewers and care managers alike);
    NotFound for anyone else, including another council's care managers."""
    budget = budget_list_for_council_user(user=user).filter(code=code).first()
    if budget is None:
        raise NotFound("Budget not found.")
    return budget


def person_find_for_council(*, user: User, find: str) -> PersonProfile | None:
    """The person a care manager means: by the e-mail address of their CareHub account, or by
    the reference the manager's council gave an earlier budget of theirs. None when nobody (or,
    for a reference, more than one person) matches; only care managers may look people up."""
    find = " ".join(find.split())
    if not find or not council_list_for_user(user=user, manage=True).exists():
        return None
    people = PersonProfile.objects.select_related("user")
    if "@" in find:
        return people.filter(user__email__iexact=find, user__is_active=True).first()
    matches = list(
        people.filter(
            budgets__council_reference__iexact=find,
            budgets__funder__in=council_list_for_user(user=user, manage=True),
        ).distinct()[:2]
    )
    return matches[0] if len(matches) == 1 else None
