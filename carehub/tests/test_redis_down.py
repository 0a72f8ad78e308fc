"""Redis down costs a request milliseconds, not seconds (issue 16).

Kombu's publish retry made every enqueue wait about 6 s for a dead broker, and the
result store's subscription about 20 s more; the cache raised, so a request that
touched it failed with a 500. Each case loads the real settings in a fresh process
whose REDIS_URL points at a loopback port nobody listens on.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path
from typing import Any

import pytest
from kombu.exceptions import OperationalError

from carehub.tests.processes import run_python

BROKER_AND_CACHE_DOWN = """
import json, time
import django
django.setup()
from django.core.cache import cache
from accounts.notifications.services import outbox_dispatch, outbox_dispatch_many
from marketplace.budgets.tasks import budget_alert_send

def timed(fn):
    started = time.monotonic()
    value = fn()
    return value, time.monotonic() - started

out = {}
out["dispatch"] = [timed(lambda: outbox_dispatch(41)) for _ in range(3)]
out["dispatch_many"] = timed(lambda: outbox_dispatch_many([1, 2, 3]))
try:
    budget_alert_send.delay(7)
    out["delay"] = "published"
except Exception as exc:
    out["delay"] = type(exc).__module__ + "." + type(exc).__name__
cache_ops = {
    "get": lambda: cache.get("k", "default"),
    "add": lambda: cache.add("k", 1),
    "set": lambda: cache.set("k", 1),
    "get_many": lambda: cache.get_many(["a", "b"]),
    "delete": lambda: cache.delete("k"),
}
out["cache"] = {name: timed(op) for name, op in cache_ops.items()}
started = time.monotonic()
try:
    cache.incr("k")
    out["incr"] = "no error"
except ValueError:
    out["incr"] = "ValueError"
out["incr_s"] = time.monotonic() - started
print(json.dumps(out))
"""


def _dead_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_enqueue_and_cache_fail_fast_when_redis_is_down(tmp_path: Path) -> None:
    env = {"REDIS_URL": f"redis://127.0.0.1:{_dead_port()}/0"}
    result = run_python(["-c", BROKER_AND_CACHE_DOWN], env, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    out = json.loads(result.stdout.strip().splitlines()[-1])

    # The outbox row stays for notifications_redispatch: dispatch says False, quickly, every time.
    assert [sent for sent, _ in out["dispatch"]] == [False, False, False]
    assert max(seconds for _, seconds in out["dispatch"]) < 0.5, out["dispatch"]
    # Several e-mails of one event: one failed attempt, not one per e-mail.
    assert out["dispatch_many"][0] == 0 and out["dispatch_many"][1] < 0.5
    # A plain .delay() raises at once (callers enqueue on commit with robust=True).
    assert out["delay"] == "kombu.exceptions.OperationalError"
    # The cache: a miss, not an error, and no waiting.
    cache = out["cache"]
    assert cache["get"][0] == "default"
    assert cache["add"][0] is False and cache["get_many"][0] == {} and cache["delete"][0] is False
    assert max(seconds for _, seconds in cache.values()) < 0.5, cache
    assert out["incr"] == "ValueError" and out["incr_s"] < 0.5


@pytest.mark.django_db
def test_budget_alert_broker_down_does_not_fail_the_committed_request(
    cast: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from accounts.notifications import tasks as notification_tasks
    from accounts.notifications.models import OutboxMessage
    from marketplace.budgets import alerts
    from marketplace.models import BudgetAlert
    from marketplace.tests.factories import make_budget, make_commitment

    def broker_down(*args: Any, **kwargs: Any) -> None:
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    budget = make_budget(person=cast.person, funder=cast.council, allocated_pence=12_000)
    alerts.budget_alert_set(actor=cast.carer, budget=budget, threshold_pence=10_000)
    monkeypatch.setattr(notification_tasks.notification_deliver, "apply_async", broker_down)
    with django_capture_on_commit_callbacks(execute=True):
        make_commitment(budget=budget, provider=cast.provider, amount_pence=2_500)  # no exception
    alert = BudgetAlert.objects.get(kind=BudgetAlert.Kind.LOW_BALANCE)
    # The alert's e-mails wait in the outbox for the periodic re-send.
    assert OutboxMessage.objects.filter(key__startswith=f"budget-alert:{alert.pk}", delivered_at__isnull=True).exists()
