"""Postcodes no one should type, on the search page, the search API and the postcode API:
a clear 400 every time, never a 500, and no search logged (issue 16, drill 6)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client

from directory.models import SearchLog
from directory.tests.factories import make_council, make_postcode

ODD = {
    "fullwidth": "Ｍ１ １ＡＥ",
    "emoji": "\U0001f3e0",
    "emoji_after": "M1 1AE\U0001f642",
    "zero_width_space": "M1\u200b1AE",
    "right_to_left_override": "\u202eEA1 1M",
    "nul": "M1\x001AE",
    "10000_characters": "A" * 10_000,
    "10000_emoji": "\U0001f3e0" * 10_000,
}


@pytest.fixture
def manchester(db: Any) -> None:
    council = make_council(name="Manchester", gss_code="E08000003", slug="manchester")
    make_postcode("M1 1AE", 53.4808, -2.2426, council=council)


@pytest.mark.parametrize("value", ODD.values(), ids=ODD.keys())
def test_odd_postcode_is_a_clear_400_everywhere_and_logs_no_search(
    client: Client, manchester: Any, value: str, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        page = client.get("/search/", {"postcode": value})
        api = client.get("/api/v1/services/", {"postcode": value})
        lookup = client.get(f"/api/v1/postcodes/{quote(value, safe='')}/")
    assert page.status_code == 400
    assert "postcode" in page.content.decode().lower()
    assert api.status_code == 400
    assert "postcode" in api.json()
    assert lookup.status_code in (400, 404)  # a NUL or a slash-free oddity may not even reach the view
    assert SearchLog.objects.count() == 0


def test_postcode_with_a_no_break_space_is_read_like_one_with_a_space(client: Client, manchester: Any) -> None:
    plain = client.get("/api/v1/postcodes/M1 1AE/")
    nbsp = client.get("/api/v1/postcodes/" + quote("M1\u00a01AE") + "/")
    assert nbsp.status_code == plain.status_code == 200
    assert nbsp.json() == plain.json()
