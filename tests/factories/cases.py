"""Cases are built through the service, so every factory-made case has its folio and events."""

from __future__ import annotations

from atiende.cases import services
from atiende.cases.models import Case
from atiende.core.actors import Actor
from tests.factories.customers import CustomerFactory


def make_case(**kwargs) -> Case:
    kwargs.setdefault("actor", Actor.system("tests"))
    kwargs.setdefault("customer", CustomerFactory())
    kwargs.setdefault("channel", "email")
    kwargs.setdefault("summary", "Consulta sobre mi pedido")
    return services.open_case(**kwargs)
