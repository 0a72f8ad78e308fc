"""Recompute every ledger balance from its entries; exit non-zero on any difference."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from marketplace.ledger import ledger_verify
from marketplace.models import Account, LedgerTransaction


class Command(BaseCommand):
    help = "Check the money ledger: balanced transactions, cached balances, commitments. Exits 1 on any problem."

    def handle(self, *args: object, **options: object) -> None:
        problems = ledger_verify()
        for problem in problems:
            self.stderr.write(str(problem))
        if problems:
            raise CommandError(f"The ledger has {len(problems)} problem(s).")
        self.stdout.write(
            self.style.SUCCESS(
                f"Ledger OK: {LedgerTransaction.objects.count()} transactions, {Account.objects.count()} accounts."
            )
        )
