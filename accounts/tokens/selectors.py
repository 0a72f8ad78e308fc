"""Reads for personal access tokens."""

from __future__ import annotations

import hashlib

from django.db.models import QuerySet
from django.http import Http404

from accounts.models import User
from accounts.tokens.models import ApiToken


def api_token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def api_token_list_for_user(*, user: User) -> QuerySet[ApiToken]:
    """The user's tokens, newest first, revoked ones included (they show as revoked)."""
    return ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at")


def api_token_get_for_user(*, user: User, code: str) -> ApiToken:
    """One of the user's tokens; Http404 both when there is none and when it is someone else's."""
    token = ApiToken.objects.filter(user=user, code=code).first()
    if token is None:
        raise Http404("No such token")
    return token


def api_token_find(*, raw: str) -> ApiToken | None:
    """The active token whose secret this is (of an active user), or None."""
    return (
        ApiToken.objects.select_related("user")
        .filter(token_hash=api_token_hash(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
