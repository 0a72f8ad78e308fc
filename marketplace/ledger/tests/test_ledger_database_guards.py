"""The database itself refuses to change ledger rows or commit an unbalanced transaction."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import DatabaseError, connection, transaction

from accounts.services import system_actor
from marketplace import ledger
from marketplace.models import Entry, LedgerTransaction
from marketplace.tests.factories import make_budget


@pytest.mark.django_db
def test_database_refuses_to_update_ledger_rows(cast: Any) -> None:
    make_budget(person=cast.person, funder=cast.council, allocated_pence=1_000)
    entry = Entry.objects.first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE marketplace_entry SET amount_pence = 1 WHERE id = %s", [entry.pk])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_refuses_to_commit_unbalanced_entries_or_delete(cast: Any) -> None:
    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=1_000)
    account = ledger.account_budget_available(budget)
    with pytest.raises(DatabaseError, match="unbalanced"), transaction.atomic():
        txn = LedgerTransaction.objects.create(reason="allocation", actor=system_actor(), budget=budget)
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO marketplace_entry (transaction_id, account_id, amount_pence) VALUES (%s, %s, 5)",
                [txn.pk, account.pk],
            )
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM marketplace_entry")
    assert ledger.ledger_verify() == []
