"""Shared helpers for the demo data of `manage.py seed_demo` (development data only)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import time_machine


@contextmanager
def replay_clock(at: datetime) -> Iterator[None]:
    """Run the real services as if the clock said `at` (moving on as real time passes).

    The demo's history (a booking delivered last week, a review published since) goes
    through the same services as a live request, so every rule applies as of that moment.
    time-machine moves the clock for everything that reads it (`clock.now()`, field
    defaults such as `default=timezone.now`), but not the monotonic clock that timeouts use.
    Nests. Demo seeding only: never in a request or task.
    """
    with time_machine.travel(at, tick=True):
        yield
