"""Keeping a signed-out shortlist at sign-in: Django's user_logged_in signal, connected in
MarketplaceConfig.ready, hands over to the service (accounts' sign-in view cannot call up
into the marketplace)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.models import User
from marketplace.choosing import services as choosing


def shortlist_keep_at_sign_in(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    session = getattr(request, "session", None)
    if session is not None:
        choosing.shortlist_merge_session(actor=user, session=session)
