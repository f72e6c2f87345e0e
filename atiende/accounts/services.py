"""Account services: API tokens are created and revoked here, never elsewhere; an agent's
availability changes here too, each change logged as an ``AvailabilityChange``."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone
from django.utils.translation import gettext as _

from atiende.accounts.models import ApiToken, Availability, AvailabilityChange, User
from atiende.core.actors import Actor

TOKEN_PREFIX = "atk"


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_token(
    *, user: User, name: str, expires_in_days: int | None = None
) -> tuple[ApiToken, str]:
    """Create a token for USER; return the row and the clear token, which is never stored."""
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None
    token = ApiToken.objects.create(
        user=user, name=name, prefix=prefix, key_hash=_hash(secret), expires_at=expires_at
    )
    return token, f"{TOKEN_PREFIX}_{prefix}_{secret}"


def revoke_api_token(*, token: ApiToken, at: datetime | None = None) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(
        revoked_at=at or timezone.now()
    )


def authenticate_api_token(raw: str) -> ApiToken | None:
    """Return the usable token that RAW proves, or None. Constant-time on the secret."""
    parts = raw.split("_", 2)
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX:
        return None
    _, prefix, secret = parts
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    if token is None or not hmac.compare_digest(token.key_hash, _hash(secret)):
        return None
    if not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    # Touch at most once a minute: a write per request would serialise API traffic.
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


#: Sent after commit with ``user``; atiende.live refreshes the supervisor boards that show them.
availability_changed = Signal()


class AvailabilityError(ValueError):
    """An availability change that cannot be made; the message is for people."""


@transaction.atomic
def set_availability(
    *, user: User, availability: str, actor: Actor, at: datetime | None = None
) -> AvailabilityChange | None:
    """Set USER's availability (RT1) and log the change; None when it was already that.

    An agent sets their own; a supervisor may set it for someone who forgot (ACTOR says who).
    """
    if availability not in Availability.values:
        raise AvailabilityError(_("Disponibilidad desconocida: %(a)s") % {"a": availability})
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.availability == availability:
        return None
    at = at or timezone.now()
    change = AvailabilityChange.objects.create(
        user=locked,
        before=locked.availability,
        after=availability,
        at=at,
        **actor.event_fields(),
    )
    User.objects.filter(pk=locked.pk).update(availability=availability, availability_changed_at=at)
    user.availability, user.availability_changed_at = availability, at
    transaction.on_commit(lambda: availability_changed.send(User, user=user))
    return change
