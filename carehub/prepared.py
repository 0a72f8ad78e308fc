"""Named prepared statements for the few reads a cache-miss search makes (issue 13).

PostgreSQL plans every statement it is sent; for the search page's rows (five tables joined,
twenty ids) planning took longer than running the plan. A statement PREPAREd once per
database connection is planned once and then only EXECUTEd. Prepared statements belong to
the database session, not to a transaction (a rollback keeps them), so they are remembered
per connection: a new connection (Django reconnects after CONN_MAX_AGE, or after an error)
prepares them again. Other databases run the statement as it is (SQLite's driver already
keeps compiled statements per connection).

Each statement is written for its generic plan (its values never change its shape), and every
connection starts with ``plan_cache_mode = force_generic_plan`` (carehub.db.postgresql): left to
choose, PostgreSQL went on planning some of them afresh at every EXECUTE, the cost preparing
them saves.

Not for use behind a transaction-pooling proxy (PgBouncer in transaction mode), which would
share one session's statements between clients; CareHub connects to PostgreSQL directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from django.db import connection


def execute_prepared(
    cursor: Any, name: str, postgres: tuple[str, Sequence[Any]], *, other: tuple[str, Sequence[Any]]
) -> None:
    """Run postgres's SQL (placeholders $1…$n) with its parameters as the prepared statement
    ``name`` on PostgreSQL, preparing it first on a connection that has not seen it; on other
    databases run other's SQL (placeholders %s) with its parameters. ``name`` must stand for one
    statement text for the whole process."""
    if connection.vendor != "postgresql":
        cursor.execute(*other)
        return
    postgres_sql, params = postgres
    if not name.isidentifier():
        raise ValueError(f"Not a statement name: {name!r}")
    raw = connection.connection
    known = getattr(connection, "_carehub_prepared", None)
    if known is None or known[0] is not raw:  # a new database session: nothing is prepared in it
        known = (raw, set())
        connection._carehub_prepared = known
    if name not in known[1]:
        cursor.execute(f"PREPARE {name} AS {postgres_sql}")  # nosec B608: a checked name and the caller's fixed SQL
        known[1].add(name)
    placeholders = ", ".join(["%s"] * len(params))
    cursor.execute(f"EXECUTE {name} ({placeholders})" if params else f"EXECUTE {name}", params)  # nosec B608


def execute_prepared_sql(cursor: Any, name: str, sql: str, params: Sequence[Any]) -> None:
    """execute_prepared for a statement written once, with %s placeholders (numbered for PREPARE)."""
    execute_prepared(cursor, name, (numbered(sql), params), other=(sql, params))


@lru_cache(maxsize=64)  # a few statement texts per process, each numbered once
def numbered(sql: str) -> str:
    """sql with its %s placeholders numbered $1, $2, … (the form PREPARE takes); sql must hold no
    other percent sign."""
    parts = sql.split("%s")
    if any("%" in part for part in parts):
        raise ValueError("Only %s placeholders can be numbered")
    return "".join(part + (f"${n}" if n < len(parts) else "") for n, part in enumerate(parts, start=1))


def execute_prepared_for_ids(cursor: Any, name: str, sql: str, ids: Sequence[int]) -> None:
    """execute_prepared for a statement about a list of ids, where sql has ``{ids}`` after the id
    column: ``= ANY($1)`` with one array on PostgreSQL (the same text, so one prepared statement,
    for any number of ids), ``IN (%s, …)`` elsewhere."""
    in_list = " IN (" + ", ".join(["%s"] * len(ids)) + ")"
    execute_prepared(cursor, name, (sql.format(ids=" = ANY($1)"), [list(ids)]), other=(sql.format(ids=in_list), ids))
