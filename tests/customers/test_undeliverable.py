"""Addresses that bounced for good are flagged, once, with an event on the customer."""

from __future__ import annotations

from atiende.core.actors import Actor
from atiende.customers.models import CustomerEvent
from atiende.customers.services import mark_identity_undeliverable
from tests.factories.customers import IdentityFactory

ACTOR = Actor.system("rebotes")


def test_it_flags_the_address_and_records_why(db):
    identity = IdentityFactory(address="lucia@correo.test")

    marked = mark_identity_undeliverable(
        kind="email", address="Lucia@Correo.test", actor=ACTOR, reason="5.1.1 User unknown"
    )

    assert marked == identity
    identity.refresh_from_db()
    assert identity.is_undeliverable
    event = CustomerEvent.objects.get(customer=identity.customer, verb="updated")
    assert event.after == {
        "undeliverable": ["email:lucia@correo.test"],
        "reason": "5.1.1 User unknown",
    }


def test_it_is_idempotent_and_ignores_unknown_or_invalid_addresses(db):
    identity = IdentityFactory(address="lucia@correo.test")
    for _ in range(2):
        mark_identity_undeliverable(kind="email", address="lucia@correo.test", actor=ACTOR)
    assert CustomerEvent.objects.filter(customer=identity.customer, verb="updated").count() == 1
    assert mark_identity_undeliverable(kind="email", address="nadie@x.test", actor=ACTOR) is None
    assert mark_identity_undeliverable(kind="email", address="no es correo", actor=ACTOR) is None
