from __future__ import annotations

import pytest
from django.core.management import call_command

from marketplace.ledger import ledger_verify
from marketplace.models import Budget, LedgerTransaction

pytestmark = pytest.mark.django_db


def test_seed_demo_budgets_have_history_and_a_sound_ledger() -> None:
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    budget = Budget.objects.get(name="Direct payment")
    assert budget.commitments.filter(status="settled").exists()
    assert budget.commitments.filter(status="held").exists()  # planned future spend
    count = LedgerTransaction.objects.count()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert LedgerTransaction.objects.count() == count  # idempotent
    assert ledger_verify() == []
    call_command("check_ledger", stdout=open("/dev/null", "w"))  # noqa: SIM115
