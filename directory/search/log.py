"""Anonymous search log: what people look for, and how much they find.

Commissioners use it to see unmet demand (searches that found nothing or very
little) by postcode district and type of care. It is anonymous by design: a
row holds the postcode *district* (G12, never G12 8QQ), the council of that
place, the type of care asked for, the radius, the number of results and the
day. No user, no session, no full postcode, no IP address, no time of day.

Recording must never make a search fail: the row is written after the
request's transaction commits (on_commit), and the writer swallows and logs
its own errors.
"""

from __future__ import annotations

import atexit
import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, transaction

from carehub import clock
from carehub.postcodes import InvalidPostcode, normalise_postcode, postcode_district, postcode_sector
from directory.models import SearchLog

logger = logging.getLogger(__name__)

MAX_CATEGORIES_LOGGED = 5


def search_log_record(*, postcode: str, radius_miles: float, result_count: int, categories: Iterable[str] = ()) -> None:
    """Record a search anonymously, once the request's transaction has committed.

    Never raises into the search: the row is queued in an on_commit callback (robust, so a
    failure is logged, not raised), after the results have been read. Rows are written in
    batches of SEARCH_LOG_BATCH_SIZE, or when the oldest queued row is SEARCH_LOG_FLUSH_SECONDS
    old, so a search does not pay for a database write of its own; what is queued is
    written when the process exits (a crash may lose those few rows: they are statistics)."""
    entry = _Entry(
        postcode=postcode,
        radius_miles=radius_miles,
        result_count=result_count,
        slugs=list(dict.fromkeys(categories))[:MAX_CATEGORIES_LOGGED],
        day=clock.today(),
    )
    transaction.on_commit(lambda: _enqueue(entry), robust=True)


@dataclass(frozen=True)
class _Entry:
    postcode: str
    radius_miles: float
    result_count: int
    slugs: list[str]
    day: date


_queue: list[_Entry] = []
_queue_lock = threading.Lock()
_queue_started = 0.0


def _enqueue(entry: _Entry) -> None:
    global _queue_started
    with _queue_lock:
        if not _queue:
            _queue_started = time.monotonic()
        _queue.append(entry)
        due = (
            len(_queue) >= settings.SEARCH_LOG_BATCH_SIZE
            or time.monotonic() - _queue_started >= settings.SEARCH_LOG_FLUSH_SECONDS
        )
        if not due:
            return
        batch = _queue[:]
        _queue.clear()
    _write(batch)


def search_log_flush() -> int:
    """Write every queued row now (at exit, and after seeding). Returns how many searches."""
    with _queue_lock:
        batch = _queue[:]
        _queue.clear()
    if batch:
        _write(batch)
    return len(batch)


atexit.register(search_log_flush)


def _write(batch: list[_Entry]) -> None:
    from directory.models import Category, Postcode  # this module is imported by models.py

    located: list[tuple[_Entry, str, list[str]]] = []
    for entry in batch:
        try:
            unit = normalise_postcode(entry.postcode)
        except InvalidPostcode:
            continue
        # The council of the place searched: unit, else sector, else district.
        located.append((entry, postcode_district(unit), [unit, postcode_sector(unit), postcode_district(unit)]))
    if not located:
        return
    try:
        with transaction.atomic():
            if connection.vendor == "postgresql":
                # A search-log row is statistics, not a record anyone relies on: don't make the
                # search wait for the WAL flush (a crash may lose the last few rows, never corrupt).
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO OFF")
            wanted = {candidate for _, _, candidates in located for candidate in candidates}
            councils = dict(Postcode.objects.filter(postcode__in=wanted).values_list("postcode", "council_id"))
            slugs = {slug for entry, _, _ in located for slug in entry.slugs}
            category_ids = dict(Category.objects.filter(slug__in=slugs).values_list("slug", "pk")) if slugs else {}
            rows = []
            for entry, district, candidates in located:
                council_id = next((councils[c] for c in candidates if councils.get(c)), None)
                ids = [category_ids[slug] for slug in entry.slugs if slug in category_ids] or [None]
                radius = Decimal(str(round(float(entry.radius_miles), 1)))
                rows += [
                    (district, council_id, category_id, radius, entry.result_count, entry.day) for category_id in ids
                ]
            _insert(rows)
    except (DatabaseError, ValueError, TypeError):
        logger.exception("Could not record searches in the search log")


_COLUMNS = ("district", "council_id", "category_id", "radius_miles", "result_count", "searched_on")


def _insert(rows: list[tuple[Any, ...]]) -> None:
    """The rows (values in _COLUMNS' order) written in one statement. On PostgreSQL that is an
    INSERT from one array per column: the ORM's bulk_create spent about 40 µs of Python a row,
    most of what logging a search cost (issue 13)."""
    if connection.vendor != "postgresql":
        SearchLog.objects.bulk_create(SearchLog(**dict(zip(_COLUMNS, row, strict=True))) for row in rows)
        return
    fields = [SearchLog._meta.get_field(name) for name in _COLUMNS]
    qn = connection.ops.quote_name
    arrays = ", ".join(f"%s::{field.cast_db_type(connection)}[]" for field in fields)
    sql = (
        # Only the table's and columns' quoted names and their types are formatted in; the values are parameters.
        f"INSERT INTO {qn(SearchLog._meta.db_table)} ({', '.join(qn(field.column) for field in fields)}) "  # noqa: S608  # nosec B608
        f"SELECT * FROM unnest({arrays})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(column) for column in zip(*rows, strict=True)])
