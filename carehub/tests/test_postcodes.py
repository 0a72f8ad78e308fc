import pytest

from carehub.postcodes import (
    InvalidPostcode,
    normalise_optional_postcode,
    normalise_postcode,
    postcode_district,
    postcode_sector,
)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("G12 8QQ", "G12 8QQ"),
        ("g128qq", "G12 8QQ"),
        ("  g12   8qq ", "G12 8QQ"),
        ("G12-8QQ", "G12 8QQ"),
        ("AB101AA", "AB10 1AA"),
        ("sw1a2aa", "SW1A 2AA"),
        ("W1A 0AX", "W1A 0AX"),
        ("EC1A 1BB", "EC1A 1BB"),
        ("M1 1AE", "M1 1AE"),
        ("ZE2 9AA", "ZE2 9AA"),
        ("TR21 0LW", "TR21 0LW"),
        ("BT1 1AA", "BT1 1AA"),
        ("GIR 0AA", "GIR 0AA"),
    ],
)
def test_normalise_postcode_accepts_any_case_and_spacing(raw, expected):
    assert normalise_postcode(raw) == expected


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "   ",
        None,
        "G12",  # a district alone is not a postcode
        "G12 8",
        "12345",
        "G12 8QC",  # C never appears in the inward code
        "QQ1 1AA",  # Q never starts a postcode
        "G12 8QQQ",
        "G12 QQ8",
        "G1288QQ",
        "G12 8QQ; DROP TABLE",
        "ǅ12 8QQ",
    ],
)
def test_normalise_postcode_refuses_malformed_input_with_a_plain_message(raw):
    with pytest.raises(InvalidPostcode) as excinfo:
        normalise_postcode(raw)
    assert "postcode" in excinfo.value.message.lower()
    assert excinfo.value.status_code == 400


def test_postcode_sector_and_district_split_the_outward_and_inward_codes():
    assert postcode_sector("g128qq") == "G12 8"
    assert postcode_district("g128qq") == "G12"
    assert postcode_sector("EC1A 1BB") == "EC1A 1"
    assert postcode_district("EC1A 1BB") == "EC1A"


@pytest.mark.parametrize(("raw", "expected"), [("", ""), ("  ", ""), (None, ""), ("g128qq", "G12 8QQ")])
def test_normalise_optional_postcode_keeps_blank_as_none_given(raw, expected):
    assert normalise_optional_postcode(raw) == expected


def test_normalise_optional_postcode_still_refuses_a_typed_non_postcode():
    with pytest.raises(InvalidPostcode):
        normalise_optional_postcode("G12 8QC")
