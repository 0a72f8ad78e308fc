"""manage.py build_postcode_centroids PATH --out FILE: derive the embedded centroid table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directory.geo.centroids import DEFAULT_PATH, postcode_centroids_build
from directory.geo.postcode_import import ImportFileError


class Command(BaseCommand):
    help = "Write the sector + district centroid table (gzip CSV) derived from Code-Point Open or ONSPD."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="Code-Point Open zip or folder, or ONSPD CSV")
        parser.add_argument("--out", type=Path, default=DEFAULT_PATH)
        parser.add_argument("--codelist", type=Path, default=None, help="council code list CSV")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            count = postcode_centroids_build(
                path=options["path"],
                out=options["out"],
                codelist=options["codelist"],
                progress=lambda msg: self.stdout.write(msg),
            )
        except ImportFileError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(self.style.SUCCESS(f"Wrote {count:,} sector and district centroids to {options['out']}"))
