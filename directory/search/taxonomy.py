"""Types of care and client groups as the search shows them, read once per process and search
cache version rather than on every search: the search form's choices, and the names of the
types of care on a page of results (whose rows carry only their ids).

Saving or deleting a Category or ClientGroup, or changing a service's categories, bumps that
version (directory/search/cache.py), so a change shows on the next search; a write that bypasses
the signals shows within SEARCH_CACHE_SECONDS, as for cached search answers. With
SEARCH_CACHE_SECONDS at 0 they are read every time.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings

from directory.models import Category, ClientGroup
from directory.search.cache import search_cache_version

Choices = list[tuple[str, str]]


@dataclass(frozen=True)
class Taxonomy:
    categories: Choices  # the top-level types of care, (slug, name) in display order: the form's choices
    client_groups: Choices  # ("", "Anyone") then each client group
    category_by_id: dict[int, tuple[int, str, str]]  # every type of care: id → (place in display order, slug, name)

    def category_names(self, ids: list[int]) -> Choices | None:
        """These types of care as (slug, name) in display order; None if one is not known here
        (added since this was read)."""
        try:
            ranked = sorted(self.category_by_id[pk] for pk in ids)
        except KeyError:
            return None
        return [(slug, name) for _, slug, name in ranked]


# (search cache version, monotonic time read, taxonomy)
_memo: tuple[int, float, Taxonomy] | None = None


def search_taxonomy(*, fresh: bool = False) -> Taxonomy:
    """The taxonomy, from this process's memory while the search cache version is unchanged and
    younger than SEARCH_CACHE_SECONDS; read afresh (two small queries) otherwise, or when asked."""
    global _memo
    seconds = settings.SEARCH_CACHE_SECONDS
    version = search_cache_version() if seconds > 0 else None
    memo, now = _memo, time.monotonic()
    if not fresh and memo is not None and memo[0] == version and now - memo[1] < seconds:
        return memo[2]
    every = Category.objects.order_by(*Category._meta.ordering, "id").values_list("id", "slug", "name", "parent_id")
    rows = list(every)
    taxonomy = Taxonomy(
        categories=[(slug, name) for _, slug, name, parent in rows if parent is None],
        client_groups=[("", "Anyone"), *ClientGroup.objects.values_list("slug", "name")],
        category_by_id={pk: (place, slug, name) for place, (pk, slug, name, _) in enumerate(rows)},
    )
    if version is not None:
        _memo = (version, now, taxonomy)
    return taxonomy
