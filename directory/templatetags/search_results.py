"""The results page's list of results, rendered by Jinja2 (carehub.jinja_env; ADR 3)."""

from __future__ import annotations

from typing import Any

from django import template
from django.template import engines
from django.template.defaultfilters import urlencode
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.simple_tag
def search_results_list(rows: list[Any], shortlist: dict[str, Any], postcode: str) -> SafeString:
    """A page of results (directory.search.page_rows), as jinja2/directory/_search_results.html
    writes them."""
    html = (
        engines["jinja2"]
        .get_template("directory/_search_results.html")
        .render(
            {
                "rows": rows,
                "shortlist": shortlist,
                "postcode": postcode,
                "postcode_query": urlencode(postcode),
            }
        )
    )
    # Jinja2 escaped every value it wrote (autoescape): the output is safe as it stands.
    return mark_safe(html)  # noqa: S308  # nosec B308 B703
