import pytest
from django.urls import reverse

from directory.tests.factories import make_council, make_postcode


@pytest.fixture
def glasgow(db):
    council = make_council(name="Glasgow City", gss_code="S12000046", slug="glasgow-city-2014")
    make_postcode("G12 8QQ", 55.871751, -4.28836, council=council)
    make_postcode("G12 8", 55.875097, -4.287462, council=council)
    make_postcode("G12", 55.876, -4.295)


def url(postcode):
    return reverse("directory-api:postcode-detail", kwargs={"postcode": postcode})


def test_postcode_api_returns_the_unit_position_and_council(client, glasgow):
    response = client.get(url("g128qq"))
    assert response.status_code == 200
    assert response.json() == {
        "postcode": "G12 8QQ",
        "matched": "G12 8QQ",
        "latitude": 55.871751,
        "longitude": -4.28836,
        "precision": "unit",
        "council": {"gss_code": "S12000046", "name": "Glasgow City"},
    }


def test_postcode_api_says_when_it_fell_back_to_the_sector(client, glasgow):
    body = client.get(url("G12 8ZZ")).json()
    assert body["postcode"] == "G12 8ZZ"
    assert body["matched"] == "G12 8"
    assert body["precision"] == "sector"
    assert body["latitude"] == 55.875097


def test_postcode_api_district_without_council_gives_null_council(client, glasgow):
    body = client.get(url("G12 9ZZ")).json()
    assert body["precision"] == "district"
    assert body["council"] is None


def test_postcode_api_refuses_a_malformed_postcode_with_400(client, glasgow):
    response = client.get(url("G12 8QC"))
    assert response.status_code == 400
    assert "real postcode" in response.json()["detail"]


def test_postcode_api_answers_404_for_a_postcode_unknown_even_by_district(client, glasgow):
    response = client.get(url("AB10 1AA"))
    assert response.status_code == 404
    assert "AB10 1AA" in response.json()["detail"]
