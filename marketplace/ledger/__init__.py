"""The money ledger: double-entry postings in integer pence (posting.py explains the
design), the accounts they move between, and idempotency keys for every money-moving
call. `from marketplace import ledger` gives the posting API below; idempotency is
imported from marketplace.ledger.idempotency."""

from marketplace.ledger.accounts import (
    account_budget_available,
    account_budget_committed,
    account_council_funding,
    account_payouts_clearing,
    account_platform_fees,
    account_provider_paid,
    account_provider_payable,
    account_topup_receipts,
)
from marketplace.ledger.posting import (
    MAX_AMOUNT_PENCE,
    NOT_ENOUGH_IN_BUDGET,
    InsufficientFunds,
    LedgerProblem,
    Posting,
    UnbalancedPosting,
    check_amount,
    ledger_now,
    ledger_post,
    ledger_post_many,
    ledger_reverse,
    ledger_verify,
    posting_time,
)

__all__ = [
    "MAX_AMOUNT_PENCE",
    "NOT_ENOUGH_IN_BUDGET",
    "InsufficientFunds",
    "LedgerProblem",
    "Posting",
    "UnbalancedPosting",
    "check_amount",
    "account_budget_available",
    "account_budget_committed",
    "account_council_funding",
    "account_payouts_clearing",
    "account_platform_fees",
    "account_provider_paid",
    "account_provider_payable",
    "account_topup_receipts",
    "ledger_now",
    "ledger_post",
    "ledger_post_many",
    "ledger_reverse",
    "ledger_verify",
    "posting_time",
]
