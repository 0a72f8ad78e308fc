"""The results page's filter fields, rendered once per state of the filters (issue 13).

Eight of the search form's nine fields (all but the postcode) cost a results page about as much
Python as its twenty results: GOV.UK markup for some forty choices. What they show depends only
on the filters' own values and the choices, not on the postcode or the results, and most people
leave the filters as they are; so their HTML is kept in the cache under those values and the
search cache version (which a change to a type of care or client group bumps), for
SEARCH_CACHE_SECONDS. A filter with an error is rendered afresh every time.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django import template
from django.conf import settings
from django.core.cache import cache
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe

from directory.search.cache import search_cache_version

register = template.Library()

FILTER_FIELDS = ("radius_miles", "q", "category", "client_group", "delivery", "max_price", "vetted", "ordering")


@register.simple_tag
def search_filter_fields(form: Any) -> SafeString:
    fields = get_template("directory/_search_filter_fields.html")
    seconds = settings.SEARCH_CACHE_SECONDS
    if seconds <= 0 or (form.is_bound and any(form.errors.get(name) for name in FILTER_FIELDS)):
        return fields.render({"form": form})  # rendered, and marked safe, by the template engine
    state = repr((search_cache_version(), form.is_bound, [(name, form[name].value()) for name in FILTER_FIELDS]))
    key = f"directory:search:filters:{hashlib.sha256(state.encode()).hexdigest()}"
    html = cache.get(key)
    if html is None:
        html = fields.render({"form": form})
        cache.set(key, html, timeout=seconds)
    return mark_safe(html)  # noqa: S308  # nosec B308 B703: the template engine's output, escaped there
