"""`atiende token create USERNAME` prints a new API token once; `list USERNAME`; `revoke PREFIX`.

The clear token goes alone to stdout (``TOKEN=$(atiende token create ana)``); notes go to stderr.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from atiende.accounts.models import ApiToken, User
from atiende.accounts.services import create_api_token, revoke_api_token


class Command(BaseCommand):
    help = "API tokens: create (shown once), list, revoke."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a token for USERNAME and print it once.")
        create.add_argument("username")
        create.add_argument("--name", default="cli", help="What the token is for (shown in lists).")
        create.add_argument(
            "--expires-days", type=int, default=None, help="Days until it expires (default: never)."
        )
        listing = sub.add_parser("list", help="List USERNAME's tokens (prefixes only).")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="Revoke the token with this PREFIX.")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        getattr(self, f"do_{action}")(**options)

    def do_create(self, *, username: str, name: str, expires_days: int | None, **_: Any) -> None:
        if expires_days is not None and expires_days < 1:
            raise CommandError("--expires-days debe ser 1 o más.")
        user = _user(username)
        token, clear = create_api_token(user=user, name=name, expires_in_days=expires_days)
        self.stdout.write(clear)
        self.stderr.write(
            f"Token «{token.name}» ({token.prefix}) para {user.username}: "
            "guárdelo ahora, no se volverá a mostrar."
        )

    def do_list(self, *, username: str, **_: Any) -> None:
        tokens = ApiToken.objects.filter(user=_user(username)).order_by("-created_at")
        if not tokens:
            self.stdout.write(f"{username} no tiene tokens.")
        for token in tokens:
            state = "revocado" if token.revoked_at else ("activo" if token.is_usable else "vencido")
            self.stdout.write(
                f"{token.prefix}  {token.name:<20}  creado {token.created_at:%Y-%m-%d}  "
                f"usado {_date(token.last_used_at)}  vence {_date(token.expires_at)}  {state}"
            )

    def do_revoke(self, *, prefix: str, **_: Any) -> None:
        token = ApiToken.objects.filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"No existe un token con el prefijo {prefix}.")
        revoke_api_token(token=token)
        self.stdout.write(f"Token {prefix} revocado.")


def _user(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No existe el usuario {username}.")
    return user


def _date(value: Any) -> str:
    return f"{value:%Y-%m-%d}" if value else "nunca"
