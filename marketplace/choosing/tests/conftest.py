"""A small world for choosing care: a postcode, three services near it and one far away."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from directory.models import Service
from directory.tests import factories as df


@dataclass
class Choosing:
    cast: Any
    near: Service
    also_near: Service
    third: Service
    far: Service


@pytest.fixture
def choosing_world(cast: Any) -> Choosing:
    df.make_postcode("G12 8QQ", 55.8733, -4.2923)
    return Choosing(
        cast=cast,
        near=df.make_service(provider=cast.provider, name="Kelvin home help", delivered_at_home=True),
        also_near=df.make_service(provider=cast.other_provider, name="Partick lunch club", latitude=55.87),
        third=df.make_service(name="Hyndland sitters", latitude=55.876),
        far=df.make_service(name="Aberdeen day centre", postcode="AB10 1AB", latitude=57.1482, longitude=-2.0928),
    )
