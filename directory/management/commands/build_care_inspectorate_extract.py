"""manage.py build_care_inspectorate_extract DATASTORE --out FILE: the register copy the project ships."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directory.registers.importers.care_inspectorate import EMBEDDED_PATH, care_inspectorate_extract_write
from directory.registers.importers.files import RegisterFileInvalid


class Command(BaseCommand):
    help = "Write the columns CareHub reads from a Care Inspectorate datastore CSV as a gzip CSV (seed_demo loads it)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the datastore CSV (or .csv.gz, or a zip holding it)")
        parser.add_argument("--out", type=Path, default=EMBEDDED_PATH)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            rows = care_inspectorate_extract_write(source=options["path"], out=options["out"])
        except RegisterFileInvalid as exc:
            raise CommandError(exc.message) from exc
        size = options["out"].stat().st_size
        self.stdout.write(self.style.SUCCESS(f"Wrote {rows:,} rows to {options['out']} ({size / 1024:,.0f} KB)"))
