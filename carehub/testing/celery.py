"""Change Celery settings for one test, under the names the settings really have.

The app reads Django's settings with the CELERY_ namespace (carehub/celery.py), and Celery 5.6
looks the namespaced name up before the plain one: ``app.conf.task_always_eager = False`` is
silently ignored there while ``CELERY_TASK_ALWAYS_EAGER`` stays True. Setting the namespaced
name works on every Celery 5 release.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from carehub.celery import app


def _reset_broker_pools() -> None:
    # Connections and producers remember the broker they were made for.
    app._pool = None
    app.amqp._producer_pool = None


@contextmanager
def celery_conf(**values: Any) -> Iterator[None]:
    """``with celery_conf(task_always_eager=False, broker_url="memory://"):`` for the block only."""
    names = {key: f"CELERY_{key.upper()}" for key in values}
    previous = {key: app.conf[key] for key in values}
    for key, value in values.items():
        app.conf[names[key]] = value
    _reset_broker_pools()
    try:
        yield
    finally:
        for key, value in previous.items():
            app.conf[names[key]] = value
        _reset_broker_pools()
