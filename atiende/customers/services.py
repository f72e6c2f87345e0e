"""Customer services: every change to a customer's record goes through here and leaves an event."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from atiende.core.actors import Actor
from atiende.customers.addresses import normalise_address
from atiende.customers.models import Consent, Customer, CustomerEvent, Identity
from atiende.customers.selectors import identity_match

#: Fields an agent or the API may change with update_customer.
EDITABLE_FIELDS = (
    "name",
    "company",
    "language",
    "timezone",
    "segment",
    "tags",
    "custom_fields",
    "owner",
    "lead_status",
)


class CustomerError(Exception):
    """A customer operation that cannot be done; the message is for the user."""

    code = "customer_error"


class IdentityTaken(CustomerError):
    code = "identity_taken"


def _event(
    customer: Customer, verb: str, actor: Actor, before: Any = None, after: Any = None
) -> None:
    CustomerEvent.objects.create(
        customer=customer, verb=verb, before=before, after=after, **actor.event_fields()
    )


def find_or_create_customer(
    *, actor: Actor, name: str = "", addresses: dict[str, str], **fields: Any
) -> tuple[Customer, bool]:
    """Find the customer behind any of ADDRESSES ({kind: address}) or create one.

    Addresses given together in one request are the customer's own word, so the new ones are
    added to the customer found. An address that belongs to someone else is left alone: linking
    two existing profiles needs consent or an agent-confirmed merge (CU2).
    """
    normalised = {
        kind: normalise_address(kind, value) for kind, value in addresses.items() if value
    }
    if not normalised:
        raise CustomerError(
            _("Se necesita al menos un correo, teléfono u otra identidad del cliente.")
        )
    match = identity_match(list(normalised.items()))
    known = list(Identity.objects.filter(match).select_related("customer"))
    if known:
        customer = known[0].customer
        taken = {(i.kind, i.address) for i in known}
        missing = {k: a for k, a in normalised.items() if (k, a) not in taken}
        if missing:
            _add_identities(customer, missing, actor)
        return customer, False
    try:
        with transaction.atomic():
            customer = Customer.objects.create(name=name.strip()[:200], **fields)
            Identity.objects.bulk_create(
                [Identity(customer=customer, kind=k, address=a) for k, a in normalised.items()]
            )
            _event(
                customer,
                CustomerEvent.Verb.CREATED,
                actor,
                after={"name": customer.name, **normalised},
            )
        return customer, True
    except IntegrityError:
        # Another request created the same address meanwhile: use that customer.
        identity = Identity.objects.select_related("customer").filter(match).first()
        if identity is None:
            raise
        return identity.customer, False


def _add_identities(customer: Customer, addresses: dict[str, str], actor: Actor) -> None:
    for kind, address in addresses.items():
        try:
            with transaction.atomic():
                Identity.objects.create(customer=customer, kind=kind, address=address)
                _event(customer, CustomerEvent.Verb.IDENTITY_ADDED, actor, after={kind: address})
        except IntegrityError:
            continue  # someone else's address: never silently re-link (CU2)


@transaction.atomic
def add_identity(
    *, customer: Customer, kind: str, address: str, actor: Actor, is_verified: bool = False
) -> Identity:
    address = normalise_address(kind, address)
    existing = Identity.objects.filter(kind=kind, address=address).first()
    if existing is not None:
        if existing.customer_id == customer.pk:
            return existing
        raise IdentityTaken(_("La identidad %(a)s ya pertenece a otro cliente.") % {"a": address})
    identity = Identity.objects.create(
        customer=customer, kind=kind, address=address, is_verified=is_verified
    )
    _event(customer, CustomerEvent.Verb.IDENTITY_ADDED, actor, after={kind: address})
    return identity


@transaction.atomic
def update_customer(*, customer: Customer, actor: Actor, **changes: Any) -> Customer:
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise CustomerError(_("Campos no editables: %(f)s") % {"f": ", ".join(sorted(unknown))})
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    before, after = {}, {}
    for field, value in changes.items():
        old = getattr(customer, field)
        if old != value:
            before[field], after[field] = _plain(old), _plain(value)
            setattr(customer, field, value)
    if after:
        customer.save()
        _event(customer, CustomerEvent.Verb.UPDATED, actor, before=before, after=after)
    return customer


def _plain(value: Any) -> Any:
    return value.pk if hasattr(value, "pk") else value


@transaction.atomic
def record_consent(
    *,
    customer: Customer,
    channel: str,
    purpose: str,
    is_granted: bool,
    method: str,
    actor: Actor,
    evidence: str = "",
) -> Consent:
    """Record that the customer gave or withdrew consent (who, when, how). History is kept."""
    consent = Consent.objects.create(
        customer=customer,
        channel=channel,
        purpose=purpose,
        is_granted=is_granted,
        method=method,
        evidence=evidence,
        recorded_by=actor.user,
    )
    _event(
        customer,
        CustomerEvent.Verb.CONSENT_RECORDED,
        actor,
        after={"channel": channel, "purpose": purpose, "is_granted": is_granted, "method": method},
    )
    return consent


def merge_customer_records(*, source: Customer, target: Customer, actor: Actor) -> Customer:
    """Fold SOURCE into TARGET: identities move, blank fields fill, tags and custom fields join.

    Must run inside the caller's transaction with both rows locked; the case layer's
    ``merge_customers`` does that and moves the cases too.
    """
    if source.pk == target.pk:
        raise CustomerError(_("No se puede fusionar un cliente consigo mismo."))
    if source.merged_into_id or target.merged_into_id:
        raise CustomerError(_("Uno de los clientes ya fue fusionado."))
    before = {"identities": list(target.identities.values_list("kind", "address"))}
    Identity.objects.filter(customer=source).update(customer=target)
    for field in ("name", "company", "timezone"):
        if not getattr(target, field):
            setattr(target, field, getattr(source, field))
    if target.owner_id is None:
        target.owner_id = source.owner_id
    target.tags = sorted(set(target.tags) | set(source.tags))
    target.custom_fields = {**source.custom_fields, **target.custom_fields}
    target.save()
    source.merged_into = target
    source.save(update_fields=["merged_into", "updated_at"])
    after = {
        "identities": list(target.identities.values_list("kind", "address")),
        "absorbed": str(source.uuid),
    }
    _event(target, CustomerEvent.Verb.ABSORBED, actor, before=before, after=after)
    _event(source, CustomerEvent.Verb.MERGED, actor, after={"merged_into": str(target.uuid)})
    return target


@transaction.atomic
def mark_identity_undeliverable(
    *, kind: str, address: str, actor: Actor, reason: str = ""
) -> Identity | None:
    """Flag an address that bounced for good, so no sender uses it again (CH1). None if unknown."""
    try:
        address = normalise_address(kind, address)
    except ValidationError:
        return None
    identity = Identity.objects.select_for_update().filter(kind=kind, address=address).first()
    if identity is None or identity.is_undeliverable:
        return identity
    identity.is_undeliverable = True
    identity.save(update_fields=["is_undeliverable"])
    _event(
        identity.customer,
        CustomerEvent.Verb.UPDATED,
        actor,
        before={"undeliverable": []},
        after={"undeliverable": [f"{kind}:{address}"], "reason": reason[:500]},
    )
    return identity
