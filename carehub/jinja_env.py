"""The Jinja2 environment for the few templates written in Jinja2 (``jinja2/``).

Pages are Django templates. Where one part of a page is rendered many times per request and the
template language's own cost is most of the page's (the twenty results of a search: ADR 3), that
part is a Jinja2 template, which compiles to Python: the same markup in a fifth of the time. It
uses Django's own filters, so dates, numbers and plurals read as they do everywhere else.
"""

from __future__ import annotations

from typing import Any

from django.template import defaultfilters

from jinja2 import Environment, StrictUndefined
from reviews.templatetags.reviews_tags import stars


def environment(**options: Any) -> Environment:
    # A misspelt name is an error in tests, not an empty string on a page.
    options = {**options, "undefined": StrictUndefined}
    options.pop("autoescape", None)
    env = Environment(autoescape=True, **options)
    env.filters.update(
        {
            "date": defaultfilters.date,
            "floatformat": defaultfilters.floatformat,
            "pluralize": defaultfilters.pluralize,
            "stars": stars,
        }
    )
    return env
