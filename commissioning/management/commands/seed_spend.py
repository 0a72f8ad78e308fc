"""Build realistic spend data for the commissioner dashboard benchmark."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from commissioning.seed import seed_spend


class Command(BaseCommand):
    help = "Bulk-insert budget holders, budgets and balanced ledger entries for one council (check_ledger passes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--entries", type=int, default=100_000, help="ledger entries to add (about)")
        parser.add_argument("--holders", type=int, default=2_000, help="budget holders to add")
        parser.add_argument("--council", default="seeded-council", help="council slug (made if missing)")
        parser.add_argument("--providers", type=int, default=300)
        parser.add_argument("--searches", type=int, default=None, help="search log rows (default entries/20)")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args: Any, **opts: Any) -> None:
        if opts["entries"] < 0 or opts["holders"] < 1 or opts["providers"] < 1:
            self.stderr.write("--entries must be 0 or more; --holders and --providers at least 1")
            raise SystemExit(2)
        started = time.perf_counter()
        result = seed_spend(
            entries=opts["entries"],
            holders=opts["holders"],
            council_slug=opts["council"],
            providers=opts["providers"],
            searches=opts["searches"],
            seed=opts["seed"],
            progress=lambda message: self.stdout.write(f"  {message}"),
        )
        self.stdout.write(
            f"Seeded {result.council.slug}: {result.holders:,} holders, {result.commitments:,} commitments, "
            f"{result.transactions:,} transactions, {result.entries:,} entries, {result.searches:,} searches "
            f"in {time.perf_counter() - started:.1f}s"
        )
