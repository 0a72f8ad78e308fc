"""Reads for payouts: platform finance staff only."""

from __future__ import annotations

from typing import Any

from accounts.models import User
from accounts.permissions import is_platform_finance
from carehub.errors import NotFound
from marketplace.models import Payout, PayoutBatch


def payout_get_for_user(*, user: User, code: Any) -> Payout:
    """One payout, for platform finance staff; NotFound both when it is missing and for anyone
    else, so nothing says which payouts exist."""
    payout = Payout.objects.select_related("provider").filter(code=code).first() if is_platform_finance(user) else None
    if payout is None:
        raise NotFound("Payout not found.")
    return payout


def payout_batch_reload(*, batch: PayoutBatch) -> PayoutBatch:
    """A batch the service has just written, read again with its payouts and their providers for the API's answer."""
    return PayoutBatch.objects.prefetch_related("payouts__provider").get(pk=batch.pk)
