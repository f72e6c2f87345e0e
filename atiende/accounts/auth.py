"""The signed-in user of a request, typed as ``accounts.User``."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from rest_framework.request import Request

from atiende.accounts.models import User


def signed_in_user(request: HttpRequest | Request) -> User:
    """REQUEST's user, for views that only run for a signed-in user.

    The console views are behind ``login_required`` and the API views behind DRF's
    ``IsAuthenticated`` (the default permission), so ``request.user`` is a ``User`` there, never
    ``AnonymousUser``; this says so to the type checker, and refuses (403) should it ever not be.
    """
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user
