"""A short-lived cache of search API answers.

Searches repeat (the same postcode and radius, page after page, person after
person), and the answer is the same for everyone: it holds only published,
public listing data. Each answer is cached under the query string and a
directory-wide *version*; any change that could alter a result bumps the
version, so the next search misses and recomputes. The TTL is a safety net
for writes that bypass the bump (raw SQL, another process without a shared
cache): an answer is never older than SEARCH_CACHE_SECONDS.

What bumps the version: saving or deleting a Service, Provider,
Registration, Category or ClientGroup (their names are shown in results and
the search form's choices), changing a service's categories or client groups,
a register import (which writes in bulk), and saving the reviews' and
vetting's summary rows (connected by label, so this module imports neither
app).

A missing version (a new or flushed cache, an evicted key) starts again at
the current time in nanoseconds, not at 1, so it never repeats a version that
answers or a process's memory (the search form's choices) were stored under.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from typing import Any

import orjson
from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

from carehub.renderers import JSONRenderer

VERSION_KEY = "directory:search:version"

# Models whose rows appear in search results, by label; missing ones are skipped.
WATCHED_MODELS = (
    "directory.Service",
    "directory.Provider",
    "directory.Registration",
    "directory.Category",
    "directory.ClientGroup",
    "reviews.ServiceRating",
    "directory.ProviderVetting",
)


def search_cache_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return int(version)


def _bump() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:  # not set yet (or evicted): any new value differs from cached keys' versions
        cache.set(VERSION_KEY, search_cache_version() + 1, timeout=None)


def search_cache_bump() -> None:
    """Make every cached search answer stale: now, and again when the current
    transaction commits (a search running meanwhile may have cached the old rows)."""
    _bump()
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(_bump)


def search_cache_get_or_compute(
    *, scope: str, params: list[tuple[str, str]], compute: Callable[[], Any], as_json: bool = False
) -> Any:
    """Return the cached answer for these query parameters, or compute and cache it.

    as_json: the answer is JSON the API renders (carehub.renderers.JSONRenderer), kept in the cache
    as that JSON rather than pickled (a page of twenty search results: 63 µs to pickle, 8 µs to
    write as JSON) and read back as its JSON values, which the renderer writes byte for byte as
    it wrote the answer: its dates and decimals already as the renderer writes them. An answer
    orjson cannot write is cached pickled, as without as_json."""
    seconds = settings.SEARCH_CACHE_SECONDS
    if seconds <= 0:
        return compute()
    raw = "&".join(f"{k}={v}" for k, v in sorted(params))
    digest = hashlib.sha256(f"{scope}?{raw}".encode()).hexdigest()
    key = f"directory:search:{search_cache_version()}:{digest}"
    answer = cache.get(key)
    if answer is None:
        answer = compute()
        cache.set(key, _as_json(answer) if as_json else answer, timeout=seconds)
    elif as_json and isinstance(answer, bytes):
        answer = orjson.loads(answer)
    return answer


def _as_json(answer: Any) -> Any:
    try:
        return orjson.dumps(answer, default=JSONRenderer.encode_default, option=JSONRenderer.OPTIONS)
    except orjson.JSONEncodeError:
        return answer


def _on_change(sender: Any, **kwargs: Any) -> None:
    if kwargs.get("action", "post_").startswith("post_"):  # m2m_changed also sends pre_* actions
        search_cache_bump()


def connect_signals() -> None:
    # Cache invalidation only: no business logic here.
    for label in WATCHED_MODELS:
        try:
            model = apps.get_model(label)
        except LookupError:
            continue
        post_save.connect(_on_change, sender=model, dispatch_uid=f"search-cache-save-{label}")
        post_delete.connect(_on_change, sender=model, dispatch_uid=f"search-cache-delete-{label}")
    service = apps.get_model("directory.Service")
    for through in (service.categories.through, service.client_groups.through):
        m2m_changed.connect(_on_change, sender=through, dispatch_uid=f"search-cache-m2m-{through._meta.label}")
