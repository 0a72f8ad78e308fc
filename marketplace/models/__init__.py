"""The marketplace's models, one module per concern. Every model is importable from
here, and importing this package is how Django finds them all."""

from marketplace.models.bookings import Booking, BookingEvent, BookingSlot, RecurringPlan
from marketplace.models.budgets import Budget, BudgetAlert, Commitment, TopUp
from marketplace.models.choosing import SavedSearch, Shortlist, ShortlistItem
from marketplace.models.ledger import (
    Account,
    AppendOnlyModel,
    AppendOnlyQuerySet,
    Entry,
    IdempotencyRecord,
    LedgerImmutable,
    LedgerTransaction,
)
from marketplace.models.messaging import Message, MessageThread, ThreadReadState
from marketplace.models.payouts import Payout, PayoutBatch

__all__ = [
    "Account",
    "AppendOnlyModel",
    "AppendOnlyQuerySet",
    "Booking",
    "BookingEvent",
    "BookingSlot",
    "Budget",
    "BudgetAlert",
    "Commitment",
    "Entry",
    "IdempotencyRecord",
    "LedgerImmutable",
    "LedgerTransaction",
    "Message",
    "MessageThread",
    "Payout",
    "PayoutBatch",
    "RecurringPlan",
    "SavedSearch",
    "Shortlist",
    "ShortlistItem",
    "ThreadReadState",
    "TopUp",
]
