"""Issue 18, item 8: "Where" on a search result says where the care happens in plain words."""

import re

import pytest
from geopy.distance import great_circle

from directory.tests.factories import make_postcode, make_service

G12_8QQ = (55.871751, -4.28836)


@pytest.fixture
def glasgow(db):
    make_postcode("G12 8QQ", *G12_8QQ)


def _where(html: str) -> list[str]:
    rows = re.findall(r">Where</dt><dd[^>]*>(.*?)</dd>", html, re.S)
    return [re.sub(r"\s+", " ", r).strip() for r in rows]


def test_search_result_where_names_the_premises_and_the_home(client, glasgow):
    p = great_circle(miles=1).destination(G12_8QQ, 0)
    make_service(
        name="Kelvin club",
        town="Glasgow",
        delivered_at_location=True,
        delivered_at_home=True,
        latitude=p.latitude,
        longitude=p.longitude,
    )
    html = client.get("/search/", {"postcode": "G12 8QQ"}).content.decode()
    assert _where(html) == ["At their premises in Glasgow; At your home"]
    assert "At Glasgow" not in html
