"""Django's PostgreSQL backend, with a connection health check that costs no round trip, and
every session's prepared statements on their generic plans.

With CONN_HEALTH_CHECKS (settings: persistent connections must survive a database restart,
drill 5), Django asks ``is_usable()`` before the first query of every request that reuses a
connection, and its answer is a ``SELECT 1`` sent to the server: a round trip and a statement
for the server to run, on every request (measured on the search API: a twentieth of each
cache-miss search's time under load).

A connection the server has ended (a restart or crash, ``pg_terminate_backend``, an idle
timeout) has something to read on its socket: the server's last error message, or the end of
the stream. An idle connection in good order has nothing to read. So a quiet socket means
usable, without asking; anything else is decided by Django's own ``SELECT 1``. A server that
vanished without a word (a host gone from the network) is not caught here, as the SELECT 1
would not have caught it quickly either: the request's own query fails, and Django drops the
connection after the error.

Each session starts with ``plan_cache_mode = force_generic_plan`` (a connection parameter, so
no statement, and no transaction's rollback can undo it): the statements carehub.prepared
prepares are written for their generic plans, and left to choose PostgreSQL went on planning
some afresh at every EXECUTE. The setting reaches only prepared statements: those, and
PL/pgSQL's (the ledger's balance check, one read by an indexed id either way).
"""

from __future__ import annotations

import select

from django.db.backends.postgresql import base

GENERIC_PLANS = "-c plan_cache_mode=force_generic_plan"


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self) -> dict:
        params = super().get_connection_params()
        # libpq's options: after any the settings give, so they are kept.
        params["options"] = f"{params.get('options', '')} {GENERIC_PLANS}".strip()
        return params

    def is_usable(self) -> bool:
        if self.connection is None or self.connection.closed:
            return False
        try:
            readable, _, _ = select.select([self.connection.fileno()], [], [], 0)
        except (OSError, ValueError, base.Database.Error):
            return False
        return not readable or super().is_usable()
