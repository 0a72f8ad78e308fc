import pytest
from django.template import Context, Template

from carehub.money import format_pence


@pytest.mark.parametrize(
    ("pence", "expected"),
    [
        (0, "£0.00"),
        (5, "£0.05"),
        (2450, "£24.50"),
        (123450, "£1,234.50"),
        (100000000, "£1,000,000.00"),
        (-500, "-£5.00"),
        (None, ""),
    ],
)
def test_format_pence_formats_pounds_and_pence(pence, expected):
    assert format_pence(pence) == expected


def test_format_pence_refuses_floats():
    with pytest.raises(TypeError):
        format_pence(24.5)


def test_pence_template_filter_formats_amount():
    assert Template("{% load money %}{{ p|pence }}").render(Context({"p": 123450})) == "£1,234.50"
