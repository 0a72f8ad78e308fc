"""What a request leaves for the cyclic garbage collector (issue 13: a search's objects should be
freed by reference counting as its response is, not wait for a collection)."""

from __future__ import annotations

import gc
from typing import Any

from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test.client import RequestFactory


def request_garbage(path: str, query: dict[str, Any]) -> tuple[str, bytes, list[Any]]:
    """Send a GET through Django's WSGIHandler, as gunicorn does (the test client keeps responses
    alive in cycles of its own). Returns its status, its body and the objects it left in reference
    cycles."""
    handler = WSGIHandler()
    environ = RequestFactory().get(path, query).environ
    statuses: list[str] = []
    # As Django's test client does: closing the connection around the request would end the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        response = handler(environ, lambda status, headers, exc_info=None: statuses.append(status))
        body = b"".join(response)
        response.close()
        del response
        gc.collect()
        garbage = list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return statuses[0], body, garbage
