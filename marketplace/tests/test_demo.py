from __future__ import annotations

import pytest
from django.core.management import call_command

from marketplace.ledger import ledger_verify
from marketplace.models import Budget, LedgerTransaction

pytestmark = pytest.mark.django_db


def test_seed_demo_budgets_have_history_and_a_sound_ledger() -> None:
    call_command("seed_demo", "--no-register", stdout=open("/dev/null", "w"))  # noqa: SIM115
    # Near 1 April the history sits in last year's budget and the planned visits in next year's.
    direct_payments = Budget.objects.filter(name__startswith="Direct payment")
    assert direct_payments.filter(name="Direct payment").count() == 1
    assert direct_payments.filter(commitments__status="settled").exists()
    assert direct_payments.filter(commitments__status="held").exists()  # planned future spend
    count = LedgerTransaction.objects.count()
    call_command("seed_demo", "--no-register", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert LedgerTransaction.objects.count() == count  # idempotent
    assert ledger_verify() == []
    call_command("check_ledger", stdout=open("/dev/null", "w"))  # noqa: SIM115
