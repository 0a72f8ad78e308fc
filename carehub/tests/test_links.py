"""{% fixed_url %}: the same link as {% url %}, reversed once per script prefix."""

import pytest
from django.template import engines
from django.urls import get_script_prefix, set_script_prefix

from carehub.templatetags import links


def render(source: str) -> str:
    return engines["django"].from_string("{% load links %}" + source).render({})


@pytest.fixture
def prefix():
    saved = get_script_prefix()
    yield set_script_prefix
    set_script_prefix(saved)


def test_fixed_url_writes_what_url_writes():
    for name, args in [("home", ""), ("directory:advice-detail", " slug='paying-for-care'"), ("api-docs", "")]:
        assert render(f"{{% fixed_url '{name}'{args} %}}") == render(f"{{% url '{name}'{args} %}}")
    assert render("{% fixed_url 'directory:advice-detail' slug='how-to-complain' %}").endswith("/how-to-complain/")
    assert render("{% fixed_url 'home' as home_url %}[{{ home_url }}]") == "[/]"


def test_fixed_url_is_reversed_once_per_script_prefix(prefix):
    links._reverse.cache_clear()
    render("{% fixed_url 'directory:advice-list' %}")
    render("{% fixed_url 'directory:advice-list' %}")
    assert links._reverse.cache_info().misses == 1 and links._reverse.cache_info().hits == 1
    prefix("/carehub/")  # served under a path: the links follow
    assert render("{% fixed_url 'directory:advice-list' %}").startswith("/carehub/")
    prefix("/")
    assert not render("{% fixed_url 'directory:advice-list' %}").startswith("/carehub/")
