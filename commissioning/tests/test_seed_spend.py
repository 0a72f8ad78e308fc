"""seed_spend: bulk-inserted spend keeps the ledger sound and feeds the dashboard."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.db.models import Sum

from commissioning.dashboard import dashboard
from commissioning.filters import Filters, period_parse
from directory.models import Council, SearchLog
from marketplace.ledger import ledger_verify
from marketplace.models import Account, Commitment, Entry


def test_seed_spend_keeps_the_ledger_sound_and_the_dashboard_agrees(db: Any) -> None:
    call_command("seed_spend", "--entries", "3000", "--holders", "40", "--providers", "12", "--searches", "50")
    assert ledger_verify() == []
    council = Council.objects.get(slug="seeded-council")
    assert Entry.objects.count() >= 3000
    assert SearchLog.objects.filter(council=council).count() == 50
    assert council.budgets.count() == 40
    board = dashboard(Filters(council=council, period=period_parse(None)))
    settled = Commitment.objects.filter(budget__funder=council, status=Commitment.Status.SETTLED).aggregate(
        t=Sum("settled_pence")
    )["t"]
    assert board.utilisation.spent_pence == settled
    held = Account.objects.filter(budget__funder=council, kind=Account.Kind.BUDGET_COMMITTED).aggregate(
        t=Sum("balance_pence")
    )["t"]
    assert board.utilisation.committed_pence == held
    assert board.utilisation.holders == 40
