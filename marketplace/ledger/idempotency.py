"""Idempotency keys for money-moving operations.

A client sends a key with each request that moves money (API header
`Idempotency-Key`, or a hidden field in a form). The first request with a
key runs and records its result in the same transaction; the same key again
returns that result and moves no money; the same key with other parameters
is refused. If the operation fails, its transaction rolls back with the
record, so a retry runs again (and usually fails the same way).

Parallel duplicates: the unique (actor, key) index makes the second insert
wait for the first transaction (PostgreSQL) or queue behind it (SQLite
IMMEDIATE); when it commits, the loser gets an IntegrityError and returns
the winner's result.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any, TypeVar

from django.apps import apps
from django.db import IntegrityError, models, transaction

from accounts.models import User
from carehub.errors import Conflict, DomainError
from marketplace.models import IdempotencyRecord

M = TypeVar("M", bound=models.Model)

MAX_KEY_LENGTH = 100


class IdempotencyKeyReused(DomainError):
    status_code = 422
    code = "idempotency_key_reused"


class IdempotencyKeyMissing(DomainError):
    code = "idempotency_key_missing"


def fingerprint(operation: str, params: dict[str, Any]) -> str:
    canonical = json.dumps({"operation": operation, "params": params}, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def check_key(key: str | None) -> str:
    key = (key or "").strip()
    if not key:
        raise IdempotencyKeyMissing(
            "Send an idempotency key with every request that moves money (header Idempotency-Key).",
            field="idempotency_key",
        )
    if len(key) > MAX_KEY_LENGTH:
        raise IdempotencyKeyMissing(
            f"The idempotency key must be at most {MAX_KEY_LENGTH} characters.", field="idempotency_key"
        )
    return key


def _replay(record: IdempotencyRecord, print_: str) -> models.Model:
    if record.fingerprint != print_:
        raise IdempotencyKeyReused(
            "This idempotency key was already used for a different request. Use a new key for a new request.",
            field="idempotency_key",
        )
    if record.result_id is None:
        raise Conflict("A request with this idempotency key is still being processed. Try again shortly.")
    model = apps.get_model(record.result_type)
    return model._default_manager.get(pk=record.result_id)


def idempotent_run(
    *, actor: User, key: str | None, operation: str, params: dict[str, Any], run: Callable[[], M]
) -> tuple[M, bool]:
    """Run `run()` once per (actor, key). Returns (result, replayed).

    Must be called inside the operation's transaction (services are atomic),
    so that the record and the money movement commit or roll back together.
    """
    key = check_key(key)
    print_ = fingerprint(operation, params)
    existing = IdempotencyRecord.objects.filter(actor=actor, key=key).first()
    if existing is not None:
        return _replay(existing, print_), True  # type: ignore[return-value]
    try:
        with transaction.atomic():
            record = IdempotencyRecord.objects.create(actor=actor, key=key, operation=operation, fingerprint=print_)
    except IntegrityError:
        # A parallel request with this key committed first: return its result.
        return _replay(IdempotencyRecord.objects.get(actor=actor, key=key), print_), True  # type: ignore[return-value]
    result = run()
    IdempotencyRecord.objects.filter(pk=record.pk).update(result_type=result._meta.label, result_id=result.pk)
    return result, False


def idempotent_claim(
    *, actor: User, key: str | None, operation: str, params: dict[str, Any]
) -> IdempotencyRecord | models.Model:
    """For operations that call the outside world between two transactions
    (top-ups): claim the key in its own committed transaction. Returns the
    earlier result when the key was used before, else the new record."""
    key = check_key(key)
    print_ = fingerprint(operation, params)
    existing = IdempotencyRecord.objects.filter(actor=actor, key=key).first()
    if existing is not None:
        return _replay(existing, print_)
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(actor=actor, key=key, operation=operation, fingerprint=print_)
    except IntegrityError:
        return _replay(IdempotencyRecord.objects.get(actor=actor, key=key), print_)


def idempotent_record_result(record: IdempotencyRecord, result: models.Model) -> None:
    IdempotencyRecord.objects.filter(pk=record.pk).update(result_type=result._meta.label, result_id=result.pk)
