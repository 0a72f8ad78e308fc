"""Pytest plugin: run the whole suite as if "now" were an awkward instant.

`pytest --clock=2027-03-28T00:30+00:00` (or CAREHUB_TEST_CLOCK=...) moves the clock
to that instant at the start of every test, with time-machine, so each test sees the
same start time whatever the date of the run: a test that only passes on some days
fails here every time. The clock keeps ticking inside a test, so timeouts still work.
`make test-dates` runs the suite at each instant of DATE_INSTANTS.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import time_machine

# Europe/London instants where dates go wrong: year, month and leap-day ends, both DST
# changes (UTC offsets given, because 01:30 on those nights is missing or happens twice),
# and the first minutes of the budget year (1 April).
DATE_INSTANTS = {
    "year-end": "2026-12-31T23:30:00+00:00",
    "new-year": "2027-01-01T00:30:00+00:00",
    "february-end": "2027-02-28T23:30:00+00:00",
    "leap-day": "2028-02-29T12:00:00+00:00",
    "clocks-forward-before": "2027-03-28T00:30:00+00:00",  # 00:30 GMT, half an hour before the change
    "clocks-forward-after": "2027-03-28T01:30:00+00:00",  # 02:30 BST: 01:30 local never happened
    "clocks-back-first": "2027-10-31T00:30:00+00:00",  # 01:30 BST, the first 01:30
    "clocks-back-second": "2027-10-31T01:30:00+00:00",  # 01:30 GMT, the second 01:30
    "month-end": "2027-04-30T23:59:00+01:00",  # 23:59 BST on the last day of April
    "budget-year-start": "2027-04-01T00:05:00+01:00",  # 00:05 BST on 1 April
}


# For tests about figures on fixed dates (a statement for 2026-27): a quiet instant,
# mid budget year and mid month, weeks from any clock change. Use it with the
# time_machine fixture: `time_machine.move_to(QUIET_INSTANT)`.
QUIET_INSTANT = datetime(2026, 10, 14, 11, 0, tzinfo=UTC)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--clock",
        default=os.environ.get("CAREHUB_TEST_CLOCK", ""),
        help="ISO instant (with offset) or a name from DATE_INSTANTS: every test starts at that time",
    )


def _instant(value: str) -> datetime | None:
    if not value:
        return None
    moment = datetime.fromisoformat(DATE_INSTANTS.get(value, value))
    if moment.tzinfo is None:
        raise pytest.UsageError(f"--clock needs a UTC offset, for example {value}+00:00")
    return moment


def pytest_report_header(config: pytest.Config) -> str | None:
    moment = _instant(config.getoption("--clock"))
    return f"clock: every test starts at {moment.isoformat()}" if moment else None


@pytest.fixture(autouse=True)
def _test_clock(request: pytest.FixtureRequest) -> Iterator[None]:
    moment = _instant(request.config.getoption("--clock"))
    if moment is None:
        yield
        return
    with time_machine.travel(moment, tick=True):
        yield
