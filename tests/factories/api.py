"""API clients authenticated with real bearer tokens (made by the accounts service)."""

from __future__ import annotations

from rest_framework.test import APIClient

from atiende.accounts.models import User
from atiende.accounts.services import create_api_token


def make_token(user: User, **kwargs) -> str:
    """A clear bearer token for USER."""
    kwargs.setdefault("name", "tests")
    _token, raw = create_api_token(user=user, **kwargs)
    return raw


def api_client(
    user: User | None = None, *, token: str | None = None, language: str | None = None
) -> APIClient:
    """An APIClient sending ``Authorization: Bearer <token>`` (a new token for USER by default)."""
    client = APIClient()
    headers = {}
    if user is not None or token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token or make_token(user)}"
    if language:
        headers["HTTP_ACCEPT_LANGUAGE"] = language
    client.credentials(**headers)
    return client
