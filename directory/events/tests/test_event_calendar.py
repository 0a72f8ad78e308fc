"""An event's .ics file: valid iCalendar, UK clock times with the Europe/London rules."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from icalendar import Calendar

from carehub import clock
from directory.tests.factories import make_event

pytestmark = pytest.mark.django_db


def _calendar(client: Any, event: Any) -> Calendar:
    response = client.get(reverse("directory:event-calendar", kwargs={"code": event.code}))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    assert "attachment" in response["Content-Disposition"]
    return Calendar.from_ical(response.content)


@pytest.mark.parametrize(
    ("day", "utc_hour"),
    [(date(2027, 3, 27), 10), (date(2027, 3, 28), 9), (date(2027, 10, 30), 9), (date(2027, 10, 31), 10)],
)
def test_event_calendar_keeps_10am_uk_time_on_both_sides_of_clock_changes(
    client: Any, time_machine: Any, day: date, utc_hour: int
) -> None:
    time_machine.move_to(datetime(2027, 3, 1, 12, tzinfo=UTC))
    event = make_event(
        title="Coffee morning", starts_at=clock.at_local(day, time(10)), ends_at=clock.at_local(day, time(12))
    )
    cal = _calendar(client, event)
    [item] = cal.walk("VEVENT")
    start = item.decoded("dtstart")
    assert getattr(start.tzinfo, "key", str(start.tzinfo)) == "Europe/London"
    assert (start.hour, start.minute) == (10, 0)
    assert start.astimezone(UTC).hour == utc_hour
    assert item.decoded("dtend").astimezone(ZoneInfo("Europe/London")).hour == 12
    assert cal.walk("VTIMEZONE"), "the file carries the zone's rules"
    assert b"TZID=Europe/London" in cal.to_ical()


def test_event_calendar_says_what_where_cost_and_how_to_book(client: Any) -> None:
    event = make_event(title="Seated yoga", cost_pence=350, how_to_book="Phone 0141 496 0123")
    [item] = _calendar(client, event).walk("VEVENT")
    assert str(item["summary"]) == "Seated yoga"
    assert "G12 8QQ" in str(item["location"])
    assert "£3.50" in str(item["description"]) and "0141 496 0123" in str(item["description"])
    assert str(item["uid"]) == f"{event.code}@carehub"
