"""Read-side queries for customers."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from atiende.customers.models import Consent, Customer

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


def consent_history(customer: Customer) -> QuerySet[Consent]:
    """Every consent record of CUSTOMER and of the profiles merged into it, newest first."""
    ids = [customer.pk, *customer.merged_customers.values_list("pk", flat=True)]
    return (
        Consent.objects.filter(customer_id__in=ids)
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
