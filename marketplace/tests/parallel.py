"""Run many callers at once, each on its own database connection (PostgreSQL concurrency tests)."""

from __future__ import annotations

import threading
from typing import Any

from django.db import connection

MAX_CONNECTIONS = 50


def run_parallel(count: int, target: Any) -> list[Any]:
    """Start `count` threads together; each uses its own connection and closes it."""
    barrier = threading.Barrier(count)
    pool = threading.BoundedSemaphore(MAX_CONNECTIONS)
    results: list[Any] = [None] * count

    def worker(i: int) -> None:
        barrier.wait()
        with pool:
            try:
                results[i] = target(i)
            except Exception as exc:  # noqa: BLE001 - recorded and asserted by the test
                results[i] = exc
            finally:
                connection.close()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results
