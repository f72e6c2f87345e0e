"""Who did something. Every service takes an ``actor`` so every event can say who acted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActorKind(models.TextChoices):
    AGENT = "agent", _("Agente")
    CUSTOMER = "customer", _("Cliente")
    SYSTEM = "system", _("Sistema")
    API = "api", _("API")


@dataclass(frozen=True)
class Actor:
    kind: str
    name: str
    user: Any = None  # accounts.User, when a person acted

    @classmethod
    def agent(cls, user: Any) -> Actor:
        return cls(ActorKind.AGENT, str(user), user)

    @classmethod
    def api(cls, user: Any) -> Actor:
        return cls(ActorKind.API, str(user), user)

    @classmethod
    def customer(cls, name: str) -> Actor:
        return cls(ActorKind.CUSTOMER, name or "cliente")

    @classmethod
    def system(cls, name: str = "sistema") -> Actor:
        return cls(ActorKind.SYSTEM, name)

    def event_fields(self) -> dict[str, Any]:
        """The actor columns shared by every event table."""
        return {"actor": self.user, "actor_name": self.name[:200], "actor_kind": self.kind}
