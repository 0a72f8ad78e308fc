"""When an hourly service can be booked: the provider's weekly availability
windows and dated exceptions (directory's AvailabilityWindow and
AvailabilityException, edited in the provider portal), less the hours
already booked. Times are local (Europe/London)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from directory.models import AvailabilityException, AvailabilityWindow, Service

from .bookings_models import BookingSlot


def open_windows(*, service: Service, day: date) -> list[tuple[time, time]]:
    exception = AvailabilityException.objects.filter(service=service, date=day).first()
    if exception is not None:
        return [] if exception.is_closed else [(exception.starts_at, exception.ends_at)]
    windows = AvailabilityWindow.objects.filter(service=service, weekday=day.weekday())
    return [(w.starts_at, w.ends_at) for w in windows]


def local_hour(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour)))


def hour_is_open(*, service: Service, starts_at: datetime) -> bool:
    """Is the hour starting at `starts_at` inside one availability window?"""
    local = timezone.localtime(starts_at)
    end = local + timedelta(hours=1)
    if end.date() != local.date():
        return False  # windows end before midnight
    return any(
        start <= local.time() and end.time() <= finish
        for start, finish in open_windows(service=service, day=local.date())
    )


def free_hours(*, service: Service, day: date, now: datetime | None = None) -> list[datetime]:
    """The hours of `day` that can still be booked, in order."""
    now = now or timezone.now()
    windows = open_windows(service=service, day=day)
    # Hour 23 would end at midnight, which a same-day window cannot contain.
    candidates = [
        local_hour(day, hour)
        for hour in range(23)
        if any(start <= time(hour) and time(hour + 1) <= finish for start, finish in windows)
    ]
    taken = set(
        BookingSlot.objects.filter(service=service, active=True, starts_at__in=candidates).values_list(
            "starts_at", flat=True
        )
    )
    return sorted({hour for hour in candidates if hour > now and hour not in taken})
