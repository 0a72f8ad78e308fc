"""Writes for personal access tokens: create (the secret is returned once), revoke, mark used."""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import transaction
from django.db.models import Q

from accounts.models import User
from accounts.services import audit_record
from accounts.tokens.models import ApiToken
from accounts.tokens.selectors import api_token_get_for_user, api_token_hash
from carehub import clock

TOKEN_MARK = "chp_"  # noqa: S105  # nosec B105  # a label, not a secret
# last_used_at is written at most once a minute per token, so a busy client costs one
# UPDATE a minute rather than one per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@transaction.atomic
def api_token_create(*, actor: User, name: str, scope: str) -> tuple[ApiToken, str]:
    """Make a token for the actor's own account. Returns the token and its secret, which
    is not stored anywhere and cannot be shown again."""
    prefix = secrets.token_hex(4)
    raw = f"{TOKEN_MARK}{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=actor,
        name=name.strip(),
        scope=ApiToken.Scope(scope),
        prefix=f"{TOKEN_MARK}{prefix}",
        token_hash=api_token_hash(raw),
        created_at=clock.now(),
    )
    audit_record(actor=actor, action="api_token.create", obj=token, name=token.name, scope=token.scope)
    return token, raw


@transaction.atomic
def api_token_revoke(*, actor: User, code: str) -> ApiToken:
    """Revoke one of the actor's tokens; it stops working at once. Revoking twice changes nothing.

    Raises Http404 when the token is not the actor's.
    """
    token = api_token_get_for_user(user=actor, code=code)
    revoked = ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=clock.now())
    if revoked:
        audit_record(actor=actor, action="api_token.revoke", obj=token, name=token.name)
    token.refresh_from_db()
    return token


def api_token_mark_used(*, token: ApiToken) -> None:
    """Record that the token was just used (to the minute)."""
    now = clock.now()
    ApiToken.objects.filter(pk=token.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_RESOLUTION)
    ).update(last_used_at=now)
    token.last_used_at = now
