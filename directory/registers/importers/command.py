"""The shared body of the register import commands: parse arguments, run, print a summary."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directory.models import RegisterImport, RegisterImportError
from directory.registers.importers.files import RegisterFileInvalid
from directory.registers.services import register_import_from_path

COUNT_LABELS = [
    ("rows", "rows in the file"),
    ("created", "services added"),
    ("updated", "services updated"),
    ("unchanged", "services unchanged"),
    ("closed", "marked no longer registered"),
    ("reopened", "registered again"),
    ("errors", "rows with errors (see the report)"),
    ("warnings", "rows imported with a warning"),
    ("providers_created", "providers added"),
    ("providers_updated", "providers renamed"),
    ("grade_changes", "grade changes recorded"),
    ("located_unit", "located by full postcode"),
    ("located_sector", "located by postcode sector"),
    ("located_district", "located by postcode district"),
    ("not_located", "no usable postcode: listed by council only"),
]


class RegisterImportCommand(BaseCommand):
    regulator: str = ""

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", help="the register file: a CSV, a gzipped CSV (.csv.gz) or a zip holding one CSV")
        parser.add_argument("--quiet-progress", action="store_true", help="do not print progress lines")

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            if not options["quiet_progress"]:
                self.stdout.write(f"  {done:,} / {total:,} rows")

        try:
            run = register_import_from_path(regulator=self.regulator, path=options["path"], progress=progress)
        except RegisterFileInvalid as exc:
            raise CommandError(exc.message) from exc
        self._summary(run, time.monotonic() - started)

    def _summary(self, run: RegisterImport, seconds: float) -> None:
        self.stdout.write(self.style.SUCCESS(f"Imported {run.file_name} in {seconds:.1f} s (import #{run.pk})"))
        for key, label in COUNT_LABELS:
            self.stdout.write(f"  {run.counts.get(key, 0):>7,}  {label}")
        errors = RegisterImportError.objects.filter(register_import=run)[:20]
        for error in errors:
            self.stdout.write(self.style.WARNING(f"  row {error.row_number} {error.reference}: {error.reason}"))
        if run.counts.get("errors", 0) > len(errors):
            self.stdout.write(f"  ... all {run.counts['errors']} error rows are on import #{run.pk} in the admin")
        for line in run.message.splitlines():  # the warnings, grouped
            self.stdout.write(self.style.WARNING(f"  {line}"))
