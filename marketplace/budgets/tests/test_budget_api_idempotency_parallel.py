"""50 identical parallel API requests with one idempotency key: one transaction, 50 identical responses."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from marketplace import ledger
from marketplace.models import Commitment, IdempotencyRecord, LedgerTransaction
from marketplace.tests.factories import make_budget
from marketplace.tests.parallel import run_parallel


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_budget_commit_api_same_key_in_parallel_moves_money_once(cast: Any) -> None:
    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=10_000)
    url = reverse("marketplace-api:budget-commit", args=[budget.code])
    body = {"amount_pence": 1_000, "reference": "booking-1", "provider": str(cast.provider.code)}

    def request(_: int) -> tuple[int, Any]:
        client = APIClient()
        client.force_authenticate(cast.person.user)
        response = client.post(url, body, format="json", HTTP_IDEMPOTENCY_KEY="same-key-for-all")
        return response.status_code, response.json()

    results = run_parallel(50, request)
    assert [r for r in results if isinstance(r, Exception)] == []
    assert len(results) == 50
    assert {status for status, _ in results} == {201}
    assert all(payload == results[0][1] for _, payload in results)
    assert LedgerTransaction.objects.filter(reason="commit").count() == 1
    assert Commitment.objects.count() == 1
    assert IdempotencyRecord.objects.filter(key="same-key-for-all").count() == 1
    assert ledger.account_budget_available(budget).balance_pence == 9_000
    call_command("check_ledger")
