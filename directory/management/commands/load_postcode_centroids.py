"""manage.py load_postcode_centroids [PATH]: load the embedded sector/district table."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from directory.geo.centroids import DEFAULT_PATH, postcode_centroids_load
from directory.geo.postcode_import import ImportFileError


class Command(BaseCommand):
    help = "Load the sector and district postcode centroids shipped with CareHub (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", type=Path, default=DEFAULT_PATH)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = postcode_centroids_load(path=options["path"])
        except ImportFileError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            f"Postcode centroids: {result.sectors:,} sectors, {result.districts:,} districts, "
            f"{result.councils:,} councils; inserted {result.inserted:,}, updated {result.updated:,}, "
            f"unchanged {result.unchanged:,}"
        )
