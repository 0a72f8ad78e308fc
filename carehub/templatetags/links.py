"""{% fixed_url %}: Django's {% url %} for a link whose name and arguments are written in the
template (the header's, the footer's, an aside's), reversed once per process rather than on every
render. Each {% url %} cost 50 to 130 µs, and a page's layout holds a dozen or more of them: about
a tenth of a cache-miss search results page (issue 13, ADR 3).

The answer is kept per script prefix and URL configuration, which are all reverse() depends on;
links with arguments that vary (a service's code) use {% url %}.
"""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()


@lru_cache(maxsize=512)
def _reverse(prefix: str, urlconf: str, name: str, kwargs: tuple[tuple[str, str], ...]) -> str:
    del prefix  # part of the key only: reverse() reads it itself
    return reverse(name, urlconf=urlconf, kwargs=dict(kwargs) or None)


@register.simple_tag
def fixed_url(name: str, **kwargs: str) -> str:
    return reverse_fixed(name, **kwargs)


def reverse_fixed(name: str, **kwargs: str) -> str:
    """reverse(name, kwargs=kwargs), worked out once per process, script prefix and URL configuration."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _reverse(get_script_prefix(), urlconf, name, tuple(sorted(kwargs.items())))
