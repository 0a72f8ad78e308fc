"""When an hourly service can be booked: the provider's weekly availability
windows and dated exceptions (directory's AvailabilityWindow and
AvailabilityException, edited in the provider portal), less the hours
already booked.

Windows are UK clock times; bookable hours are instants, each an hour of elapsed
time (see carehub.clock). On the night the clocks go forward the hour from 01:00
never happens and is not offered; on the night they go back 01:00 is offered once.
"""

from __future__ import annotations

from datetime import date, datetime, time

from carehub import clock
from directory.models import AvailabilityException, AvailabilityWindow, Service
from marketplace.models import BookingSlot

Windows = list[tuple[time, time]]


def open_windows(*, service: Service, day: date) -> Windows:
    exception = AvailabilityException.objects.filter(service=service, date=day).first()
    if exception is not None:
        return [] if exception.is_closed else [(exception.starts_at, exception.ends_at)]
    windows = AvailabilityWindow.objects.filter(service=service, weekday=day.weekday())
    return [(w.starts_at, w.ends_at) for w in windows]


def local_hour(day: date, hour: int) -> datetime | None:
    """The instant the UK clock shows `hour`:00 on `day` (None on the night that hour is skipped)."""
    return clock.at_local(day, time(hour))


def _inside(windows: Windows, starts_at: datetime) -> bool:
    # Both ends by the clock: a visit from 00:00 on the night the clocks go forward ends at 02:00.
    start = clock.local_time(starts_at)
    end = clock.local_time(clock.hours_later(starts_at, 1))
    if end.date() != start.date():
        return False  # windows end before midnight
    return any(opens <= start.time() and end.time() <= closes for opens, closes in windows)


def hour_is_open(*, service: Service, starts_at: datetime) -> bool:
    """Is the hour starting at `starts_at` inside one availability window?"""
    return _inside(open_windows(service=service, day=clock.local_date(starts_at)), starts_at)


def free_hours(*, service: Service, day: date, now: datetime | None = None) -> list[datetime]:
    """The hours of `day` that can still be booked, in order."""
    now = now or clock.now()
    windows = open_windows(service=service, day=day)
    starts = (local_hour(day, hour) for hour in range(24))
    candidates = [start for start in starts if start is not None and _inside(windows, start)]
    taken = set(
        BookingSlot.objects.filter(service=service, active=True, starts_at__in=candidates).values_list(
            "starts_at", flat=True
        )
    )
    return sorted({hour for hour in candidates if hour > now and hour not in taken})
