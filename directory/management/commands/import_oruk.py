"""manage.py import_oruk URL_OR_FILE: another directory's Open Referral UK feed → CareHub."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from carehub.errors import DomainError
from directory.oruk import fetch
from directory.oruk.feed import (
    ImportResult,
    OrukFeedInvalid,
    feed_stub,
    oruk_documents_from_file,
    oruk_documents_from_url,
    oruk_feed_read,
)
from directory.oruk.importer import oruk_import

MAX_LINES = 20


class Command(BaseCommand):
    help = (
        "Import services, organisations, locations and taxonomy terms from an Open Referral UK 3.0 feed as "
        "unclaimed listings. Give the feed's API root URL (every page is read) or a JSON file (a service, a "
        "page of services or service_at_locations, or taxonomy terms). Running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("location", help="the feed's URL (http or https) or a JSON file")
        parser.add_argument(
            "--source",
            help="name the source (default: the URL without its query, or the file's name); records are matched "
            "by source and id, so import the same feed under the same name",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        location: str = options["location"]
        is_url = location.startswith(("http://", "https://"))
        source = options["source"] or (feed_stub(location) if is_url else Path(location).name)
        try:
            if is_url:
                # Looked up at call time, so tests can replace the adapter.
                documents = oruk_documents_from_url(location, fetch=fetch.fetch_json)
            else:
                documents = oruk_documents_from_file(location)
            result = oruk_import(feed=oruk_feed_read(documents), source=source)
        except OrukFeedInvalid as exc:
            raise CommandError("\n".join([exc.message, *(f"  {p}" for p in exc.problems)])) from exc
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self._summary(result)

    def _summary(self, result: ImportResult) -> None:
        self.stdout.write(self.style.SUCCESS(f"Imported from {result.source}"))
        for label, counts in (("services", result.services), ("organisations", result.organizations)):
            self.stdout.write(
                f"  {label:<14} inserted {counts.inserted}, updated {counts.updated}, "
                f"unchanged {counts.unchanged}, skipped {counts.skipped}"
            )
        self.stdout.write(
            f"  {'taxonomy terms':<14} {result.terms_matched} matched a CareHub category or client group, "
            f"{result.terms_unmatched} did not"
        )
        for line in result.skipped_reasons[:MAX_LINES]:
            self.stdout.write(f"  skipped: {line}")
        for line in result.warnings[:MAX_LINES]:
            self.stdout.write(self.style.WARNING(f"  warning: {line}"))
        if len(result.warnings) > MAX_LINES:
            self.stdout.write(f"  ... and {len(result.warnings) - MAX_LINES} more warnings")
