import pytest

from carehub.postcodes import InvalidPostcode
from directory.geo.selectors import postcode_lookup
from directory.tests.factories import make_council, make_postcode


@pytest.fixture
def glasgow(db):
    council = make_council(name="Glasgow City", gss_code="S12000046", slug="glasgow-city-2014")
    return {
        "unit": make_postcode("G12 8QQ", 55.871751, -4.28836, council=council),
        "sector": make_postcode("G12 8", 55.875097, -4.287462, council=council),
        "district": make_postcode("G12", 55.876, -4.295, council=council),
    }


def test_postcode_lookup_finds_the_unit(glasgow):
    row = postcode_lookup(postcode="g12 8qq")
    assert row == glasgow["unit"]
    assert row.precision == "unit"
    assert row.council.gss_code == "S12000046"


def test_postcode_lookup_falls_back_to_the_sector(glasgow):
    row = postcode_lookup(postcode="G12 8ZZ")
    assert row == glasgow["sector"]
    assert row.precision == "sector"


def test_postcode_lookup_falls_back_to_the_district(glasgow):
    row = postcode_lookup(postcode="G12 9ZZ")
    assert row == glasgow["district"]
    assert row.precision == "district"


def test_postcode_lookup_returns_none_when_even_the_district_is_unknown(glasgow):
    assert postcode_lookup(postcode="AB10 1AA") is None


def test_postcode_lookup_raises_for_a_malformed_postcode(glasgow):
    with pytest.raises(InvalidPostcode):
        postcode_lookup(postcode="not a postcode")
