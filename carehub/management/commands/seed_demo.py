"""Load demo data for `make run`. Idempotent: a second run changes nothing."""

from __future__ import annotations

import contextlib
import io
import logging
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from accounts import demo as accounts_demo
from directory import demo as directory_demo
from marketplace import demo as marketplace_demo
from reviews import demo as reviews_demo

# What each demo login has to look at (the order of accounts_demo.DEMO_USERS).
LOOK_AT = {
    "person": "see /budgets/, /bookings/ (completed, scheduled, requested) and /messages/",
    "carer": "acts for Alex: the same /bookings/ and /budgets/, booking on Alex's behalf",
    "provider": "Kelvin Companions: /bookings/provider/ (a request waits), /portal/, /reviews/provider/",
    "commissioner": "Glasgow City: /commissioning/ (spend, unmet demand from searches)",
    "vetting": "/vetting/ (Kelvin Companions is vetted), /vetting/claims/, /reviews/moderation/",
    "admin": "/admin/ (register imports, users, bookings)",
}


@contextlib.contextmanager
def _quietly() -> Iterator[None]:
    """The demo history notifies people and runs checks as it happens; the console e-mails and
    the in-process task log lines would bury the logins, so they stay out of the output (the
    outbox and the checks are still written)."""
    loggers = [logging.getLogger(name) for name in ("celery", "kombu")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.ERROR)
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


class Command(BaseCommand):
    help = "Load demo data (safe to run again) and print one demo login per role."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--no-register",
            action="store_true",
            help="do not import the Care Inspectorate register (only the sample listings; the tests' fast path)",
        )
        parser.add_argument(
            "--register",
            type=Path,
            default=None,
            help="a register file to import instead of the copy the project ships "
            f"({directory_demo.REGISTER_FILE.name}, loaded only while no Care Inspectorate register is in)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        # The register first, so the invented demo listings join a directory that is already
        # real and the demo's search log counts what a search finds among real services.
        if options["no_register"]:
            register = "Register import skipped (--no-register): the demo has only the sample listings."
        else:
            register = directory_demo.register_import(path=options["register"])
        with _quietly():
            provider, council = directory_demo.seed()
            users = accounts_demo.seed(provider=provider, council=council)
            listings = directory_demo.seed_listings(provider=provider, owner=users["provider"])
            directory_demo.seed_vetting(provider=provider, owner=users["provider"], officer=users["vetting"])
            directory_demo.seed_events(provider=provider, owner=users["provider"])
            marketplace_demo.seed(provider=provider, council=council)
            marketplace_demo.seed_bookings(service=listings["kelvin"], owner=users["provider"])
            reviews_demo.seed(listings=listings, owner=users["provider"])
            directory_demo.seed_search_log()
        self.stdout.write(register)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data is ready ({time.monotonic() - started:.1f} s). "
                f"Demo logins (password for all: {accounts_demo.DEMO_PASSWORD}):"
            )
        )
        for key, (email, _name, role) in accounts_demo.DEMO_USERS.items():
            self.stdout.write(f"  {role:<24} {email:<26} — {LOOK_AT[key]}")
