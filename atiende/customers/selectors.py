"""Read-side queries for customers."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from atiende.customers.addresses import (
    PHONE_KINDS,
    InvalidAddress,
    normalise_email,
    normalise_phone,
    normalise_whatsapp_id,
)
from atiende.customers.models import Consent, Customer, Identity, IdentityKind, ImportJob

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from atiende.accounts.models import User


def customers_visible_to(user: User | AnonymousUser) -> QuerySet[Customer]:
    """THE permission filter for customers: every active desk user sees every customer profile.

    Customers are shared by all teams (a customer may write to any of them); what is scoped by
    team is their cases, through ``cases_visible_to``.
    """
    if not (user.is_authenticated and user.is_active):
        return Customer.objects.none()
    return Customer.objects.all()


def active_customers() -> QuerySet[Customer]:
    """Customers that have not been merged into another one."""
    return Customer.objects.filter(merged_into__isnull=True)


def has_consent(customer: Customer, *, channel: str, purpose: str) -> bool:
    """The newest consent record decides; records of customers merged into this one count."""
    ids = [customer.pk, *customer.merged_customers.values_list("pk", flat=True)]
    latest = (
        Consent.objects.filter(customer_id__in=ids, channel=channel, purpose=purpose)
        .order_by("-recorded_at", "-pk")
        .first()
    )
    return bool(latest and latest.is_granted)


def person_ids(customer: Customer) -> list[int]:
    """CUSTOMER and the profiles merged into it: their history is this person's history."""
    return [customer.pk, *customer.merged_customers.values_list("pk", flat=True)]


def consent_history(customer: Customer) -> QuerySet[Consent]:
    """Every consent record of CUSTOMER and of the profiles merged into it, newest first."""
    return (
        Consent.objects.filter(customer_id__in=person_ids(customer))
        .select_related("recorded_by")
        .order_by("-recorded_at", "-pk")
    )


def current_consents(history: list[Consent]) -> list[Consent]:
    """The record in force per (purpose, channel): the newest one, as ``has_consent`` decides.

    HISTORY must be newest first (``consent_history``); the result is ordered by purpose, channel.
    """
    latest: dict[tuple[str, str], Consent] = {}
    for consent in history:
        latest.setdefault((consent.purpose, consent.channel), consent)
    return [latest[key] for key in sorted(latest)]


def import_jobs_visible_to(user: User) -> QuerySet[ImportJob]:
    """The import jobs USER may follow: their own, or every job for desk-wide roles."""
    jobs = ImportJob.objects.select_related("created_by")
    if not user.sees_whole_desk:
        jobs = jobs.filter(created_by=user)
    return jobs


#: What a phone number may look like when typed: digits, spaces, dots, dashes, parentheses.
PHONE = re.compile(r"^\+?[\d\s().\-]{7,24}$")


def identity_match(addresses: list[tuple[str, str]]) -> Q:
    """Identities that are any of ADDRESSES ((kind, normalised address) pairs)."""
    match = Q()
    for kind, address in addresses:
        match |= Q(kind=kind, address=address)
    return match


def address_match(q: str) -> Q | None:
    """Identities whose address is Q read as one e-mail or phone number (normalised: a phone
    typed any way matches its E.164 form and its WhatsApp id); None when Q is neither."""
    q = q.strip()
    candidates: list[tuple[str, str]] = []
    try:
        if "@" in q:
            candidates.append((IdentityKind.EMAIL, normalise_email(q)))
        elif PHONE.match(q) and sum(ch.isdigit() for ch in q) >= 7:
            e164 = normalise_phone(q)
            candidates += [(kind, e164) for kind in sorted(PHONE_KINDS)]
            candidates.append((IdentityKind.WHATSAPP, normalise_whatsapp_id(e164)))
    except InvalidAddress:
        return None
    return identity_match(candidates) if candidates else None


def customer_by_address(q: str) -> Customer | None:
    """The customer (the profile in force, following merges) whose e-mail or phone Q is."""
    match = address_match(q)
    if match is None:
        return None
    identity = Identity.objects.filter(match).select_related("customer").order_by("pk").first()
    if identity is None:
        return None
    customer = identity.customer
    seen = {customer.pk}
    while customer.merged_into_id and customer.merged_into_id not in seen:
        seen.add(customer.merged_into_id)
        customer = Customer.objects.get(pk=customer.merged_into_id)
    return customer
