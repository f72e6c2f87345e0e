"""Bearer tokens: ``Authorization: Bearer atk_<prefix>_<secret>``, checked by accounts.services."""

from __future__ import annotations

import re

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from atiende.accounts.models import ApiToken, User
from atiende.accounts.services import authenticate_api_token
from atiende.api.errors import text

#: What a token can look like; anything else is refused before touching the database.
TOKEN_SHAPE = re.compile(r"atk_[0-9a-f]{1,12}_[A-Za-z0-9_\-]{1,128}")


class BearerTokenAuthentication(BaseAuthentication):
    """No header, or another scheme: not ours (None). A Bearer header that fails: 401."""

    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        raw = parts[1].decode("latin-1") if len(parts) == 2 else ""
        token = authenticate_api_token(raw) if TOKEN_SHAPE.fullmatch(raw) else None
        if token is None:
            raise AuthenticationFailed(text("authentication_failed"))
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):  # noqa: ANN001, ANN201 (drf-spectacular hook)
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "`Authorization: Bearer atk_<prefix>_<secret>` (tokens: console).",
        }
