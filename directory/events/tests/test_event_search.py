"""Finding events near a postcode between two dates: distance, dates, past events, pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse

from carehub import clock
from directory.events.selectors import event_search
from directory.search.selectors import Origin
from directory.tests.factories import make_community_group, make_event, make_postcode

pytestmark = pytest.mark.django_db

PARTICK = Origin(55.8733, -4.2923, "G12 8QQ", "unit")
QUIET = datetime(2026, 10, 14, 11, 0, tzinfo=UTC)  # a Wednesday, weeks from a clock change


@pytest.fixture
def g12(db: None) -> None:
    make_postcode("G12 8QQ", 55.8733, -4.2923)


def test_event_search_keeps_events_within_the_radius_nearest_first_on_a_day() -> None:
    near = make_event(title="Near")
    make_event(title="Edinburgh", latitude=55.9533, longitude=-3.1883, postcode="EH1 1YZ")
    results = list(event_search(origin=PARTICK, radius_miles=5))
    assert results == [near]
    assert results[0].distance_miles == pytest.approx(0, abs=0.01)


def test_event_search_drops_events_that_have_ended(time_machine: Any) -> None:
    time_machine.move_to(QUIET)
    over = make_event(title="This morning", starts_at=QUIET - timedelta(hours=3), ends_at=QUIET - timedelta(hours=1))
    going_on = make_event(title="Now", starts_at=QUIET - timedelta(hours=1), ends_at=QUIET + timedelta(hours=1))
    assert list(event_search(origin=PARTICK, radius_miles=5)) == [going_on]
    time_machine.move_to(QUIET + timedelta(hours=2))
    assert list(event_search(origin=PARTICK, radius_miles=5)) == []
    assert over.pk  # still stored: only the search leaves it out


def test_event_search_date_range_uses_uk_days_inclusive(time_machine: Any) -> None:
    time_machine.move_to(QUIET)
    # 23:30 BST on 20 October is 22:30 UTC: a UK-date filter must still call it the 20th.
    late = make_event(
        title="Late on the 20th",
        starts_at=datetime(2026, 10, 20, 22, 30, tzinfo=UTC),
        ends_at=datetime(2026, 10, 20, 22, 50, tzinfo=UTC),
    )
    on_21st = make_event(title="On the 21st", day=date(2026, 10, 21))
    on_25th = make_event(title="On the 25th", day=date(2026, 10, 25))
    assert list(
        event_search(origin=PARTICK, radius_miles=5, date_from=date(2026, 10, 20), date_to=date(2026, 10, 20))
    ) == [late]
    assert list(
        event_search(origin=PARTICK, radius_miles=5, date_from=date(2026, 10, 21), date_to=date(2026, 10, 25))
    ) == [on_21st, on_25th]
    assert list(event_search(origin=PARTICK, radius_miles=5, date_from=date(2026, 10, 22))) == [on_25th]


def test_event_search_leaves_out_unpublished_events() -> None:
    make_event(published=False)
    assert list(event_search(origin=PARTICK, radius_miles=5)) == []


def test_event_search_page_lists_events_from_providers_and_community_groups(client: Any, g12: None) -> None:
    make_event(title="Seated exercise")
    make_event(
        title="Day trip to Largs", community_group=make_community_group(name="Partick Lunch Club"), cost_pence=1250
    )
    response = client.get(reverse("directory:event-search"), {"postcode": "g128qq"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "2 events within 5 miles of G12 8QQ" in html
    assert "Partick Lunch Club" in html and "£12.50" in html and "Free" in html


def test_event_search_page_paginates(client: Any, g12: None) -> None:
    for n in range(23):
        make_event(title=f"Class {n:02d}")
    first = client.get(reverse("directory:event-search"), {"postcode": "G12 8QQ"}).content.decode()
    assert first.count('class="app-result ') == 20
    second = client.get(reverse("directory:event-search"), {"postcode": "G12 8QQ", "page": 2}).content.decode()
    assert second.count('class="app-result ') == 3


def test_event_search_page_empty_state(client: Any, g12: None) -> None:
    response = client.get(reverse("directory:event-search"), {"postcode": "G12 8QQ"})
    assert response.status_code == 200
    assert 'id="no-results"' in response.content.decode()


def test_event_search_page_bad_input_shows_the_error_summary(client: Any, g12: None) -> None:
    today = clock.today()
    response = client.get(
        reverse("directory:event-search"),
        {
            "postcode": "not a postcode",
            "date_from": today.isoformat(),
            "date_to": (today - timedelta(days=1)).isoformat(),
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "govuk-error-summary" in html
    assert "The last date must be the same as or after the first date" in html


def test_event_detail_of_an_unpublished_event_is_404(client: Any) -> None:
    event = make_event(published=False)
    assert client.get(reverse("directory:event-detail", kwargs={"code": event.code})).status_code == 404
    assert client.get(reverse("directory:event-calendar", kwargs={"code": event.code})).status_code == 404


def test_event_search_page_queries_do_not_grow_with_the_results(
    client: Any, g12: None, django_assert_max_num_queries: Any
) -> None:
    group = make_community_group()
    for n in range(6):
        make_event(title=f"Provider event {n}")
        make_event(title=f"Group event {n}", community_group=group)
    with django_assert_max_num_queries(6):  # session, postcode lookup, count, page: none per result
        response = client.get(reverse("directory:event-search"), {"postcode": "G12 8QQ"})
    assert response.content.decode().count('class="app-result ') == 12
