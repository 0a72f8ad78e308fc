"""The UK calendar helpers: clock changes, month ends, leap days and the budget year."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest

from carehub import clock


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_at_local_has_no_instant_for_the_hour_the_clocks_skip() -> None:
    # 28 March 2027: 01:00 GMT becomes 02:00 BST.
    assert clock.at_local(date(2027, 3, 28), time(0, 30)) == utc(2027, 3, 28, 0, 30)
    assert clock.at_local(date(2027, 3, 28), time(1, 30)) is None
    assert clock.at_local(date(2027, 3, 28), time(2, 30)) == utc(2027, 3, 28, 1, 30)


def test_at_local_takes_the_first_of_the_hour_that_happens_twice() -> None:
    # 31 October 2027: 02:00 BST becomes 01:00 GMT, so 01:30 happens at 00:30 and 01:30 UTC.
    assert clock.at_local(date(2027, 10, 31), time(1, 30)) == utc(2027, 10, 31, 0, 30)
    assert clock.at_local(date(2027, 10, 31), time(2, 30)) == utc(2027, 10, 31, 2, 30)


def test_at_local_or_after_moves_a_skipped_time_on_by_the_gap() -> None:
    moved = clock.at_local_or_after(date(2027, 3, 28), time(1, 30))
    assert moved == utc(2027, 3, 28, 1, 30)
    assert clock.local_time(moved).strftime("%H:%M %Z") == "02:30 BST"


@pytest.mark.parametrize(
    ("start", "clock_end"),
    [
        (utc(2027, 3, 28, 0, 0), "02:00 BST"),  # an hour after 00:00 GMT the clock says 02:00
        (utc(2027, 10, 31, 0, 0), "01:00 GMT"),  # an hour after 01:00 BST the clock says 01:00 again
        (utc(2027, 6, 1, 9, 0), "11:00 BST"),
    ],
)
def test_hours_later_counts_elapsed_hours_across_clock_changes(start: datetime, clock_end: str) -> None:
    # Given as London time (as forms and DRF give it), the addition must not happen on the clock face.
    end = clock.hours_later(clock.local_time(start), 1)
    assert end - start == timedelta(hours=1)
    assert clock.local_time(end).strftime("%H:%M %Z") == clock_end


def test_today_is_the_uk_date_not_the_utc_date(time_machine: Any) -> None:
    time_machine.move_to(utc(2027, 4, 30, 23, 30))  # 00:30 BST on 1 May
    assert clock.today() == date(2027, 5, 1)
    time_machine.move_to(utc(2027, 12, 31, 23, 30))  # GMT: the UTC date is the UK date
    assert clock.today() == date(2027, 12, 31)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2028, 2, 29), 12, date(2029, 2, 28)),
        (date(2027, 12, 15), 1, date(2028, 1, 15)),
        (date(2027, 1, 15), -1, date(2026, 12, 15)),
        (date(2027, 3, 31), -1, date(2027, 2, 28)),
    ],
)
def test_add_months_stays_inside_shorter_months(day: date, months: int, expected: date) -> None:
    assert clock.add_months(day, months) == expected


@pytest.mark.parametrize(
    ("day", "year"),
    [
        (date(2027, 3, 31), (date(2026, 4, 1), date(2027, 3, 31))),
        (date(2027, 4, 1), (date(2027, 4, 1), date(2028, 3, 31))),
        (date(2028, 2, 29), (date(2027, 4, 1), date(2028, 3, 31))),
        (date(2027, 1, 1), (date(2026, 4, 1), date(2027, 3, 31))),
    ],
)
def test_budget_year_runs_from_1_april_to_31_march(day: date, year: tuple[date, date]) -> None:
    assert clock.budget_year(day) == year
