"""An event as an iCalendar file (RFC 5545), written with the icalendar library.

Times are given in Europe/London with the zone's rules (VTIMEZONE) in the file, so a
calendar shows 10:00 as 10:00 on both sides of a clock change."""

from __future__ import annotations

from icalendar import Calendar
from icalendar import Event as CalendarEvent

from carehub import clock
from carehub.money import format_pence
from directory.models import Event


def event_ics(*, event: Event, url: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//CareHub//Events//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    item = CalendarEvent()
    item.add("uid", f"{event.code}@carehub")
    item.add("dtstamp", clock.now())
    item.add("dtstart", clock.local_time(event.starts_at))
    item.add("dtend", clock.local_time(event.ends_at))
    item.add("summary", event.title)
    item.add("location", f"{event.venue}, {event.postcode}")
    cost = "Free" if not event.cost_pence else format_pence(event.cost_pence)
    item.add(
        "description",
        "\n\n".join(p for p in [event.description, f"Cost: {cost}", f"How to book: {event.how_to_book}"] if p),
    )
    item.add("url", url)
    cal.add_component(item)
    cal.add_missing_timezones()
    return cal.to_ical()
