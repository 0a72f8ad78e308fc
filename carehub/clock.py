"""The time and the UK calendar, from one place.

Services read "now" from `now()` (or take `now=` from their caller), so a test pins
one instant with time-machine and every layer agrees. Arithmetic on instants is done
in UTC: a 1-hour visit that starts at 00:30 on the night the clocks go forward ends
at 02:30 by the clock, one hour later, not at "01:30" (a time that night never has).
Wall-clock times are turned into instants by `at_local`, which says what happens on
the two nights a year when a local time is missing or happens twice.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

UK = ZoneInfo("Europe/London")


def now() -> datetime:
    """The current instant (aware, UTC)."""
    return timezone.now()


def today() -> date:
    """Today's date in the UK."""
    return timezone.localdate(timezone.now(), UK)


def local_date(moment: datetime) -> date:
    """The UK date of an instant."""
    return timezone.localdate(moment, UK)


def local_time(moment: datetime) -> datetime:
    """An instant as UK clock time, for display."""
    return timezone.localtime(moment, UK)


def at_local(day: date, clock: time) -> datetime | None:
    """The instant a UK clock shows `clock` on `day`, or None if it never does.

    On the night the clocks go forward (01:00 → 02:00) the hour from 01:00 never
    happens, so there is no instant to book; on the night they go back, 01:00–02:00
    happens twice and this is the first (British Summer Time) one.
    """
    naive = datetime.combine(day, clock)
    moment = naive.replace(tzinfo=UK, fold=0)
    # Round-trip through UTC: a missing time comes back as a different clock time.
    if moment.astimezone(UTC).astimezone(UK).replace(tzinfo=None) != naive:
        return None
    return moment.astimezone(UTC)


def at_local_or_after(day: date, clock: time) -> datetime:
    """Like `at_local`, but a clock time the clocks skip moves on by the gap.

    A regular 01:30 visit on the night the clocks go forward happens at 02:30,
    the moment the clock would have shown 01:30 had it not jumped.
    """
    # fold=0 reads a skipped time with the offset before the change: 01:30 GMT is 02:30 BST.
    return datetime.combine(day, clock).replace(tzinfo=UK, fold=0).astimezone(UTC)


def day_start(day: date) -> datetime:
    """The instant a UK day begins (midnight never falls in a clock change here)."""
    moment = at_local(day, time.min)
    assert moment is not None
    return moment


def hours_later(moment: datetime, hours: int) -> datetime:
    """`hours` elapsed hours after `moment`, whatever the clocks do."""
    return moment.astimezone(UTC) + timedelta(hours=hours)


def add_months(day: date, months: int) -> date:
    """The same day `months` later (or earlier), kept inside shorter months: 31 January + 1 → 28/29 February."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def month_start(day: date, months: int = 0) -> date:
    """The first day of the month `months` after (or before) the month of `day`."""
    return add_months(day.replace(day=1), months)


def budget_year(day: date) -> tuple[date, date]:
    """The UK budget (financial) year holding `day`: 1 April to 31 March."""
    first = day.year if day.month >= 4 else day.year - 1
    return date(first, 4, 1), date(first + 1, 3, 31)
