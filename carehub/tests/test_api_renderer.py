"""carehub.renderers.JSONRenderer: DRF's JSON, written by orjson, byte for byte where the numbers allow."""

import datetime
import decimal
import json
import uuid

from django.db import models
from django.utils.functional import lazy
from rest_framework import renderers
from rest_framework.utils.serializer_helpers import ReturnDict

from carehub.renderers import JSONRenderer


class Colour(models.TextChoices):
    RED = "red", "Red"


def both(data, media_type=None, context=None):
    return JSONRenderer().render(data, media_type, context), renderers.JSONRenderer().render(data, media_type, context)


def test_the_api_json_is_drfs_byte_for_byte():
    payload = {
        "count": 1250,
        "next": "http://testserver/api/v1/services/?page=2&postcode=M1+2AB",
        "previous": None,
        "results": [
            {
                "id": uuid.UUID("6311eb99-dc37-4fd6-983a-9882ba58e06f"),
                "name": 'Café "Ruth\'s" <b>&</b>\n\t\\ — ✓ 😀',
                "latitude": 53.479247,
                "longitude": -2.230905,
                "distance_miles": 0.06,
                "delivery": {"at_home": False, "remotely": True, "service_radius_miles": None},
                "price": decimal.Decimal("29.50"),  # DRF's encoder: a float
                "label": lazy(lambda: "Care home", str)(),
                "colour": Colour.RED,
                "checked_on": datetime.date(2026, 3, 1),
                "at": datetime.datetime(2026, 3, 1, 9, 30, 5, 123456, tzinfo=datetime.UTC),  # …Z
                "summer": datetime.datetime(2026, 7, 1, 9, 30, tzinfo=datetime.timezone(datetime.timedelta(hours=1))),
                "tags": ("a", "b"),
                "line_separators": "one\u2028two\u2029three",
                "big": 2**63 - 1,
            }
        ],
        "serializer": ReturnDict({"a": 1}, serializer=None),
    }
    ours, drfs = both(payload)
    assert ours == drfs
    assert b"\\u2028" in ours and "\u2028".encode() not in ours


def test_what_orjson_refuses_is_written_by_drf():
    for data in ({1: "a", 2: "b"}, {"n": 2**70}, [2**64]):
        ours, drfs = both(data)
        assert ours == drfs


def test_pretty_json_when_asked_is_drfs():
    data = {"a": [1, 2, {"b": None}]}
    ours, drfs = both(data, "application/json; indent=4")
    assert ours == drfs and b"\n    " in ours
    ours, drfs = both(data, None, {"indent": 2})
    assert ours == drfs and b"\n  " in ours


def test_the_same_numbers_where_the_writing_differs():
    data = {"small": 1e-7, "large": 1e16, "third": 1 / 3, "negative": -0.0}
    ours, drfs = both(data)
    assert json.loads(ours) == json.loads(drfs) == data
    assert ours == b'{"small":1e-7,"large":1e+16,"third":0.3333333333333333,"negative":-0.0}'


def test_none_is_an_empty_body():
    assert JSONRenderer().render(None) == b""


def test_the_api_answers_with_it(client, db):
    response = client.get("/api/v1/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert type(response.accepted_renderer) is JSONRenderer
    assert response.content == renderers.JSONRenderer().render(response.json())
