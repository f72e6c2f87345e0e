"""Queries that name one record: a folio, an e-mail address or a phone number.

``jump_target`` answers where such a query leads: the case page, or the customer's profile.
A match the user may not see is no match (the search then finds nothing either).
"""

from __future__ import annotations

import re

from django.urls import reverse

from atiende.accounts.models import User
from atiende.cases.selectors import cases_visible_to
from atiende.customers.models import Customer
from atiende.customers.selectors import customer_by_address, customers_visible_to

#: Folios look like AT-2026-000123 or RECL-000045 (``FolioSeries.format``).
FOLIO = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,11}(-\d{4})?-\d{1,12}$")


def jump_target(user: User, q: str) -> str | None:
    """The page Q leads to straight away (a case or a customer profile), or None when it is not
    the folio, e-mail or phone of one record USER may see."""
    q = q.strip()
    if FOLIO.match(q):
        folio = q.upper()
        if cases_visible_to(user).filter(folio=folio).exists():
            return reverse("web:case", args=[folio])
        return None
    customer = _customer_by_address(user, q)
    if customer is None:
        return None
    return reverse("web:customer", args=[customer.pk])


def _customer_by_address(user: User, q: str) -> Customer | None:
    customer = customer_by_address(q)
    if customer is None:
        return None
    return customers_visible_to(user).filter(pk=customer.pk).first()
