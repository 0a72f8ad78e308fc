"""manage.py import_postcodes PATH [--codelist CSV]: load every unit postcode."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directory.geo.postcode_import import ImportFileError, postcode_import


class Command(BaseCommand):
    help = (
        "Import geocoded postcodes from an OS Code-Point Open zip (or its unzipped folder) or an ONSPD CSV, "
        "with derived sector and district centroids. Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="Code-Point Open zip or folder, or ONSPD CSV/zip")
        parser.add_argument(
            "--codelist",
            type=Path,
            default=None,
            help="council code list CSV (area_type,area_type_name,gss_code,name); "
            "default: <zip name>_codelist.csv or codelist.csv next to the zip, or inside it",
        )
        parser.add_argument("--chunk-size", type=int, default=100_000)

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        try:
            result = postcode_import(
                path=options["path"],
                codelist=options["codelist"],
                chunk_size=options["chunk_size"],
                progress=lambda msg: self.stdout.write(msg),
            )
        except ImportFileError as exc:
            raise CommandError(exc.message) from exc
        elapsed = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported {result.read:,} unit postcodes + {result.sectors:,} sectors + "
                f"{result.districts:,} districts in {elapsed:.1f} s: inserted {result.inserted:,}, "
                f"updated {result.updated:,}, unchanged {result.unchanged:,}, skipped {result.skipped_total:,}"
            )
        )
        for reason, count in sorted(result.skipped.items()):
            self.stdout.write(f"  skipped ({reason}): {count:,}")
        self.stdout.write(f"  councils: {result.councils:,}")
