"""The ledger's accounts, fetched or created on first use: one per budget (available,
committed), council (funding) and provider (payable, paid), and the platform's own."""

from __future__ import annotations

from marketplace.models import Account, Budget


def _platform_account(kind: str) -> Account:
    account, _ = Account.objects.get_or_create(kind=kind, budget=None, council=None, provider=None)
    return account


def account_budget_available(budget: Budget) -> Account:
    return Account.objects.get_or_create(kind=Account.Kind.BUDGET_AVAILABLE, budget=budget)[0]


def account_budget_committed(budget: Budget) -> Account:
    return Account.objects.get_or_create(kind=Account.Kind.BUDGET_COMMITTED, budget=budget)[0]


def account_council_funding(council_id: int) -> Account:
    return Account.objects.get_or_create(kind=Account.Kind.COUNCIL_FUNDING, council_id=council_id)[0]


def account_provider_payable(provider_id: int) -> Account:
    return Account.objects.get_or_create(kind=Account.Kind.PROVIDER_PAYABLE, provider_id=provider_id)[0]


def account_provider_paid(provider_id: int) -> Account:
    return Account.objects.get_or_create(kind=Account.Kind.PROVIDER_PAID, provider_id=provider_id)[0]


def account_platform_fees() -> Account:
    return _platform_account(Account.Kind.PLATFORM_FEES)


def account_payouts_clearing() -> Account:
    return _platform_account(Account.Kind.PAYOUTS_CLEARING)


def account_topup_receipts() -> Account:
    return _platform_account(Account.Kind.TOPUP_RECEIPTS)
