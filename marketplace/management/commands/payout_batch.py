"""Run a provider payout batch and write its CSV remittance for council finance."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts.services import system_actor
from carehub.money import pounds
from marketplace.payouts import services as payouts


class Command(BaseCommand):
    help = "Move every provider's payable balance into a payout batch and write the CSV remittance."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", type=Path, help="Where to write the CSV (default: print it)")
        parser.add_argument("--idempotency-key", default="", help="Re-running with the same key returns the same batch")

    def handle(self, *args: Any, **options: Any) -> None:
        batch = payouts.payout_batch_create(
            actor=system_actor(), idempotency_key=options["idempotency_key"] or str(uuid.uuid4())
        )
        if options["output"]:
            options["output"].write_text(batch.remittance_csv, encoding="utf-8")
        else:
            self.stdout.write(batch.remittance_csv)
        total = sum(p.amount_pence for p in batch.payouts.all())
        self.stderr.write(f"Batch {batch.code}: {batch.payouts.count()} payouts, £{pounds(total)} in total.")
