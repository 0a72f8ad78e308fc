"""Bearer-token authentication for the API.

First in DEFAULT_AUTHENTICATION_CLASSES, so its authenticate_header answers for every API
view: an unauthenticated request gets 401 with `WWW-Authenticate: Bearer realm="api"`
(DRF answers 403 when the first class has no header). A read-only token is refused on
unsafe methods here, before any view runs, so no view can forget it.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import SAFE_METHODS
from rest_framework.request import Request

from accounts.models import User
from accounts.tokens.models import ApiToken
from accounts.tokens.selectors import api_token_find
from accounts.tokens.services import api_token_mark_used


class BearerTokenAuthentication(BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword.lower().encode():
            return None  # no token: let the session try
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed("Send the token as: Authorization: Bearer <token>.")
        try:
            raw = parts[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("The token is not valid.") from exc
        token = api_token_find(raw=raw)
        if token is None:
            raise exceptions.AuthenticationFailed("The token is not valid, or it has been revoked.")
        if request.method not in SAFE_METHODS and not token.can_write:
            raise exceptions.PermissionDenied("This token is read-only. Make a read and write token to change data.")
        api_token_mark_used(token=token)
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return f'{self.keyword} realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal access token made on your account page (Your account → API tokens).",
        }
